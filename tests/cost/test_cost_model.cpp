// The odimo-compat cost model bound to the shipped SoC files.
#include <doctest/doctest.h>

#include "hw/mapping.h"
#include "mapper/cost/cost_model.h"

using namespace odimo;
using namespace odimo::cost;

TEST_CASE("compat model picks ODiMO's formula by CU kind and reads the AIMC shape from the SoC file") {
  const SocDescription soc = load_soc("diana");
  const Network net = load_network("resnet20");
  const Layer& conv = net.layers[net.find("s1b1_conv1")];
  const auto model = make_compat_model(soc);
  const int dig = soc.cu_index("digital"), ana = soc.cu_index("aimc"), host = soc.cu_index("host");
  const Geometry g = Geometry::of(conv);
  CHECK(model->cu_cycles(conv, dig, 16).cycles == doctest::Approx(diana_digital(g, 16).cycles));
  CHECK(model->cu_cycles(conv, ana, 16).cycles == doctest::Approx(diana_aimc(g, 16).cycles));
  CHECK(model->cu_cycles(conv, host, 16).cycles == 0);  // ODiMO does not model the host

  // A split: latency is the slower CU, energy the DIANA formula.
  std::vector<double> n(model->cu_count(), 0.0);
  n[dig] = 8;
  n[ana] = 8;
  const LayerCost c = model->layer_cost(conv, n);
  const double td = diana_digital(g, 8).cycles, ta = diana_aimc(g, 8).cycles;
  CHECK(c.cycles == doctest::Approx(std::max(td, ta)));
  const double both = std::min(td, ta);
  CHECK(c.energy_uj ==
        doctest::Approx((42.39 * both + 28.74 * (ta - both) + 24.96 * (td - both)) / 260.0 * 1e-3)
            .epsilon(1e-3));

  // The 2304-row variant unrolls a 256-channel 3x3 layer where DIANA cannot.
  const SocDescription tall = load_soc("diana-aimc2304");
  const Layer& deep = net.layers[net.find("s3b2_conv1")];  // 64 -> 64, 3x3, 8x8
  const auto tall_model = make_compat_model(tall);
  CHECK(tall_model->cu_cycles(deep, tall.cu_index("aimc"), 64).cycles <
        model->cu_cycles(deep, ana, 64).cycles);
}
