#pragma once
// A search point's DIR/report.json (proto/search.proto), read by sweeps and the
// Pareto fronts, written by `odimo search` and `odimo replay`.
#include <string>

#include "proto/search.pb.h"

namespace odimo::sweep {

// Reads DIR/report.json; throws Error naming the file when missing or malformed.
proto::SearchReport read_search_report(const std::string& dir);
// Writes DIR/report.json atomically.
void write_search_report(const std::string& dir, const proto::SearchReport& report);

}  // namespace odimo::sweep
