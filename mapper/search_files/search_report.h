#pragma once
// A search point's DIR/report.json (proto/search.proto), read by sweeps and the
// Pareto fronts, written by `odimo search` and `odimo replay`.
#include <functional>
#include <string>

#include "proto/search.pb.h"

namespace odimo::search {

// Reads DIR/report.json; throws Error naming the file when missing or malformed.
proto::SearchReport read_search_report(const std::string& dir);
// Writes DIR/report.json atomically.
void write_search_report(const std::string& dir, const proto::SearchReport& report);
// Reads DIR/report.json, applies `change` and writes it back, holding a lock on DIR for the
// whole read-modify-write: commands updating one point at the same time (replay, deploy) each
// keep the other's fields.
void update_search_report(const std::string& dir, const std::function<void(proto::SearchReport&)>& change);

// What replay and deploy load: --net and --soc as the search was given them (a shipped
// name or a path); reports written before those fields name shipped files only.
inline const std::string& network_source(const proto::SearchReport& r) {
  return r.network_file().empty() ? r.network() : r.network_file();
}
inline const std::string& soc_source(const proto::SearchReport& r) {
  return r.soc_file().empty() ? r.soc() : r.soc_file();
}

// The SoC and network loaded from those sources are the ones the report names: a file
// edited since (or a report edited by hand) is refused, not replayed as another point.
void check_loaded_names(const proto::SearchReport& r, const std::string& report_path,
                        const std::string& soc_name, const std::string& network_name);

}  // namespace odimo::search
