#pragma once
// Tile plans: how one CU's share of a layer is cut into L1-sized tiles, with
// the bytes each tile moves and the compute phases it runs. Pure arithmetic
// (no SystemC): the SystemC models (hw/diana, hw/darkside, sim/) execute these
// plans and add what depends on time: DMA/compute overlap, L2-port and TCDM
// contention, host orchestration. The cost model may reuse the plans too.
//
// Per-CU compute formulas (sources in hw/README.md and the .pbtxt comments):
//   digital: per output row and block of pe_rows x pe_cols outputs,
//            C*fy*FX + row_overhead*C*fy + block_overhead cycles, fy = kernel rows
//            inside the input at that row (MATCH's border-row model);
//   aimc:    per weight load, rows_used * row_program_cycles to program, then
//            OY * ceil(OX/u) MVMs of max(mvm_ns*f, postproc) cycles, + pipeline fill;
//   cluster: per core ceil(rows/cores) * ceil(OX/2) * (im2col + matmul) (PULP-NN / ODiMO);
//   dwe:     per 16-channel pass, taps*(fill_tap + fill_col*OX) + cycles_per_pixel*OX*rows;
//   host:    MACs * cycles_per_mac or elements * cycles_per_element.
#include <cstdint>
#include <string>
#include <vector>

#include "hw/soc_description.h"
#include "workloads/network.h"

namespace odimo {

// One compute phase of a tile (e.g. "im2col", "matmul", "mvm").
struct Phase {
  std::string name;
  double cycles = 0;         // without memory conflicts (cycles)
  double tcdm_accesses = 0;  // accesses per core that can meet a bank conflict (TCDM CUs only)
};

struct Tile {
  int64_t in_bytes = 0;       // activations L2 -> L1 before compute (bytes)
  int64_t weight_bytes = 0;   // weights L2 -> CU before compute (bytes); 0 while resident
  int64_t out_bytes = 0;      // activations L1 -> L2 after compute (bytes)
  int in_transfers = 0;       // DMA calls for in_bytes + weight_bytes (each pays Dma.setup_cycles)
  int out_transfers = 0;      // DMA calls for out_bytes
  double program_cycles = 0;  // weight programming before compute (AIMC rows, cycles)
  std::vector<Phase> phases;
  int64_t l1_read_bytes = 0;   // compute reads from L1 (bytes), for energy
  int64_t l1_write_bytes = 0;  // compute writes to L1 (bytes), for energy
  int out_rows = 0;            // output rows this tile produces
  int out_channels = 0;        // output channels this tile produces
};

struct JobPlan {
  std::string cu;
  Op op = Op::kConv2d;
  bool uses_dma = true;      // false: the CU works in L2 directly (host)
  int weight_loads = 0;      // weight-memory tiles or AIMC programmings
  int aimc_unroll = 0;       // AIMC output unrolling chosen (1/2/4/8), 0 for other CUs
  int64_t l1_footprint = 0;  // largest L1 use of a tile, double buffers included (bytes)
  double fixed_cycles = 0;   // per job on the CU (cluster fork/barrier) (cycles)
  std::vector<Tile> tiles;

  double compute_cycles() const;  // sum of phases + programming + fixed (no conflicts, no DMA)
  int64_t dma_bytes() const;      // sum of in + weight + out bytes
};

// Plans `geometry` (a layer as one CU computes it: see share_geometry) on `cu`
// with `l1_budget` bytes of its L1 (the SoC's L1 divided among the CUs that run
// the layer). Throws Error naming the layer, the CU and the sizes when even the
// smallest tile (one output row, one channel) cannot fit.
JobPlan plan_job(const SocDescription& soc, const proto::ComputeUnit& cu, const Layer& geometry,
                 int64_t l1_budget);

}  // namespace odimo
