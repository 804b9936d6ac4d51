#pragma once
// The per-layer table and totals of a Report (proto/report.proto), shared by
// `odimo simulate` and `odimo cost` so that the two read side by side.
#include <ostream>

#include "proto/report.pb.h"

namespace odimo::cli {

void print_report(const proto::Report& report, std::ostream& out);

}  // namespace odimo::cli
