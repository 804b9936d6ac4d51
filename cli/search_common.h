#pragma once
// Shared by `odimo search`, `replay`, `sweep`, `pareto` and `demo`.
#include <string>

#include "proto/search.pb.h"

namespace odimo::cli {

// Reads DIR/report.json; throws Error naming the file when missing or malformed.
proto::SearchReport read_search_report(const std::string& dir);
void write_search_report(const std::string& dir, const proto::SearchReport& report);

// Simulates DIR's exported mapping on the SystemC model and fills report.simulated
// (one elaboration: call once per process). Prints a one-line summary.
void replay_point(const std::string& dir);

}  // namespace odimo::cli
