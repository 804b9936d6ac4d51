#pragma once
// The host (DIANA's RISC-V host, Darkside's cluster controller) orchestrating
// one layer at a time: for every accelerator share it writes the job
// configuration and launches it, one after the other (it is one core), then
// waits for all of them and handles each completion. Shares on the host core
// itself run without configuration. Layers run in sequence.
#include <systemc>

#include <deque>
#include <string>
#include <vector>

#include "hw/layer_plan.h"
#include "hw/models/cu_module.h"
#include "hw/models/dma_engine.h"
#include "hw/models/trace_log.h"
#include "proto/soc.pb.h"

namespace odimo::hw {

struct ShareWork {
  CuModule* cu = nullptr;
  const JobPlan* plan = nullptr;
  SharedInput* input = nullptr;  // set when CUs share one input copy in their L1
  bool input_loader = false;     // this CU's DMA loads it
};

struct LayerWork {
  std::string name;
  std::vector<ShareWork> shares;
  OffChipTraffic off_chip;  // streamed beside the CUs when the layer exceeds L2 (hw/layer_plan.h)
};

struct LayerTiming {
  sc_core::sc_time start;  // since the simulation start (1 ns = 1 cycle)
  sc_core::sc_time end;
  double host_cycles = 0;      // configure + launch + completion handling (cycles)
  std::vector<CuJobStats> cu;  // parallel to LayerWork::shares
};

class HostController : public sc_core::sc_module {
 public:
  HostController(sc_core::sc_module_name name, const proto::Host& host, TraceLog* trace);

  // The off-chip <-> L2 channel (null when the SoC has no off-chip memory).
  void set_off_chip(DmaEngine* channel) { m_off_chip = channel; }
  void enqueue(LayerWork work);             // before sc_start()
  std::vector<LayerTiming> take_results();  // timings of the layers run so far, in order

 private:
  void run();
  void run_layer(const LayerWork& work);
  // Host busy for `cycles`; the trace label (built only when tracing) is "<layer> <what> <cu>".
  void busy_wait(double cycles, const char* what, const LayerWork& work, const std::string& cu,
                 LayerTiming* t);

  const proto::Host& m_host;
  TraceLog* m_trace;
  int m_track;
  DmaEngine* m_off_chip = nullptr;
  std::string m_off_chip_in_label = "off-chip in";
  std::string m_off_chip_out_label = "off-chip out";
  std::deque<LayerWork> m_queue;
  std::vector<LayerTiming> m_results;
  sc_core::sc_event m_kick;
};

}  // namespace odimo::hw
