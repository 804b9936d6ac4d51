#include "hw/tiling.h"

#include <algorithm>
#include <cmath>

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
int64_t max_in_bytes(const Layer& g, int n, int h) {
  int rows = 0;  // the most input rows any tile of h output rows reads (an interior tile)
  for (int r0 : {0, std::max(0, (out_rows(g) - h) / 2), std::max(0, out_rows(g) - h)})
    rows = std::max(rows, in_rows_for(g, r0, std::min(h, out_rows(g) - r0)));
  return in_channels_used(g, n) * rows * (g.op == Op::kLinear ? 1 : g.in.w);
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

void cannot_fit(const Layer& g, const std::string& cu, int64_t need, int64_t budget,
                const std::string& what) {
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
  int block = 0;    // output channels per tile
  int rows = 0;     // output rows per tile
  int64_t cin = 0;  // input channels per tile: all, or fewer when input channels are tiled
};

// The share restricted to `cc` input channels (conv2d with groups 1, or linear features).
Layer input_slice(const Layer& g, int64_t cc) {
  Layer sub = g;
  sub.in = g.op == Op::kLinear ? Shape{int(cc), 1, 1} : Shape{int(cc), g.in.h, g.in.w};
  return sub;
}

struct GridPlanner {
  const Layer& g;
  const std::string& cu;
  const Blocking& b;
  int64_t budget;
  int buffers;
  int accumulator_bytes;  // 0: input channels cannot be tiled

  int64_t cin() const { return g.op == Op::kLinear ? g.in.elements() : g.in.c; }
  // L1 bytes of a tile; with input channels tiled, the partial sums of the
  // tile's outputs stay resident (one buffer) at the accumulator width.
  int64_t footprint(int block, int rows, int64_t cc) const {
    const Layer sub = cc < cin() ? input_slice(g, cc) : g;
    const int64_t w = b.weights_in_l1 ? weight_bytes_per_channel(sub) * block : 0;
    const int64_t psum = cc < cin() ? out_bytes(g, block, rows) * accumulator_bytes : 0;
    return buffers * (max_in_bytes(sub, block, rows) + out_bytes(g, block, rows) + w) + psum;
  }
  int grow_rows(int block, int rows, int64_t cc) const {  // halving may undershoot
    while (rows < out_rows(g) && footprint(block, rows + 1, cc) <= budget) ++rows;
    return rows;
  }
  int next_block(int block) const {  // 0 after one channel
    if (block <= 1) return 0;
    block = block > b.align ? (block / 2 / b.align) * b.align : block / 2;
    return std::max(block, 1);
  }
  Grid whole_input(int n) const;
  Grid tiled_input(int n) const;
};

// Largest channel block, then most rows, reading every input channel per tile.
Grid GridPlanner::whole_input(int n) const {
  for (int block = std::min(n, b.block_max > 0 ? b.block_max : n); block >= 1; block = next_block(block))
    for (int rows = out_rows(g); rows >= 1; rows = rows > 1 ? std::max(1, rows / 2) : 0) {
      if (footprint(block, rows, cin()) <= budget) return {block, grow_rows(block, rows, cin()), cin()};
      if (rows == 1) break;
    }
  return {};
}

// DORY's fallback when one output row of one channel needs more than the budget:
// input channels in chunks; of every (channel block, chunk) pair with as many rows
// as then fit, the one with the most MACs per tile (ties: the larger chunk, fewer
// partial-sum passes).
Grid GridPlanner::tiled_input(int n) const {
  Grid best;
  auto work = [](const Grid& x) { return int64_t(x.block) * x.cin * x.rows; };
  for (int block = std::min(n, b.block_max > 0 ? b.block_max : n); block >= 1; block = next_block(block))
    for (int64_t cc = cin() / 2; cc >= 1; cc /= 2) {
      if (footprint(block, 1, cc) > budget) continue;
      int rows = out_rows(g);
      while (rows > 1 && footprint(block, rows, cc) > budget) rows = std::max(1, rows / 2);
      const Grid x{block, grow_rows(block, rows, cc), cc};
      if (work(x) > work(best) || (work(x) == work(best) && x.cin > best.cin)) best = x;
    }
  return best;
}

// Splits `n` output channels, the output rows and (when nothing else fits) the
// input channels into tiles that fit `budget`.
Grid choose_grid(const GridPlanner& p, int n) {
  if (Grid grid = p.whole_input(n); grid.block > 0) return grid;
  const bool sliceable = (p.g.op == Op::kConv2d && p.g.groups == 1) || p.g.op == Op::kLinear;
  if (sliceable && p.accumulator_bytes > 0)
    if (Grid grid = p.tiled_input(n); grid.block > 0) return grid;
  const std::string why = !sliceable ? ""
                          : p.accumulator_bytes > 0
                              ? " (input channels tiled down to one)"
                              : " (tiling input channels needs format.accumulator_bits)";
  cannot_fit(p.g, p.cu,
             sliceable && p.accumulator_bytes > 0 ? p.footprint(1, 1, 1) : p.footprint(1, 1, p.cin()),
             p.budget, "a tile of one output row and one channel" + why);
}

}  // namespace

