#pragma once
// The results of a sweep: every point's report, the Pareto fronts (accuracy vs
// simulated latency and vs simulated energy) and an SVG plot of both.
#include <map>
#include <string>
#include <vector>

#include "proto/search.pb.h"

namespace odimo::sweep {

struct ResultPoint {
  std::string dir;
  proto::SearchReport report;
  bool front_latency = false, front_energy = false;
};

// The point's cost: simulated when replayed, else analytic (us, uJ).
double latency_us(const proto::SearchReport& r);
double energy_uj(const proto::SearchReport& r);

// Every DIR/*/report.json, sorted by label; fronts marked. Points without a
// replay use their analytic cost.
std::vector<ResultPoint> read_sweep(const std::string& dir);
// Orders `points` by kind and label and (re)marks both fronts among them (e.g.
// after keeping one SoC's points, or merging folders).
void mark_fronts(std::vector<ResultPoint>& points);
// Two panels, accuracy vs latency and vs energy; search points and baselines
// in different marks, the front joined by a line.
std::string pareto_svg(const std::vector<ResultPoint>& points, const std::string& title);
// "resnet8 on diana, fashion-mnist (target latency)": the plot's title.
std::string plot_title(const std::vector<ResultPoint>& points);

// The results in several OUT folders together, one group per SoC with its fronts
// marked, and for each folder holding a plan the points without a complete result.
struct Fronts {
  std::map<std::string, std::vector<ResultPoint>> by_soc;
  std::vector<std::string> missing;  // "OUT: 2 of 6 points have no complete result yet: ..."
  std::string svg_dir;               // the first folder: where the SVGs go
  // OUT/pareto.svg, or OUT/pareto-<soc>.svg when there are several SoCs.
  std::string svg_path(const std::string& soc) const;
};
Fronts collect_fronts(const std::vector<std::string>& outs);

}  // namespace odimo::sweep
