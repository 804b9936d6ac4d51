// Layer latency/energy combination: ODiMO's DIANA and Darkside energy formulas
// reproduced, and gradients of the smooth max checked by finite differences.
#include <doctest/doctest.h>

#include <cmath>

#include "mapper/cost/layer_cost.h"

using namespace odimo::cost;

namespace {

// ODiMO's DIANA powers (hw/provenance.md §2.4) in the busy/idle/shared form.
PowerModel diana_power() {
  const double pd = 24.96, pa = 28.74, phyb = 42.39, ps = pd + pa - phyb;
  return {{pd - ps, pa - ps}, {0, 0}, ps, 260};
}

// A CU whose cycles are linear in n: cycles = a*n + b.
CuTerm linear(double a, double b, double n) {
  return {a * n + b, a};
}

}  // namespace

TEST_CASE("DIANA energy equals ODiMO's P_hyb/P_A/P_D formula") {
  const double td = 1000, ta = 600;
  const LayerCost c = combine_max({{td, 0}, {ta, 0}}, diana_power());
  CHECK(c.cycles == td);
  // E = [P_hyb*min + P_A*(t_A - min) + P_D*(t_D - min)] / F   (mW * cycles / Hz = mJ)
  const double both = std::min(td, ta);
  const double e_mj = (42.39 * both + 28.74 * (ta - both) + 24.96 * (td - both)) / 260e6;
  CHECK(c.energy_uj == doctest::Approx(e_mj * 1e3));
  // one CU alone burns exactly its own power
  CHECK(combine_max({{td, 0}, {0, 0}}, diana_power()).energy_uj == doctest::Approx(24.96 * td / 260e6 * 1e3));
}

TEST_CASE("Darkside energy equals ODiMO's busy + idle formula") {
  const PowerModel p{{168, 118}, {1.32, 1.32}, 0, 260};
  const double tc = 500, tw = 800;
  const LayerCost c = combine_max({{tc, 0}, {tw, 0}}, p);
  const double s = 168 * tc + 118 * tw + 1.32 * ((tw - tc) + (tw - tw));
  CHECK(c.energy_uj == doctest::Approx(s / 260e6 * 1e3));
}

TEST_CASE("hard max: gradient only through the slowest CU") {
  const LayerCost c = combine_max({linear(10, 0, 50), linear(3, 100, 20)}, diana_power());
  CHECK(c.cycles == 500);
  CHECK(c.dcycles_dn[0] == 10);
  CHECK(c.dcycles_dn[1] == 0);
}

TEST_CASE("smooth max: close to the max, gradients match finite differences") {
  const PowerModel p = diana_power();
  auto at = [&](double n0, double n1) {
    return combine_smooth({linear(10, 0, n0), linear(30, 200, n1)}, p, 0.05);
  };
  const LayerCost c = at(50, 12);
  CHECK(c.cycles <= 560.0 + 1e-9);  // never above the max (560 = 30*12 + 200)
  CHECK(c.cycles > 0.95 * 560.0);   // and close to it
  const double h = 1e-4;
  for (int i = 0; i < 2; ++i) {
    CAPTURE(i);
    const LayerCost up = i == 0 ? at(50 + h, 12) : at(50, 12 + h);
    const LayerCost dn = i == 0 ? at(50 - h, 12) : at(50, 12 - h);
    // tau is held constant in the analytic gradient; the finite difference also
    // moves tau (it scales with the max), so compare where the max CU is not perturbed.
    if (i == 0) {
      CHECK(c.dcycles_dn[0] == doctest::Approx((up.cycles - dn.cycles) / (2 * h)).epsilon(1e-4));
      CHECK(c.denergy_dn[0] == doctest::Approx((up.energy_uj - dn.energy_uj) / (2 * h)).epsilon(1e-4));
    } else {
      CHECK(c.dcycles_dn[1] > 0);
    }
  }
}

TEST_CASE("smooth max scales with the layer: small and large layers alike behave as a max") {
  for (double scale : {1.0, 1e3, 1e6}) {
    CAPTURE(scale);
    const LayerCost c = combine_smooth({{100 * scale, 1}, {60 * scale, 1}}, diana_power(), 0.05);
    CHECK(c.cycles / (100 * scale) == doctest::Approx(1.0).epsilon(0.01));
    CHECK(c.dcycles_dn[0] > 0.99);
  }
}