JobPlan plan_grid(const SocDescription& soc, const CuModel& cu, const Layer& g, int64_t l1_budget,
                  const Blocking& b, const TileWorkFn& work) {
  JobPlan plan;
  plan.cu = cu.name();
  plan.op = g.op;
  const int n = g.out.c;
  const int buffers = soc.soc.dma().double_buffering() ? 2 : 1;
  const int acc_bytes = int(ceil_div(std::max(0, cu.description().format().accumulator_bits()), 8));
  const GridPlanner planner{g, cu.name(), b, l1_budget, buffers, acc_bytes};
  const Grid grid = choose_grid(planner, n);
  const int64_t cin = planner.cin();
  const int rows_total = out_rows(g);
  const bool single_row_tile = grid.rows >= rows_total;
  const bool tiled_input = grid.cin < cin;
  // conv/linear read every input channel: with one row tile the input stays in L1 across channel blocks
  const bool reads_all_channels = (g.op == Op::kConv2d || g.op == Op::kLinear) && !tiled_input;
  // partial sums stream through the CU's L1 port (assumption: not hidden under compute)
  const proto::Memory* l1 = soc.l1_of(cu.description());
  const double l1_bytes_per_cycle = l1 ? std::max(1, l1->port_bytes_per_cycle()) : 1.0;
  for (int c0 = 0; c0 < n; c0 += grid.block) {
    const int nb = std::min(grid.block, n - c0);
    ++plan.weight_loads;
    for (int r0 = 0; r0 < rows_total; r0 += grid.rows) {
      const int h = std::min(grid.rows, rows_total - r0);
      for (int64_t k0 = 0; k0 < cin; k0 += grid.cin) {
        const int64_t cc = std::min(grid.cin, cin - k0);
        const Layer sub = tiled_input ? input_slice(g, cc) : g;
        const bool first = k0 == 0, last = k0 + cc >= cin;
        const bool input_resident = single_row_tile && c0 > 0 && reads_all_channels;
        Tile t;
        t.out_rows = h;
        t.out_channels = nb;
        t.in_bytes = input_resident ? 0 : in_bytes(sub, nb, r0, h);
        // weights of the block (its slice when input channels are tiled, the bias with the first),
        // fetched with the first row tile; a slice in L1 again with every row tile
        const int64_t slice = tiled_input ? (weight_bytes_per_channel(sub) - 4 + (first ? 4 : 0)) * nb
                                          : weight_bytes_per_channel(g) * nb;
        t.weight_bytes = r0 == 0 || (tiled_input && b.weights_in_l1) ? slice : 0;
        t.out_bytes = last ? out_bytes(g, nb, h) : 0;
        t.in_transfers = (t.in_bytes > 0) + (t.weight_bytes > 0);
        t.out_transfers = t.out_bytes > 0;
        TileWork w = work(sub, nb, r0, h);
        t.phases = std::move(w.phases);
        t.l1_read_bytes = in_bytes(sub, nb, r0, h) * w.input_passes;
        t.l1_write_bytes = t.out_bytes;
        if (tiled_input) {  // partial sums at the accumulator width: written unless last, read unless first
          const int64_t psum = out_bytes(g, nb, h) * acc_bytes;
          const int64_t moved = psum * ((first ? 0 : 1) + (last ? 0 : 1));
          t.l1_read_bytes += first ? 0 : psum;
          t.l1_write_bytes += last ? 0 : psum;
          t.phases.push_back(
              {"partial sums", std::ceil(double(moved) / l1_bytes_per_cycle), double(moved) / 4});
        }
        plan.tiles.push_back(std::move(t));
      }
    }
  }
  plan.input_tiles = int(ceil_div(cin, grid.cin));
  plan.l1_footprint = planner.footprint(grid.block, grid.rows, grid.cin);
  return plan;
}

}  // namespace odimo
