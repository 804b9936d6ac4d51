#pragma once
// Reading a sweep folder and showing its points: the table, the Pareto fronts
// (accuracy vs simulated latency and vs simulated energy) and an SVG plot.
#include <string>
#include <vector>

#include "proto/search.pb.h"

namespace odimo::cli {

struct SweepPoint {
  std::string dir;
  proto::SearchReport report;
  bool front_latency = false, front_energy = false;
};

// Every DIR/*/report.json, sorted by label; fronts marked. Points without a
// replay use their analytic cost (and say so in the table).
std::vector<SweepPoint> read_sweep(const std::string& dir);
// Orders `points` by kind and label and (re)marks both fronts among them (e.g.
// after keeping one SoC's points, or merging folders).
void mark_fronts(std::vector<SweepPoint>& points);
// The table on `out`, the SVG written atomically to `svg_path` (and said so).
void show_fronts(const std::vector<SweepPoint>& points, const std::string& svg_path, std::ostream& out);
void print_sweep(const std::vector<SweepPoint>& points, std::ostream& out);
// Two panels, accuracy vs latency and vs energy; search points and baselines
// in different marks, the front joined by a line.
std::string pareto_svg(const std::vector<SweepPoint>& points, const std::string& title);

}  // namespace odimo::cli
