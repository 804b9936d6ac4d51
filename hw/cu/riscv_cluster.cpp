#include "hw/cu/riscv_cluster.h"

#include <algorithm>
#include <cmath>

namespace odimo {

ODIMO_REGISTER_CU_KIND(RiscvCluster, proto::ComputeUnit::kCluster, "cluster")

void RiscvCluster::check(const FieldCheck& at, const std::string& path) const {
  const std::string p = path + ".cluster";
  const proto::ClusterParams& c = params();
  at.positive(p + ".cores", c.cores());
  at.positive(p + ".matmul_out_channels", c.matmul_out_channels());
  at.positive(p + ".matmul_pixels", c.matmul_pixels());
  at.non_negative(p + ".im2col_cycles_per_element", c.im2col_cycles_per_element());
  at.positive(p + ".matmul_step_cycles", c.matmul_step_cycles());
  at.non_negative(p + ".matmul_overhead_cycles", c.matmul_overhead_cycles());
  at.fraction(p + ".matmul_load_fraction", c.matmul_load_fraction());
  at.positive(p + ".dw_cycles_per_mac", c.dw_cycles_per_mac());
  at.positive(p + ".eltwise_cycles_per_element", c.eltwise_cycles_per_element());
  at.non_negative(p + ".job_overhead_cycles", c.job_overhead_cycles());
}

IntegerBehaviour RiscvCluster::integer_behaviour(const FieldCheck& at, const std::string& path) const {
  return digital_integer(at, path + ".cluster.mac_accumulator_bits", params().mac_accumulator_bits());
}

int RiscvCluster::channel_granularity() const {
  return std::max(1, params().matmul_out_channels());
}

std::vector<Phase> RiscvCluster::phases(const Layer& g, int h, int n) const {
  const proto::ClusterParams& c = params();
  const int64_t rows_per_core = ceil_div(h, c.cores());  // work split by output rows
  if (g.op == Op::kConv2d) {
    const int64_t k = int64_t(g.kernel) * g.kernel * (g.in.c / std::max(1, g.groups));
    const double pairs = double(rows_per_core) * ceil_div(out_cols(g), c.matmul_pixels());
    const double im2col = pairs * c.im2col_cycles_per_element() * c.matmul_pixels() * k;
    const double matmul = pairs * ceil_div(n, c.matmul_out_channels()) *
                          double(c.matmul_step_cycles() * ceil_div(k, 4) + c.matmul_overhead_cycles());
    return {{"im2col", im2col, im2col}, {"matmul", matmul, matmul * c.matmul_load_fraction()}};
  }
  if (g.op == Op::kLinear) {  // output features split across cores, matmul_out_channels at a time
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

JobPlan RiscvCluster::plan(const SocDescription& soc, const Layer& g, int64_t l1_budget) const {
  Blocking b;
  b.align = params().matmul_out_channels();
  JobPlan plan = plan_grid(soc, *this, g, l1_budget, b, [&](const Layer& sub, int nb, int, int h) {
    // the matmul re-reads the im2col buffer once per group of matmul_out_channels
    return TileWork{phases(sub, h, nb), ceil_div(nb, params().matmul_out_channels())};
  });
  plan.fixed_cycles = params().job_overhead_cycles();  // fork of the cores and the final barrier
  return plan;
}

cost::CuTerm RiscvCluster::odimo_cycles(const SocDescription&, const cost::Geometry& g, double n,
                                        cost::Flavour flavour) const {
  return cost::darkside_cluster(g, n, flavour);
}

}  // namespace odimo
