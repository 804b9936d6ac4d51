#pragma once
// Measured layers: the trace format a user brings from silicon (HTVM's and
// DORY's profilers print per-layer cycles), GVSoC or another simulator, and
// that `odimo` writes from its own simulations (validation/README.md "Traces").
//
// CSV, one header line, then one row per layer run:
//   name,op,in_c,in_h,in_w,out_c,kernel,stride,padding,groups,split,cycles,energy_uj,busy
// - name: free label; "NET/LAYER" groups rows into a network for validation
// - op, in_c..groups: the layer as in a network file (network.proto); stride 0
//   and groups 0 mean 1, out_c 0 means "as the input" for depthwise
// - split: output channels per CU, "cu=count[:variant];..." in the SoC's CU
//   order (first channels to the first CU listed), e.g. "digital=16;aimc=48",
//   "cluster=24;dwe=40:depthwise"
// - cycles: measured layer latency (cycles of the SoC clock, > 0)
// - energy_uj (optional, empty = unknown): measured layer energy (uJ, >= 0)
// - busy (optional): measured busy cycles per CU, "cu=cycles;..."
// Errors name the file, the line and the column, e.g.
//   "t.csv:7: column 'cycles': value '-3' must be a number > 0".
#include <string>
#include <vector>

#include "hw/soc_description.h"
#include "proto/report.pb.h"
#include "sim/simulator.h"
#include "validation/suite.h"

namespace odimo::validation {

struct TraceRow {
  int line = 0;                     // in the file (1 = header)
  SuitePoint point;                 // the layer and its split, checked against the SoC's rules
  double cycles = 0;                // measured (cycles)
  double energy_uj = -1;            // measured (uJ); < 0 when not given
  std::vector<double> busy_cycles;  // measured, parallel to point.split.shares; empty when not given
  std::string network() const;      // the part of the name before the last '/', or ""
};

extern const char* const kTraceHeader;

// Reads and checks every row against `soc` (operators, shapes, CUs, split rules).
std::vector<TraceRow> read_traces(const std::string& path, const SocDescription& soc);

// A name as the first cell of a trace row: Error naming `what` when it holds a character the
// trace file cannot (a comma, a line break) or starts with '#' (a comment line). Rows are
// written with their names checked, so that read_traces reads back every file odimo writes.
void check_trace_name(const std::string& name, const std::string& what);
// check_trace_name on every row name trace_rows would write for `net` (before a simulation).
void check_trace_names(const Network& net);

// One CSV row (no newline) of `point` with the simulated result `r`.
std::string trace_row(const std::string& name, const SuitePoint& point, const sim::JobResult& r);
// Rows of a simulated network report (`odimo simulate --trace-csv`): every layer that ran.
std::string trace_rows(const Network& net, const ResolvedMapping& mapping, const proto::Report& report);

// Marks every k-th row held out (k = round(1 / fraction); none for fraction 0).
void hold_out(std::vector<TraceRow>& rows, double fraction);

// Points and results as the calibration fit takes them (measured cycles, busy and
// energy; where busy is not given, the measured cycles of a single-CU row).
std::vector<SuitePoint> trace_points(const std::vector<TraceRow>& rows);
std::vector<sim::JobResult> trace_results(const SocDescription& soc, const std::vector<TraceRow>& rows);

}  // namespace odimo::validation
