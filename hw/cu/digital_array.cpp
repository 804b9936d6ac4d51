#include "hw/cu/digital_array.h"

#include <algorithm>
#include <cmath>

namespace odimo {

ODIMO_REGISTER_CU_KIND(DigitalArray, proto::ComputeUnit::kDigital, "digital")

void DigitalArray::check(const FieldCheck& at, const std::string& path) const {
  const std::string p = path + ".digital";
  const proto::DigitalArrayParams& d = params();
  at.positive(p + ".pe_rows", d.pe_rows());
  at.positive(p + ".pe_cols", d.pe_cols());
  at.positive(p + ".weight_memory_bytes", d.weight_memory_bytes());
  at.non_negative(p + ".block_overhead_cycles", d.block_overhead_cycles());
  at.non_negative(p + ".row_overhead_cycles", d.row_overhead_cycles());
  at.positive(p + ".eltwise_lanes", d.eltwise_lanes());
}

IntegerBehaviour DigitalArray::integer_behaviour(const FieldCheck& at, const std::string& path) const {
  return digital_integer(at, path + ".digital.mac_accumulator_bits", params().mac_accumulator_bits());
}

int DigitalArray::channel_granularity() const {
  return std::max(1, params().pe_rows());
}

std::vector<Phase> DigitalArray::phases(const Layer& g, int r0, int h, int n) const {
  const proto::DigitalArrayParams& d = params();
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

JobPlan DigitalArray::plan(const SocDescription& soc, const Layer& g, int64_t l1_budget) const {
  Blocking b;
  b.weights_in_l1 = false;  // the private weight memory holds them
  b.align = params().pe_rows();
  if (const int64_t wpc = weight_bytes_per_channel(g); wpc > 0) {
    const int64_t wmem = params().weight_memory_bytes();
    if (wpc > wmem) cannot_fit(g, name(), wpc, wmem, "the weights of one output channel (weight memory)");
    b.block_max = int(std::min<int64_t>(g.out.c, wmem / wpc));
    if (b.block_max >= b.align) b.block_max = b.block_max / b.align * b.align;
  }
  return plan_grid(soc, *this, g, l1_budget, b, [&](const Layer& sub, int nb, int r0, int h) {
    // the array re-reads the input tile once per block of pe_rows channels
    return TileWork{phases(sub, r0, h, nb), ceil_div(nb, params().pe_rows())};
  });
}

cost::CuTerm DigitalArray::odimo_cycles(const SocDescription&, const cost::Geometry& g, double n,
                                        cost::Flavour flavour) const {
  return cost::diana_digital(g, n, flavour);
}

}  // namespace odimo
