#include "hw/tiling.h"

#include <algorithm>

#include "hw/cu/cu_model.h"
#include "hw/soc_description.h"
#include "proto/error.h"

namespace odimo {

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

bool is_weighted(Op op) {
  return op == Op::kConv2d || op == Op::kDepthwise || op == Op::kLinear;
}

int out_rows(const Layer& g) {
  return g.op == Op::kLinear ? 1 : g.out.h;
}
int out_cols(const Layer& g) {
  return g.op == Op::kLinear ? 1 : g.out.w;
}

int in_rows_for(const Layer& g, int r0, int h) {
  if (g.op == Op::kLinear || g.op == Op::kGlobalAvgPool) return g.in.h;
  if (g.op == Op::kAdd || g.op == Op::kRelu || g.op == Op::kRelu6 || g.op == Op::kBatchNorm ||
      g.op == Op::kFlatten)
    return h;
  const int lo = std::max(0, r0 * g.stride - g.padding);
  const int hi = std::min(g.in.h, (r0 + h - 1) * g.stride - g.padding + g.kernel);
  return std::max(0, hi - lo);
}

int kernel_rows_inside(const Layer& g, int oy) {
  int n = 0;
  for (int ky = 0; ky < g.kernel; ++ky) {
    const int iy = oy * g.stride - g.padding + ky;
    n += (iy >= 0 && iy < g.in.h);
  }
  return n;
}

namespace {

// Input channels (bytes per input pixel) a share of `n` output channels reads.
int64_t in_channels_used(const Layer& g, int n) {
  switch (g.op) {
    case Op::kConv2d:
      return g.in.c;
    case Op::kLinear:
      return g.in.elements() / std::max(1, g.in.h);  // bytes per input row
    case Op::kAdd:
      return 2 * int64_t(n);  // two operands
    default:
      return n;  // depthwise, pools, element-wise: channel by channel
  }
}

}  // namespace

int64_t weight_bytes_per_channel(const Layer& g) {
  if (!is_weighted(g.op)) return 0;
  return g.weights_per_channel() + 4;
}

int64_t in_bytes(const Layer& g, int n, int r0, int h) {
  return in_channels_used(g, n) * in_rows_for(g, r0, h) * (g.op == Op::kLinear ? 1 : g.in.w);
}
int64_t out_bytes(const Layer& g, int n, int h) {
  return int64_t(n) * h * out_cols(g);
}

double touches_per_output(const Layer& g) {
  switch (g.op) {
    case Op::kAdd:
      return 2;
    case Op::kAvgPool:
    case Op::kMaxPool:
      return double(g.kernel) * g.kernel;
    case Op::kGlobalAvgPool:
      return double(g.in.h) * g.in.w;
    default:
      return 1;
  }
}

void cannot_fit(const Layer& g, const std::string& cu, int64_t need, int64_t budget, const std::string& what) {
  throw Error("layer '" + g.name + "' on " + cu + ": " + what + " needs " + std::to_string(need) +
              " bytes, but only " + std::to_string(budget) +
              " bytes are available: the tile cannot fit any memory");
}

double JobPlan::compute_cycles() const {
  double c = fixed_cycles;
  for (const auto& t : tiles) {
    c += t.program_cycles;
    for (const auto& p : t.phases) c += p.cycles;
  }
  return c;
}

int64_t JobPlan::dma_bytes() const {
  int64_t b = 0;
  for (const auto& t : tiles) b += t.in_bytes + t.weight_bytes + t.out_bytes;
  return b;
}

namespace {

struct Grid {
  int block = 0;  // output channels per tile
  int rows = 0;   // output rows per tile
};

// Splits `n` output channels and the output rows into tiles that fit `budget`.
Grid choose_grid(const Layer& g, const std::string& cu, int n, const Blocking& b, int64_t budget,
                 int buffers) {
  const int rows_total = out_rows(g);
  for (int block = std::min(n, b.block_max > 0 ? b.block_max : n); block >= 1;) {
    auto footprint = [&](int rows) {
      const int64_t w = b.weights_in_l1 ? weight_bytes_per_channel(g) * block : 0;
      return buffers * (in_bytes(g, block, 0, rows) + out_bytes(g, block, rows) + w);
    };
    for (int rows = rows_total; rows >= 1; rows = rows > 1 ? std::max(1, rows / 2) : 0) {
      if (footprint(rows) <= budget) {
        // grow back to the largest fitting row count (halving may undershoot)
        while (rows < rows_total && footprint(rows + 1) <= budget) ++rows;
        return {block, rows};
      }
      if (rows == 1) break;
    }
    if (block == 1) cannot_fit(g, cu, footprint(1), budget, "a tile of one output row and one channel");
    block = block > b.align ? (block / 2 / b.align) * b.align : block / 2;
    block = std::max(block, 1);
  }
  cannot_fit(g, cu, 0, budget, "a tile");
}

}  // namespace

JobPlan plan_grid(const SocDescription& soc, const CuModel& cu, const Layer& g, int64_t l1_budget,
                  const Blocking& b, const TileWorkFn& work) {
  JobPlan plan;
  plan.cu = cu.name();
  plan.op = g.op;
  const int n = g.out.c;
  const int buffers = soc.soc.dma().double_buffering() ? 2 : 1;
  const Grid grid = choose_grid(g, cu.name(), n, b, l1_budget, buffers);
  const int rows_total = out_rows(g);
  const bool single_row_tile = grid.rows >= rows_total;
  // conv/linear read every input channel: with one row tile the input stays in L1 across channel blocks
  const bool reads_all_channels = g.op == Op::kConv2d || g.op == Op::kLinear;
  for (int c0 = 0; c0 < n; c0 += grid.block) {
    const int nb = std::min(grid.block, n - c0);
    ++plan.weight_loads;
    for (int r0 = 0; r0 < rows_total; r0 += grid.rows) {
      const int h = std::min(grid.rows, rows_total - r0);
      const bool input_resident = single_row_tile && c0 > 0 && reads_all_channels;
      Tile t;
      t.out_rows = h;
      t.out_channels = nb;
      t.in_bytes = input_resident ? 0 : in_bytes(g, nb, r0, h);
      t.weight_bytes = r0 == 0 ? weight_bytes_per_channel(g) * nb : 0;
      t.out_bytes = out_bytes(g, nb, h);
      t.in_transfers = (t.in_bytes > 0) + (t.weight_bytes > 0);
      t.out_transfers = 1;
      TileWork w = work(nb, r0, h);
      t.phases = std::move(w.phases);
      t.l1_read_bytes = in_bytes(g, nb, r0, h) * w.input_passes;
      t.l1_write_bytes = t.out_bytes;
      plan.tiles.push_back(std::move(t));
    }
  }
  plan.l1_footprint = buffers * (in_bytes(g, grid.block, 0, grid.rows) + out_bytes(g, grid.block, grid.rows) +
                                 (b.weights_in_l1 ? weight_bytes_per_channel(g) * grid.block : 0));
  return plan;
}

}  // namespace odimo
