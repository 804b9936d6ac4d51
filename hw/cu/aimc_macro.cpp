#include "hw/cu/aimc_macro.h"

#include <algorithm>

#include "hw/cu/analog_nonideality.h"
#include "hw/soc_description.h"

namespace odimo {

ODIMO_REGISTER_CU_KIND(AimcMacro, proto::ComputeUnit::kAimc, "aimc")

void AimcMacro::check(const FieldCheck& at, const std::string& path) const {
  const std::string p = path + ".aimc";
  const proto::AimcParams& a = params();
  at.positive(p + ".rows", a.rows());
  at.positive(p + ".cols", a.cols());
  at.positive(p + ".mvm_ns", a.mvm_ns());
  at.non_negative(p + ".row_program_cycles", a.row_program_cycles());
  if (a.unroll_size() == 0) at.fail(p + ".unroll", "[]", "must list at least the factor 1");
  for (int i = 0; i < a.unroll_size(); ++i)
    at.positive(p + ".unroll[" + std::to_string(i) + "]", a.unroll(i));
  at.non_negative(p + ".min_channel_rows", a.min_channel_rows());
  at.non_negative(p + ".postproc_cycles_per_mvm", a.postproc_cycles_per_mvm());
  at.non_negative(p + ".postproc_latency_cycles", a.postproc_latency_cycles());
  at.positive(p + ".cell_bits", a.cell_bits());
  at.within(p + ".column_gain_sigma", a.column_gain_sigma(), 0.0, 0.5);
  at.within(p + ".column_offset_sigma_lsb", a.column_offset_sigma_lsb(), 0.0, kMaxNoiseLsb);
}

// DIANA's AIMC (hw/provenance.md, ISSCC 2022 15.6: I/W/O 7/1.5/6): unsigned `input_bits`
// rows, ternary cells, one ADC conversion per column and row tile of `rows` inputs.
IntegerBehaviour AimcMacro::integer_behaviour(const FieldCheck& at, const std::string& path) const {
  const proto::AimcParams& a = params();
  const std::string p = path + ".aimc";
  const std::string need = "must be given (> 0) to run the integer pipeline (odimo deploy)";
  if (a.adc_bits() <= 0) at.fail(p + ".adc_bits", std::to_string(a.adc_bits()), need);
  if (a.input_bits() <= 0) at.fail(p + ".input_bits", std::to_string(a.input_bits()), need);
  at.within(p + ".adc_bits", a.adc_bits(), 2, 16);
  at.within(p + ".input_bits", a.input_bits(), 1, 16);
  IntegerBehaviour b = digital_integer(at, p + ".mac_accumulator_bits", a.mac_accumulator_bits());
  b.weight_bits = 2;  // ternary {-1, 0, 1}
  b.input_bits = a.input_bits();
  b.adc_bits = a.adc_bits();
  b.tile_rows = a.rows();
  b.columns = a.cols();
  b.column_gain_sigma = a.column_gain_sigma();
  b.column_offset_sigma_lsb = a.column_offset_sigma_lsb();
  return b;
}

// The format block's codes, behind one ADC per column (ISSCC 2022 15.6: 6-bit outputs).
NumberFormat AimcMacro::number_format() const {
  NumberFormat f = CuModel::number_format();
  f.adc = true;
  f.adc_bits = params().adc_bits();
  return f;
}

std::string AimcMacro::cannot_run(const Layer& layer, Op op) const {
  if (op == Op::kConv2d && layer.groups != 1)
    return name() + " cannot run grouped convolutions (groups " + std::to_string(layer.groups) + ")";
  return "";
}

int AimcMacro::unroll(int64_t cc, int nc, int fx, int ox) const {
  const proto::AimcParams& a = params();
  int u = 1;
  for (int f : a.unroll())
    if (int64_t(f) * nc <= a.cols() &&
        (f + fx - 1) * std::max<int64_t>(a.min_channel_rows(), cc) * fx <= a.rows() && f <= std::max(1, ox))
      u = std::max(u, f);
  return u;
}

namespace {

// Rows of output that fit `budget` for a load with `nc` columns (sub: the load's input channels).
int rows_per_tile(const Layer& sub, const std::string& cu, int nc, int64_t budget, int buffers) {
  auto footprint = [&](int rows) {
    return buffers * (max_in_bytes(sub, nc, rows) + out_bytes(sub, nc, rows));
  };
  int rows = out_rows(sub);
  while (rows > 1 && footprint(rows) > budget) rows = std::max(1, rows / 2);
  if (footprint(rows) > budget) cannot_fit(sub, cu, footprint(rows), budget, "a tile of one output row");
  while (rows < out_rows(sub) && footprint(rows + 1) <= budget) ++rows;
  return rows;
}

}  // namespace

JobPlan AimcMacro::plan(const SocDescription& soc, const Layer& g, int64_t budget) const {
  const proto::AimcParams& a = params();
  JobPlan plan;
  plan.cu = name();
  plan.op = g.op;
  const bool lin = g.op == Op::kLinear;
  const int fx = lin ? 1 : g.kernel;
  const int64_t cin = lin ? g.in.elements() : g.in.c;
  const int n = g.out.c, ox = out_cols(g), oy = out_rows(g);
  const int64_t chunk_max = a.rows() / (int64_t(fx) * fx);
  if (chunk_max < 1)
    cannot_fit(g, name(), int64_t(fx) * fx, a.rows(), "one input channel's kernel taps (AIMC rows)");
  const double mvm = std::max(a.mvm_ns() * soc.cycles_per_ns(), double(a.postproc_cycles_per_mvm()));
  const int buffers = soc.soc.dma().double_buffering() ? 2 : 1;
  for (int64_t c0 = 0; c0 < cin; c0 += chunk_max) {
    const int64_t cc = std::min(chunk_max, cin - c0);
    Layer sub = g;
    sub.in = lin ? Shape{int(cc), 1, 1} : Shape{int(cc), g.in.h, g.in.w};
    for (int k0 = 0; k0 < n; k0 += a.cols()) {
      const int nc = std::min(a.cols(), n - k0);
      const int u = unroll(cc, nc, fx, ox);
      const int64_t rows_used = std::min<int64_t>(a.rows(), (u + fx - 1) * cc * fx);
      const int64_t cols_used = int64_t(u) * nc;
      ++plan.weight_loads;
      plan.output_unroll = plan.output_unroll ? std::min(plan.output_unroll, u) : u;
      const int rows = rows_per_tile(sub, name(), nc, budget, buffers);
      plan.l1_footprint =
          std::max(plan.l1_footprint, buffers * (max_in_bytes(sub, nc, rows) + out_bytes(sub, nc, rows)));
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

cost::CuTerm AimcMacro::odimo_cycles(const SocDescription& soc, const cost::Geometry& g, double n,
                                     cost::Flavour flavour) const {
  cost::AimcShape shape;  // ODiMO's constants, with the array and MVM of this SoC file
  shape.rows = params().rows();
  shape.cols = params().cols();
  shape.min_channel_rows = params().min_channel_rows();
  shape.cycles_per_mvm = params().mvm_ns() * soc.cycles_per_ns();
  shape.row_program_cycles = params().row_program_cycles();
  return cost::diana_aimc(g, n, shape, flavour);
}

}  // namespace odimo
