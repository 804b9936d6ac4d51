#pragma once
// Tile plans: how one CU's share of a layer is cut into L1-sized tiles, with
// the bytes each tile moves and the compute phases it runs. Pure arithmetic
// (no SystemC): the SystemC models (hw/models/, sim/) execute these plans and
// add what depends on time (DMA/compute overlap, L2-port and TCDM contention,
// host orchestration); the calibrated cost model turns them into features.
//
// Each CU kind plans its own share (CuModel::plan, hw/cu/): the PE array, the
// cluster and the DWE through the DORY-style grid below with their own compute
// phases; the AIMC by weight loads; the host without tiles.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "workloads/network.h"

namespace odimo {

class CuModel;
struct SocDescription;

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
  int output_unroll = 0;     // output columns per step the kind unrolled (AIMC: 1/2/4/8); 0: it does not
  int64_t l1_footprint = 0;  // largest L1 use of a tile, double buffers included (bytes)
  double fixed_cycles = 0;   // per job on the CU (cluster fork/barrier) (cycles)
  int input_tiles = 1;       // input-channel chunks per output tile (> 1: partial sums in L1)
  std::vector<Tile> tiles;

  double compute_cycles() const;  // sum of phases + programming + fixed (no conflicts, no DMA)
  int64_t dma_bytes() const;      // sum of in + weight + out bytes
};

// Geometry of a share as the tilers see it (a linear layer is one output "pixel").
bool is_weighted(Op op);
int out_rows(const Layer& g);
int out_cols(const Layer& g);
int in_rows_for(const Layer& g, int r0, int h);    // input rows read for output rows [r0, r0 + h)
int kernel_rows_inside(const Layer& g, int oy);    // kernel rows inside the input at output row oy
int64_t weight_bytes_per_channel(const Layer& g);  // with a 32-bit bias (dory-hal: C*K*FX*FY + 4K)
int64_t in_bytes(const Layer& g, int n, int r0, int h);
// The largest input any tile of h output rows reads (a border tile reads fewer rows): what L1 must hold.
int64_t max_in_bytes(const Layer& g, int n, int h);
int64_t out_bytes(const Layer& g, int n, int h);
double touches_per_output(const Layer& g);  // elements an element-wise op reads per output element
int64_t ceil_div(int64_t a, int64_t b);

// Throws the "cannot fit any memory" Error naming the layer, the CU and the sizes.
[[noreturn]] void cannot_fit(const Layer& g, const std::string& cu, int64_t need, int64_t budget,
                             const std::string& what);

// How a kind blocks output channels on the grid.
struct Blocking {
  int block_max = 0;          // most output channels per tile (weight memory); 0 = all
  int align = 1;              // preferred multiple of channels per tile
  bool weights_in_l1 = true;  // weights share the L1 with activations
};

// Compute of one grid tile: `nb` output channels x `h` output rows from row `r0`.
struct TileWork {
  std::vector<Phase> phases;
  int64_t input_passes = 1;  // times the compute re-reads the input tile from L1
};

// DORY-style grid: output-channel blocks (limited by weight memory) x output-row
// tiles (limited by `l1_budget`); the input stays resident across channel blocks
// when one row tile covers the layer. When one output row of one channel with
// every input channel does not fit, conv (groups 1) and linear layers tile their
// input channels too: the partial sums of a tile stay in L1 at the CU's
// format.accumulator_bits, and each chunk after the first reads them back and
// each but the last writes them (an extra "partial sums" phase at the L1 port
// width; the output leaves once). `work(sub, nb, r0, h)` gives each tile's
// compute, `sub` being the share restricted to the tile's input channels.
using TileWorkFn = std::function<TileWork(const Layer& sub, int nb, int r0, int h)>;
JobPlan plan_grid(const SocDescription& soc, const CuModel& cu, const Layer& g, int64_t l1_budget,
                  const Blocking& blocking, const TileWorkFn& work);

}  // namespace odimo
