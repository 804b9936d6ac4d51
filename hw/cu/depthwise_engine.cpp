#include "hw/cu/depthwise_engine.h"

#include <algorithm>

namespace odimo {

ODIMO_REGISTER_CU_KIND(DepthwiseEngine, proto::ComputeUnit::kDwe, "dwe")

void DepthwiseEngine::check(const FieldCheck& at, const std::string& path) const {
  const std::string p = path + ".dwe";
  const proto::DweParams& d = params();
  at.positive(p + ".channels_per_pass", d.channels_per_pass());
  at.positive(p + ".cycles_per_pixel", d.cycles_per_pixel());
  if (d.kernels_size() == 0) at.fail(p + ".kernels", "[]", "must list the supported kernel sides");
  for (int i = 0; i < d.kernels_size(); ++i)
    at.positive(p + ".kernels[" + std::to_string(i) + "]", d.kernels(i));
  at.non_negative(p + ".fill_cycles_per_tap", d.fill_cycles_per_tap());
  at.non_negative(p + ".fill_cycles_per_tap_column", d.fill_cycles_per_tap_column());
  at.non_negative(p + ".tcdm_ports", d.tcdm_ports());
  at.fraction(p + ".load_fraction", d.load_fraction());
}

IntegerBehaviour DepthwiseEngine::integer_behaviour(const FieldCheck& at, const std::string& path) const {
  return digital_integer(at, path + ".dwe.mac_accumulator_bits", params().mac_accumulator_bits());
}

std::string DepthwiseEngine::cannot_run(const Layer& layer, Op) const {
  const auto& k = params().kernels();
  if (std::find(k.begin(), k.end(), layer.kernel) == k.end())
    return name() + " cannot run a " + std::to_string(layer.kernel) + "x" + std::to_string(layer.kernel) +
           " kernel";
  return "";
}

int DepthwiseEngine::channel_granularity() const {
  return std::max(1, params().channels_per_pass());
}

JobPlan DepthwiseEngine::plan(const SocDescription& soc, const Layer& g, int64_t l1_budget) const {
  const proto::DweParams& d = params();
  Blocking b;
  b.align = d.channels_per_pass();
  return plan_grid(soc, *this, g, l1_budget, b, [&](const Layer&, int nb, int, int h) {
    const double passes = double(ceil_div(nb, d.channels_per_pass()));
    const double taps = double(g.kernel) * g.kernel;
    const double fill =
        passes * (taps * d.fill_cycles_per_tap() + taps * d.fill_cycles_per_tap_column() * out_cols(g));
    const double stream = passes * d.cycles_per_pixel() * double(h) * out_cols(g);
    return TileWork{{{"fill", fill, fill}, {"stream", stream, stream * d.load_fraction()}}, 1};
  });
}

cost::CuTerm DepthwiseEngine::odimo_cycles(const SocDescription&, const cost::Geometry& g, double n,
                                           cost::Flavour flavour) const {
  return cost::darkside_dwe(g, n, flavour);
}

}  // namespace odimo
