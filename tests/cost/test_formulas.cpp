// ODiMO's per-CU formulas on hand-computed vectors (odimo-method.md §6), and
// their stated surrogate gradients (formulas.h).
#include <doctest/doctest.h>

#include "hw/cu/odimo_formulas.h"

using namespace odimo;
using namespace odimo::cost;

namespace {

// ResNet-20 stack-1 conv: 16 -> 16 channels, 3x3, 32x32 output.
Geometry conv16() {
  Geometry g;
  g.c_in = 16;
  g.c_out = 16;
  g.k = 3;
  g.ox = 32;
  g.oy = 32;
  return g;
}

}  // namespace

TEST_CASE("DIANA digital: compute blocks plus activation load/store") {
  const Geometry g = conv16();
  // ceil(16/16) * 16 * ceil(32/16) * 32 * 9 = 9216; 32*32*(16+16)/8 = 4096
  CHECK(diana_digital(g, 16).cycles == doctest::Approx(13312));
  // n = 8 still fills one 16-channel block: 9216 + 32*32*(8+16)/8
  CHECK(diana_digital(g, 8).cycles == doctest::Approx(12288));
  // n = 17 needs a second block
  CHECK(diana_digital(g, 17).cycles == doctest::Approx(2 * 9216 + 32 * 32 * 33 / 8.0));
  CHECK(diana_digital(g, 0).cycles == 0);
  // Depthwise (groups = C): one channel at a time on 16 of the 256 PEs; the whole
  // layer costs what ODiMO charges, C_in * ceil(Ox/16) * Oy * K * K.
  Geometry dw = g;
  dw.groups = 16;
  CHECK(diana_digital(dw, 16).cycles == doctest::Approx(9216 + 4096));
  CHECK(diana_digital(dw, 4).cycles == doctest::Approx(4 * 2 * 32 * 9 + 32 * 32 * 20 / 8.0));
}

TEST_CASE("DIANA digital: surrogate gradient, compat vs smooth") {
  const Geometry g = conv16();
  // compat: d ceil/dn = 1 -> 9216 per channel + the load/store slope 32*32/8
  CHECK(diana_digital(g, 8, Flavour::kCompat).dcycles_dn == doctest::Approx(9216 + 128));
  // smooth: slope of the staircase averaged over a block, 9216/16
  CHECK(diana_digital(g, 8, Flavour::kSmooth).dcycles_dn == doctest::Approx(9216 / 16.0 + 128));
  // gate ramp on (0,1): the fixed part of load/store switches on
  CHECK(diana_digital(g, 0.5, Flavour::kSmooth).dcycles_dn ==
        doctest::Approx(9216 / 16.0 + 32 * 32 * 16.5 / 8.0));
}

TEST_CASE("DIANA AIMC: unroll under the array limits, programming + MVMs") {
  const Geometry g = conv16();
  // (u+2) * max(64,16) * 3 <= 1152 -> u <= 4
  CHECK(aimc_unroll(g, 16, {}) == 4);
  // 8*16*9 = 1152 programming + ceil(16/512)*ceil(16/128)*32*32/4*18.2
  CHECK(diana_aimc(g, 16).cycles == doctest::Approx(1152 + 256 * 18.2));
  // u*n <= 512 limits the unroll of a wide layer
  CHECK(aimc_unroll(g, 200, {}) == 2);
  // C_in = 256, 3x3: (u+2)*256*3 <= 1152 fails for every u -> u = 1
  Geometry big = g;
  big.c_in = 256;
  CHECK(aimc_unroll(big, 16, {}) == 1);
  CHECK(diana_aimc(big, 16).cycles == doctest::Approx(8 * 256 * 9 + 2 * 1024 * 18.2));
  CHECK(diana_aimc(g, 0).cycles == 0);
  // A 2304-row array lets the same layer unroll further: (u+2)*256*3 <= 2304 -> u = 1 still (u+2 <= 3)
  AimcShape tall;
  tall.rows = 2304;
  CHECK(aimc_unroll(big, 16, tall) == 1);
  CHECK(aimc_unroll(g, 16, tall) == 8);
}

TEST_CASE("DIANA AIMC: surrogate gradient") {
  const Geometry g = conv16();
  const double per_load = 1024 * 18.2;
  // smooth: ceil(n/512) slope 1/512, u held fixed
  CHECK(diana_aimc(g, 16, {}, Flavour::kSmooth).dcycles_dn == doctest::Approx(per_load / 4 / 512));
  // compat: identity through ceil, and d/du passed to n as the original does
  CHECK(diana_aimc(g, 16, {}, Flavour::kCompat).dcycles_dn == doctest::Approx(per_load / 4 - per_load / 16));
}

TEST_CASE("Darkside cluster and DWE") {
  const Geometry g = conv16();
  // ceil(32/2)*ceil(32/8) = 64 tiles; im2col 2*9*16 = 288; ceil(16/4)*(14*ceil(144/4)+15) = 4*519
  CHECK(darkside_cluster(g, 16).cycles == doctest::Approx(64 * (288 + 4 * 519)));
  // The original charges the im2col even with no channels (quirk kept in compat).
  CHECK(darkside_cluster(g, 0).cycles == doctest::Approx(64 * 288));
  CHECK(darkside_cluster(g, 5).dcycles_dn == doctest::Approx(64 * 519));
  CHECK(darkside_cluster(g, 5, Flavour::kSmooth).dcycles_dn == doctest::Approx(64 * 519 / 4.0));
  // ceil(16/16) * ((9 + 9*32) + 4*32*32)
  CHECK(darkside_dwe(g, 16).cycles == doctest::Approx(297 + 4096));
  CHECK(darkside_dwe(g, 17).cycles == doctest::Approx(2 * (297 + 4096)));
  CHECK(darkside_dwe(g, 0).cycles == 0);
}

TEST_CASE("Darkside cluster: depthwise and linear use PLiNIO's GAP8 kernels") {
  Geometry dw = conv16();
  dw.op = Op::kDepthwise;
  dw.groups = 16;
  CHECK(darkside_cluster(dw, 6).cycles == doctest::Approx(2 * 4 * 32 * 32 * 9));  // 4*ceil(6/4)*Ox*Oy*K*K
  Geometry fc;
  fc.op = Op::kLinear;
  fc.c_in = 64;
  fc.c_out = 10;
  CHECK(darkside_cluster(fc, 10).cycles == doctest::Approx(32 * 3));  // ceil(64/2)*ceil(10/4)
}

TEST_CASE("Geometry of a linear layer is a 1x1 conv on a 1x1 map") {
  proto::Network pn;
  pn.mutable_input()->set_c(64);
  pn.mutable_input()->set_h(2);
  pn.mutable_input()->set_w(2);
  auto* l = pn.add_layer();
  l->set_name("fc");
  l->set_op("linear");
  l->set_out_channels(10);
  const Geometry g = Geometry::of(build_network(pn, "t").layers[0]);
  CHECK(g.c_in == 256);
  CHECK(g.c_out == 10);
  CHECK(g.k == 1);
  CHECK(g.ox == 1);
  CHECK(g.oy == 1);
}
