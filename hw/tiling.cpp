#include "hw/tiling.h"

#include <algorithm>
#include <cmath>

#include "proto/error.h"

namespace odimo {
namespace {

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

bool is_weighted(Op op) {
  return op == Op::kConv2d || op == Op::kDepthwise || op == Op::kLinear;
}

// Output rows/columns of the computation (a linear layer is one "pixel").
int out_rows(const Layer& g) {
  return g.op == Op::kLinear ? 1 : g.out.h;
}
int out_cols(const Layer& g) {
  return g.op == Op::kLinear ? 1 : g.out.w;
}

// Input rows read to produce output rows [r0, r0 + h).
int in_rows_for(const Layer& g, int r0, int h) {
  if (g.op == Op::kLinear || g.op == Op::kGlobalAvgPool) return g.in.h;
  if (g.op == Op::kAdd || g.op == Op::kRelu || g.op == Op::kRelu6 || g.op == Op::kBatchNorm ||
      g.op == Op::kFlatten)
    return h;
  const int lo = std::max(0, r0 * g.stride - g.padding);
  const int hi = std::min(g.in.h, (r0 + h - 1) * g.stride - g.padding + g.kernel);
  return std::max(0, hi - lo);
}

// Kernel rows that fall inside the input for output row `oy` (border rows have fewer).
int kernel_rows_inside(const Layer& g, int oy) {
  int n = 0;
  for (int ky = 0; ky < g.kernel; ++ky) {
    const int iy = oy * g.stride - g.padding + ky;
    n += (iy >= 0 && iy < g.in.h);
  }
  return n;
}

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

// Weight bytes per output channel, with a 32-bit bias (dory-hal: C*K*FX*FY + 4K).
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

// Elements an element-wise operator touches per output element.
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

std::vector<Phase> digital_phases(const proto::DigitalArrayParams& d, const Layer& g, int r0, int h, int n) {
  if (g.op == Op::kAdd || !is_weighted(g.op)) {
    const double elements = double(n) * h * out_cols(g) * touches_per_output(g);
    return {{"eltwise", std::ceil(elements / d.eltwise_lanes()) + d.block_overhead_cycles(), 0}};
  }
  const int64_t col_blocks = ceil_div(out_cols(g), d.pe_cols());
  const int64_t cin = g.op == Op::kLinear ? g.in.elements() : g.in.c / std::max(1, g.groups);
  const int fx = g.op == Op::kLinear ? 1 : g.kernel;
  double cycles = 0;
  for (int oy = r0; oy < r0 + h; ++oy) {
    const int fy = g.op == Op::kLinear ? 1 : kernel_rows_inside(g, oy);
    if (g.op == Op::kDepthwise) {  // one channel at a time, only pe_cols PEs useful
      cycles += double(n) * col_blocks * (fy * fx + d.row_overhead_cycles() * fy + d.block_overhead_cycles());
    } else {
      cycles += double(ceil_div(n, d.pe_rows())) * col_blocks *
                (cin * fy * fx + d.row_overhead_cycles() * cin * fy + d.block_overhead_cycles());
    }
  }
  return {{"compute", cycles, 0}};
}

std::vector<Phase> cluster_phases(const proto::ClusterParams& c, const Layer& g, int r0, int h, int n) {
  const int64_t rows_per_core = ceil_div(h, c.cores());  // work split by output rows
  if (g.op == Op::kConv2d) {
    const int64_t k = int64_t(g.kernel) * g.kernel * (g.in.c / std::max(1, g.groups));
    const double pairs = double(rows_per_core) * ceil_div(out_cols(g), c.matmul_pixels());
    const double im2col = pairs * c.im2col_cycles_per_element() * c.matmul_pixels() * k;
    const double matmul = pairs * ceil_div(n, c.matmul_out_channels()) *
                          double(c.matmul_step_cycles() * ceil_div(k, 4) + c.matmul_overhead_cycles());
    return {{"im2col", im2col, im2col}, {"matmul", matmul, matmul * c.matmul_load_fraction()}};
  }
  if (g.op == Op::kLinear) {  // output features split across cores, 4 at a time
    const double cycles =
        double(ceil_div(n, int64_t(c.matmul_out_channels()) * c.cores())) *
        (c.matmul_step_cycles() * ceil_div(g.in.elements(), 4) + c.matmul_overhead_cycles());
    return {{"matmul", cycles, cycles * c.matmul_load_fraction()}};
  }
  if (g.op == Op::kDepthwise) {  // channels split across cores
    const double cycles =
        double(ceil_div(n, c.cores())) * h * out_cols(g) * g.kernel * g.kernel * c.dw_cycles_per_mac();
    return {{"depthwise", cycles, cycles * c.matmul_load_fraction()}};
  }
  const double elements = double(n) * h * out_cols(g) * touches_per_output(g);
  const double cycles = std::ceil(elements * c.eltwise_cycles_per_element() / c.cores());
  return {{"eltwise", cycles, cycles * 0.5}};  // assumption: half of the cycles are loads/stores
}

std::vector<Phase> dwe_phases(const proto::DweParams& d, const Layer& g, int h, int n) {
  const double passes = double(ceil_div(n, d.channels_per_pass()));
  const double taps = double(g.kernel) * g.kernel;
  const double fill =
      passes * (taps * d.fill_cycles_per_tap() + taps * d.fill_cycles_per_tap_column() * out_cols(g));
  const double stream = passes * d.cycles_per_pixel() * double(h) * out_cols(g);
  return {{"fill", fill, fill}, {"stream", stream, stream * d.load_fraction()}};
}

std::vector<Phase> host_phases(const proto::CoreParams& c, const Layer& g, int n) {
  if (is_weighted(g.op)) return {{"software", double(g.macs) * c.cycles_per_mac(), 0}};
  const double elements = double(n) * out_rows(g) * out_cols(g) * touches_per_output(g);
  return {{"software", elements * c.cycles_per_element(), 0}};
}

[[noreturn]] void cannot_fit(const Layer& g, const std::string& cu, int64_t need, int64_t budget,
                             const std::string& what) {
  throw Error("layer '" + g.name + "' on " + cu + ": " + what + " needs " + std::to_string(need) +
              " bytes, but only " + std::to_string(budget) +
              " bytes are available: the tile cannot fit any memory");
}

// Splits `n` output channels and the output rows into tiles that fit `budget`.
// `block_max`: channels per block (weight memory limit); `align`: preferred multiple.
struct Grid {
  int block = 0;  // output channels per tile
  int rows = 0;   // output rows per tile
};

Grid choose_grid(const Layer& g, const std::string& cu, int n, int block_max, int align, int64_t budget,
                 int buffers, bool weights_in_l1) {
  const int rows_total = out_rows(g);
  for (int block = std::min(n, block_max); block >= 1;) {
    auto footprint = [&](int rows) {
      const int64_t w = weights_in_l1 ? weight_bytes_per_channel(g) * block : 0;
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
    block = block > align ? (block / 2 / align) * align : block / 2;
    block = std::max(block, 1);
  }
  cannot_fit(g, cu, 0, budget, "a tile");
}

// Rows of output that fit `budget` for an AIMC load with `cc` input channels and `nc` columns.
int aimc_rows(const Layer& sub, const std::string& cu, int nc, int64_t budget, int buffers) {
  auto footprint = [&](int rows) {
    return buffers * (in_bytes(sub, nc, 0, rows) + out_bytes(sub, nc, rows));
  };
  int rows = out_rows(sub);
  while (rows > 1 && footprint(rows) > budget) rows = std::max(1, rows / 2);
  if (footprint(rows) > budget) cannot_fit(sub, cu, footprint(rows), budget, "a tile of one output row");
  while (rows < out_rows(sub) && footprint(rows + 1) <= budget) ++rows;
  return rows;
}

// Largest allowed unrolling u: u*nc <= cols and (u + FX - 1) * max(min_channel_rows, cc) * FY <= rows
// (ODiMO/PLiNIO feasibility rule, hardware.md §2.3.2); never wider than the output row.
int aimc_unroll(const proto::AimcParams& a, int64_t cc, int nc, int fx, int ox) {
  int u = 1;
  for (int f : a.unroll())
    if (int64_t(f) * nc <= a.cols() &&
        (f + fx - 1) * std::max<int64_t>(a.min_channel_rows(), cc) * fx <= a.rows() && f <= std::max(1, ox))
      u = std::max(u, f);
  return u;
}

// AIMC: one weight load per (block of input channels that fits the rows) x (block of
// output channels that fits the columns); activations tiled by output rows per load.
JobPlan plan_aimc(const SocDescription& soc, const proto::ComputeUnit& cu, const Layer& g, int64_t budget) {
  const proto::AimcParams& a = cu.aimc();
  JobPlan plan;
  plan.cu = cu.name();
  plan.op = g.op;
  const bool lin = g.op == Op::kLinear;
  const int fx = lin ? 1 : g.kernel;
  const int64_t cin = lin ? g.in.elements() : g.in.c;
  const int n = g.out.c, ox = out_cols(g), oy = out_rows(g);
  const int64_t chunk_max = a.rows() / (int64_t(fx) * fx);
  if (chunk_max < 1)
    cannot_fit(g, cu.name(), int64_t(fx) * fx, a.rows(), "one input channel's kernel taps (AIMC rows)");
  const double mvm = std::max(a.mvm_ns() * soc.cycles_per_ns(), double(a.postproc_cycles_per_mvm()));
  const int buffers = soc.soc.dma().double_buffering() ? 2 : 1;
  for (int64_t c0 = 0; c0 < cin; c0 += chunk_max) {
    const int64_t cc = std::min(chunk_max, cin - c0);
    Layer sub = g;
    sub.in = lin ? Shape{int(cc), 1, 1} : Shape{int(cc), g.in.h, g.in.w};
    for (int k0 = 0; k0 < n; k0 += a.cols()) {
      const int nc = std::min(a.cols(), n - k0);
      const int u = aimc_unroll(a, cc, nc, fx, ox);
      const int64_t rows_used = std::min<int64_t>(a.rows(), (u + fx - 1) * cc * fx);
      const int64_t cols_used = int64_t(u) * nc;
      ++plan.weight_loads;
      plan.aimc_unroll = plan.aimc_unroll ? std::min(plan.aimc_unroll, u) : u;
      const int rows = aimc_rows(sub, cu.name(), nc, budget, buffers);
      plan.l1_footprint =
          std::max(plan.l1_footprint, buffers * (in_bytes(sub, nc, 0, rows) + out_bytes(sub, nc, rows)));
      for (int r0 = 0; r0 < oy; r0 += rows) {
        const int h = std::min(rows, oy - r0);
        Tile t;
        t.out_rows = h;
        t.out_channels = nc;
        const bool input_resident = rows >= oy && k0 > 0;
        t.in_bytes = input_resident ? 0 : in_bytes(sub, nc, r0, h);
        if (r0 == 0) {
          t.weight_bytes = ceil_div(rows_used * cols_used * a.cell_bits(), 8);
          t.program_cycles = double(rows_used) * a.row_program_cycles();
        }
        // assumption: partial sums of earlier row blocks stay in the post-processing
        // accumulators; outputs leave once, after the last input-channel block
        t.out_bytes = c0 + cc >= cin ? out_bytes(sub, nc, h) : 0;
        t.in_transfers = (t.in_bytes > 0) + (t.weight_bytes > 0);
        t.out_transfers = t.out_bytes > 0;
        const double mvms = double(h) * ceil_div(ox, u);
        t.phases = {{"mvm", mvms * mvm + a.postproc_latency_cycles(), 0}};
        t.l1_read_bytes = in_bytes(sub, nc, r0, h);
        t.l1_write_bytes = t.out_bytes;
        plan.tiles.push_back(t);
      }
    }
  }
  return plan;
}

}  // namespace

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

JobPlan plan_host(const proto::ComputeUnit& cu, const Layer& g) {  // software on L2 data, no tiling
  JobPlan plan;
  plan.cu = cu.name();
  plan.op = g.op;
  plan.uses_dma = false;
  const int n = g.out.c;
  Tile t;
  t.phases = host_phases(cu.core(), g, n);
  t.out_rows = out_rows(g);
  t.out_channels = n;
  t.l1_read_bytes = in_bytes(g, n, 0, out_rows(g));  // counted at L2 rates by the simulator
  t.l1_write_bytes = out_bytes(g, n, out_rows(g));
  plan.tiles.push_back(t);
  return plan;
}

// How a CU blocks output channels: most per tile (weight memory), preferred multiple,
// whether weights share the L1 with activations.
struct Blocking {
  int block_max = 0;
  int align = 1;
  bool weights_in_l1 = true;
};

Blocking blocking_for(const proto::ComputeUnit& cu, const Layer& g) {
  Blocking b;
  b.block_max = g.out.c;
  if (cu.kind() == proto::DIGITAL_ARRAY) {
    b.weights_in_l1 = false;
    b.align = cu.digital().pe_rows();
    const int64_t wpc = weight_bytes_per_channel(g);
    if (wpc > 0) {
      const int64_t wmem = cu.digital().weight_memory_bytes();
      if (wpc > wmem)
        cannot_fit(g, cu.name(), wpc, wmem, "the weights of one output channel (weight memory)");
      b.block_max = int(std::min<int64_t>(g.out.c, wmem / wpc));
      if (b.block_max >= b.align) b.block_max = b.block_max / b.align * b.align;
    }
  }
  if (cu.kind() == proto::RISCV_CLUSTER) b.align = cu.cluster().matmul_out_channels();
  if (cu.kind() == proto::DWE) b.align = cu.dwe().channels_per_pass();
  return b;
}

// Tile of `nb` channels x `h` output rows from row `r0`; `input_resident`: the input is
// already in L1 (an earlier channel block of the same single row tile loaded it).
Tile make_tile(const proto::ComputeUnit& cu, const Layer& g, int nb, int r0, int h, bool first_row_tile,
               bool input_resident) {
  Tile t;
  t.out_rows = h;
  t.out_channels = nb;
  t.in_bytes = input_resident ? 0 : in_bytes(g, nb, r0, h);
  t.weight_bytes = first_row_tile ? weight_bytes_per_channel(g) * nb : 0;
  t.out_bytes = out_bytes(g, nb, h);
  t.in_transfers = (t.in_bytes > 0) + (t.weight_bytes > 0);
  t.out_transfers = 1;
  int64_t passes = 1;  // times the compute re-reads the input tile from L1
  if (cu.kind() == proto::DIGITAL_ARRAY) {
    t.phases = digital_phases(cu.digital(), g, r0, h, nb);
    passes = ceil_div(nb, cu.digital().pe_rows());
  }
  if (cu.kind() == proto::RISCV_CLUSTER) {
    t.phases = cluster_phases(cu.cluster(), g, r0, h, nb);
    passes = ceil_div(nb, cu.cluster().matmul_out_channels());
  }
  if (cu.kind() == proto::DWE) t.phases = dwe_phases(cu.dwe(), g, h, nb);
  t.l1_read_bytes = in_bytes(g, nb, r0, h) * passes;
  t.l1_write_bytes = t.out_bytes;
  return t;
}

}  // namespace

JobPlan plan_job(const SocDescription& soc, const proto::ComputeUnit& cu, const Layer& g, int64_t l1_budget) {
  if (cu.kind() == proto::RISCV_HOST) return plan_host(cu, g);
  if (cu.kind() == proto::AIMC) return plan_aimc(soc, cu, g, l1_budget);
  JobPlan plan;
  plan.cu = cu.name();
  plan.op = g.op;
  if (cu.kind() == proto::RISCV_CLUSTER) plan.fixed_cycles = cu.cluster().job_overhead_cycles();
  const int n = g.out.c;
  const int buffers = soc.soc.dma().double_buffering() ? 2 : 1;
  const Blocking b = blocking_for(cu, g);
  const Grid grid = choose_grid(g, cu.name(), n, b.block_max, b.align, l1_budget, buffers, b.weights_in_l1);
  const int rows_total = out_rows(g);
  const bool single_row_tile = grid.rows >= rows_total;
  // conv/linear read every input channel: with one row tile the input stays in L1 across channel blocks
  const bool reads_all_channels = g.op == Op::kConv2d || g.op == Op::kLinear;
  for (int c0 = 0; c0 < n; c0 += grid.block) {
    const int nb = std::min(grid.block, n - c0);
    ++plan.weight_loads;
    for (int r0 = 0; r0 < rows_total; r0 += grid.rows)
      plan.tiles.push_back(make_tile(cu, g, nb, r0, std::min(grid.rows, rows_total - r0), r0 == 0,
                                     single_row_tile && c0 > 0 && reads_all_channels));
  }
  plan.l1_footprint = buffers * (in_bytes(g, grid.block, 0, grid.rows) + out_bytes(g, grid.block, grid.rows) +
                                 (b.weights_in_l1 ? weight_bytes_per_channel(g) * grid.block : 0));
  return plan;
}

}  // namespace odimo
