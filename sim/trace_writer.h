#pragma once
// Timeline outputs of a simulation: trace-event JSON (opens in ui.perfetto.dev
// and chrome://tracing; one track per CU, DMA channel and the host) and VCD
// (GTKWave; one busy wire per track).
#include <string>

#include "hw/models/trace_log.h"

namespace odimo::sim {

// Times converted from cycles to us (JSON) or ps (VCD) with `clock_mhz`.
std::string perfetto_json(const hw::TraceLog& trace, double clock_mhz, const std::string& title);
std::string vcd(const hw::TraceLog& trace, double clock_mhz);

}  // namespace odimo::sim
