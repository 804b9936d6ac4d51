#pragma once
// `odimo pareto` and `odimo sweep reduce`, and the end of every sweep: the table of
// a sweep's points with their fronts, and the SVG plot next to the results.
#include <ostream>
#include <string>
#include <vector>

#include "mapper/sweep/pareto.h"

namespace odimo::cli {

// The table of one front; points deployed on chip instances add their count, the sample std
// over every seed's instances and the worst instance.
void print_sweep(const std::vector<sweep::ResultPoint>& points, std::ostream& out);
// Per cost axis: the hypervolumes of the search points and of the baselines (one
// stated reference point) and, for every baseline, the search point dominating it.
void print_quality(const std::vector<sweep::ResultPoint>& points, std::ostream& out);

// The results in the OUT folders together: one table and SVG per SoC and read-noise level (SVGs in the
// first folder, written atomically), then each plan's points still missing. Fronts,
// hypervolumes and dominance on `kind` (pareto.h); the table shows the trained and the
// deployed accuracy once a point has been deployed.
void print_fronts(const std::vector<std::string>& outs, std::ostream& out,
                  sweep::AccuracyKind kind = sweep::AccuracyKind::kTrained);

}  // namespace odimo::cli
