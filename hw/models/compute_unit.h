#pragma once
// A compute unit of the virtual SoC: an SC_THREAD that executes one job plan
// (hw/tiling.h) at a time, tile by tile: DMA in, weight programming, compute
// phases, DMA out. With double buffering (Dma.double_buffering) the input of
// tile i+1 and the output of tile i-1 move while tile i computes; without it
// the three steps are sequential. Waiting for DMA is stall time.
//
// The kinds differ in what their plans contain and in how they meet the
// shared L1: DigitalArray, AimcMacro, RiscvCluster, DepthwiseEngine, HostCore.
#include <systemc>

#include <memory>
#include <string>

#include "hw/models/dma_engine.h"
#include "hw/models/tcdm.h"
#include "hw/models/trace_log.h"
#include "hw/tiling.h"
#include "proto/soc.pb.h"

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

class ComputeUnitModel : public sc_core::sc_module {
 public:
  // `dma` is null for a CU that works in L2 directly; `tcdm` null when its L1 has no conflict model.
  ComputeUnitModel(sc_core::sc_module_name name, const proto::ComputeUnit& cu, DmaEngine* dma,
                   bool double_buffering, TcdmBanks* tcdm, TraceLog* trace);

  // Starts `plan` (kept alive by the caller until done). Call when !busy().
  // `input`: the layer's shared input copy, loaded by this CU if `loader`, else awaited
  // before the first tile computes (the plan then has no input bytes for that tile).
  void start(const JobPlan* plan, const std::string& label, SharedInput* input = nullptr,
             bool loader = false);
  bool busy() const { return m_plan != nullptr; }
  const sc_core::sc_event& done_event() const { return m_done; }
  const CuJobStats& last() const { return m_stats; }
  const proto::ComputeUnit& description() const { return m_cu; }

 protected:
  // TCDM masters this CU registers while a job runs, and competing among themselves.
  virtual int tcdm_masters() const { return 0; }
  virtual int tcdm_internal_masters() const { return 1; }

 private:
  void run();
  void run_single_buffered();
  void run_double_buffered();
  void dma_in(const Tile& t, size_t index, bool wait_done);
  void compute(const Tile& t, size_t index);
  void input_arrived(size_t tile);  // loader: publish the shared input after tile 0's DMA
  void await_input(size_t tile);    // reader: wait for the shared input before tile 0

  const proto::ComputeUnit& m_cu;
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

class DigitalArray : public ComputeUnitModel {
 public:
  using ComputeUnitModel::ComputeUnitModel;
};

class AimcMacro : public ComputeUnitModel {
 public:
  using ComputeUnitModel::ComputeUnitModel;
};

class HostCore : public ComputeUnitModel {
 public:
  using ComputeUnitModel::ComputeUnitModel;
};

class RiscvCluster : public ComputeUnitModel {
 public:
  using ComputeUnitModel::ComputeUnitModel;

 protected:
  int tcdm_masters() const override { return description().cluster().cores(); }
  int tcdm_internal_masters() const override { return description().cluster().cores(); }
};

class DepthwiseEngine : public ComputeUnitModel {
 public:
  using ComputeUnitModel::ComputeUnitModel;

 protected:
  // the streamer's own ports are scheduled conflict-free (assumption); it meets the others
  int tcdm_masters() const override { return description().dwe().tcdm_ports(); }
  int tcdm_internal_masters() const override { return 1; }
};

// Builds the model class matching the CU's kind.
std::unique_ptr<ComputeUnitModel> make_compute_unit(const proto::ComputeUnit& cu, DmaEngine* dma,
                                                    bool double_buffering, TcdmBanks* tcdm, TraceLog* trace);

}  // namespace odimo::hw
