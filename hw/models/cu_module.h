#pragma once
// A compute unit of the virtual SoC: an SC_THREAD that executes one job plan
// (hw/tiling.h) at a time, tile by tile: DMA in, weight programming, compute
// phases, DMA out. With double buffering (Dma.double_buffering) the input of
// tile i+1 and the output of tile i-1 move while tile i computes; without it
// the three steps are sequential. Waiting for DMA is stall time.
//
// One module for every kind: what differs between kinds is in the plans their
// homes make (hw/cu/) and in what the CuModel says about TCDM masters.
#include <systemc>

#include <memory>
#include <string>

#include "hw/cu/cu_model.h"
#include "hw/models/dma_engine.h"
#include "hw/models/tcdm.h"
#include "hw/models/trace_log.h"
#include "hw/tiling.h"

namespace odimo::hw {

// What one job did, in cycles since the start of the simulation.
struct CuJobStats {
  sc_core::sc_time start;  // exact (integer ps), so differences repeat bit for bit
  sc_core::sc_time end;
  double busy = 0;      // computing or programming weights (cycles)
  double stall = 0;     // waiting for DMA or the L2 port (cycles) = end - start - busy
  double conflict = 0;  // of busy: TCDM bank-conflict stalls (cycles)
};

// One copy of a layer's input in an L1 shared by several CUs (DIANA's activation
// memory): the loader CU's DMA brings it in, the readers wait for it instead of
// fetching their own copy.
struct SharedInput {
  bool loaded = false;
  sc_core::sc_event ready;
};

class CuModule : public sc_core::sc_module {
 public:
  // `unit` must outlive the module. `dma` is null for a CU that works in L2
  // directly; `tcdm` null when its L1 has no conflict model.
  CuModule(sc_core::sc_module_name name, const CuModel& unit, DmaEngine* dma, bool double_buffering,
           TcdmBanks* tcdm, TraceLog* trace);

  // Starts `plan` (kept alive by the caller until done). Call when !busy().
  // `input`: the layer's shared input copy, loaded by this CU if `loader`, else awaited
  // before the first tile computes (the plan then has no input bytes for that tile).
  void start(const JobPlan* plan, const std::string& label, SharedInput* input = nullptr,
             bool loader = false);
  bool busy() const { return m_plan != nullptr; }
  const sc_core::sc_event& done_event() const { return m_done; }
  const CuJobStats& last() const { return m_stats; }
  const CuModel& unit() const { return m_unit; }

 private:
  void run();
  void run_single_buffered();
  void run_double_buffered();
  void dma_in(const Tile& t, size_t index, bool wait_done);
  void compute(const Tile& t, size_t index);
  void input_arrived(size_t tile);  // loader: publish the shared input after tile 0's DMA
  void await_input(size_t tile);    // reader: wait for the shared input before tile 0

  const CuModel& m_unit;
  DmaEngine* m_dma;
  bool m_double_buffering;
  TcdmBanks* m_tcdm;
  TraceLog* m_trace;
  int m_track;
  const JobPlan* m_plan = nullptr;
  SharedInput* m_input = nullptr;
  bool m_input_loader = false;
  std::string m_label;  // job label, and the DMA labels below: built only when tracing
  std::string m_in_label;
  std::string m_out_label;
  CuJobStats m_stats;
  sc_core::sc_event m_start;
  sc_core::sc_event m_done;
};

}  // namespace odimo::hw
