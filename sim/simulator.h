#pragma once
// The simulation driver: one elaboration of a virtual SoC per process, fed a
// queue of jobs (layers with their channel split), each measured as a
// difference of simulated time. SystemC stays behind this header.
//
//   SocDescription soc = load_soc("diana");
//   sim::Simulator simulator(soc);                      // elaborates once
//   std::vector<sim::Job> jobs = {sim::make_job(layer, split), ...};
//   std::vector<sim::JobResult> r = simulator.run(jobs); // may be called again
//
// SystemC allows one elaboration per process: constructing a second Simulator
// throws. Time base: 1 SystemC ns = 1 SoC clock cycle (hw/models/time_base.h).
// Jobs run one after the other (a layer starts when the previous one ended);
// the same inputs always give the same cycles.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "hw/mapping.h"
#include "hw/models/trace_log.h"
#include "hw/soc_description.h"
#include "hw/tiling.h"
#include "workloads/network.h"

namespace odimo::sim {

// One layer (any geometry) and the CUs that compute its output channels.
struct Job {
  std::string name;             // label in traces and results
  Layer layer;                  // the whole layer's geometry
  std::vector<CuShare> shares;  // non-empty; channels per CU (see hw/mapping.h)
};
Job make_job(const Layer& layer, const LayerSplit& split);

struct CuResult {
  std::string cu;
  int channels = 0;
  Op op = Op::kConv2d;
  int64_t start_cycle = 0;   // relative to the job start (cycles)
  int64_t end_cycle = 0;     // relative to the job start (cycles)
  int64_t busy_cycles = 0;   // computing, programming weights, bank-conflict stalls (cycles)
  int64_t stall_cycles = 0;  // waiting for DMA / the L2 port (cycles)
  int64_t bytes_moved = 0;   // L2 <-> L1 by this CU's DMA, or L2 accesses of the host (bytes)
  int tiles = 0;
  int weight_loads = 0;
  int output_unroll = 0;        // JobPlan::output_unroll
  double energy_pj = 0;         // busy + idle power over the job, plus memory accesses (pJ)
  double memory_energy_pj = 0;  // of energy_pj: L1/L2 accesses caused by this CU (pJ)
};

struct JobResult {
  std::string name;
  int64_t start_cycle = 0;      // since the first run() (cycles)
  int64_t cycles = 0;           // job latency, host overheads included (cycles)
  int64_t host_cycles = 0;      // configure + launch + completion (cycles)
  int64_t stall_cycles = 0;     // sum over CUs
  int64_t bytes_moved = 0;      // sum over CUs
  double shared_energy_pj = 0;  // Soc.shared_power_mw over the job (pJ)
  int64_t off_chip_bytes = 0;   // off-chip memory <-> L2 when the layer exceeds L2 (hw/layer_plan.h) (bytes)
  double off_chip_energy_pj = 0;  // of energy_pj: those transfers (pJ)
  double energy_pj = 0;           // shared + all CUs (busy, idle) + memory + off-chip (pJ)
  std::vector<CuResult> cu;       // in the order of Job::shares
};

struct L2Traffic {
  int64_t bytes_read = 0;  // through the L2 port since the start (bytes)
  int64_t bytes_written = 0;
};

struct Options {
  bool record_trace = false;  // keep every tile/DMA/host interval (for --trace/--vcd)
};

class Simulator {
 public:
  explicit Simulator(const SocDescription& soc, Options options = {});
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // Plans every job first (throws Error for a tile that cannot fit, an unknown
  // CU, an operator the CU cannot run), then simulates them in order.
  std::vector<JobResult> run(const std::vector<Job>& jobs);

  const SocDescription& soc() const;
  const hw::TraceLog& trace() const;
  int64_t now_cycles() const;    // simulated cycles so far
  L2Traffic l2_traffic() const;  // what the L2 model saw (independent of the plans' byte counts)

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace odimo::sim
