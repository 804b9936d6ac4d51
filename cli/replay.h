#pragma once
// `odimo replay DIR` and the end of `odimo search`: a search result's mapping run on
// the SystemC model (one elaboration: call once per process).
#include <string>

namespace odimo::cli {

// Simulates DIR's exported mapping and fills DIR/report.json's `simulated` (and
// writes DIR/simulation.json). Prints a one-line summary.
void replay_point(const std::string& dir);

}  // namespace odimo::cli
