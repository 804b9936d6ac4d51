// Tile plans: compute formulas against hand-computed values (ODiMO/MATCH forms),
// tiling under L1 and weight-memory limits, AIMC weight loads.
#include <doctest/doctest.h>

#include "hw/mapping.h"
#include "hw/tiling.h"
#include "tests/sim/helpers.h"

using namespace odimo;
using odimo::test::error_of;
using odimo::test::one_conv;

namespace {

JobPlan plan(const SocDescription& soc, const std::string& cu, const Layer& l, int64_t budget = -1) {
  if (budget < 0) budget = soc.l1_of(soc.cu(cu))->size_bytes();
  return soc.unit(cu).plan(soc, l, budget);
}

int64_t sum_in(const JobPlan& p) {
  int64_t b = 0;
  for (const auto& t : p.tiles) b += t.in_bytes;
  return b;
}
int64_t sum_out(const JobPlan& p) {
  int64_t b = 0;
  for (const auto& t : p.tiles) b += t.out_bytes;
  return b;
}

}  // namespace

TEST_CASE("digital array: MATCH-style cycles with border rows") {
  // 16->16 3x3 pad 1 on 16x16: one 16x16 block per row; C*fy*FX + 2*C*fy + 23 cycles,
  // fy = 3 inside, 2 on the two border rows: 14*263 + 2*183.
  Network net = one_conv(16, 16, 16, 16, 3);
  JobPlan p = plan(load_soc("diana"), "digital", net.layers[0]);
  CHECK(p.tiles.size() == 1);
  CHECK(p.compute_cycles() == doctest::Approx(14 * 263 + 2 * 183));
  CHECK(p.tiles[0].in_bytes == 16 * 16 * 16);
  CHECK(p.tiles[0].weight_bytes == 16 * (16 * 9 + 4));
  // 17 output channels need a second 16-channel block: almost twice the cycles
  Network net17 = one_conv(16, 16, 16, 17, 3);
  CHECK(plan(load_soc("diana"), "digital", net17.layers[0]).compute_cycles() ==
        doctest::Approx(2 * (14 * 263 + 2 * 183)));
}

TEST_CASE("cluster and DWE reduce to ODiMO's Darkside formulas on square maps") {
  SocDescription ds = load_soc("darkside");
  Network conv = one_conv(16, 16, 16, 16, 3);
  // ODiMO: ceil(16/2)*ceil(16/8)*(2*9*16 + ceil(16/4)*(14*ceil(144/4)+15)) = 37824, + 100 fork/barrier
  CHECK(plan(ds, "cluster", conv.layers[0]).compute_cycles() == doctest::Approx(37824 + 100));
  Network dw = one_conv(32, 16, 16, 32, 3, 1, 1, "depthwise");
  // ODiMO: ceil(32/16) * ((9 + 9*16) + 4*16*16) = 2354
  CHECK(plan(ds, "dwe", dw.layers[0]).compute_cycles() == doctest::Approx(2354));
}

TEST_CASE("a layer larger than L1 is tiled by output rows and moves the right bytes") {
  // input 64x64x64 = 256 KiB (all of DIANA's L1) + output 16x64x64: cannot be one tile
  Network net = one_conv(64, 64, 64, 16, 3);
  const Layer& l = net.layers[0];
  SocDescription d = load_soc("diana");
  JobPlan p = plan(d, "digital", l);
  CHECK(p.tiles.size() == 2);
  CHECK(p.l1_footprint <= d.memory("l1").size_bytes());
  CHECK(sum_out(p) == l.out_bytes);
  // tiles 0..48 and 49..63: input rows 0..49 and 48..63, i.e. the 2-row halo is read twice
  CHECK(sum_in(p) == l.in_bytes + 2 * 64 * 64);
  int rows = 0;
  for (const auto& t : p.tiles) rows += t.out_rows;
  CHECK(rows == 64);
  // the same layer untiled costs the same compute: tiling only adds transfers
  JobPlan whole = plan(d, "digital", l, int64_t(1) << 30);
  CHECK(whole.tiles.size() == 1);
  CHECK(whole.compute_cycles() == doctest::Approx(p.compute_cycles()));
}

TEST_CASE("digital weight memory limits the channel block") {
  // 256 x 3x3 weights + bias = 2308 B per channel: 28 channels fit 64 KiB, rounded to 16
  Network net = one_conv(256, 8, 8, 64, 3);
  JobPlan p = plan(load_soc("diana"), "digital", net.layers[0]);
  CHECK(p.weight_loads == 4);
  CHECK(p.tiles.size() == 4);
  CHECK(p.tiles[0].out_channels == 16);
  // input fetched once (it stays in L1), weights once per block
  CHECK(sum_in(p) == net.layers[0].in_bytes);
}

TEST_CASE("AIMC: a layer over 1152 rows needs more than one weight load") {
  Network net = one_conv(256, 8, 8, 64, 3);  // 256*9 = 2304 rows
  JobPlan p = plan(load_soc("diana"), "aimc", net.layers[0]);
  CHECK(p.weight_loads == 2);
  JobPlan wide = plan(load_soc("diana-aimc2304"), "aimc", net.layers[0]);
  CHECK(wide.weight_loads == 1);
  CHECK(wide.compute_cycles() < p.compute_cycles());
  Network small = one_conv(128, 8, 8, 64, 3);  // 1152 rows: exactly one load
  CHECK(plan(load_soc("diana"), "aimc", small.layers[0]).weight_loads == 1);
  Network many = one_conv(64, 8, 8, 1024, 1);  // 1024 columns > 512
  CHECK(plan(load_soc("diana"), "aimc", many.layers[0]).weight_loads == 2);
}

TEST_CASE("AIMC unrolling follows the ODiMO feasibility rule and edge MVMs count whole") {
  SocDescription d = load_soc("diana");
  // C=16, 3x3: (u+2)*64*3 <= 1152 -> u <= 4; 64 cols * 4 <= 512
  Network net = one_conv(16, 16, 16, 64, 3);
  JobPlan p = plan(d, "aimc", net.layers[0]);
  CHECK(p.output_unroll == 4);
  const double mvm = 70 * 0.26;
  // 16 rows * ceil(16/4) MVMs + pipeline fill (24); programming (4+2)*16*3 rows * 8 cycles
  CHECK(p.compute_cycles() == doctest::Approx(16 * 4 * mvm + 24 + 6 * 16 * 3 * 8));
  // an output width of 10 with u = 4 still needs 3 MVMs per row (edge effect)
  Network odd = one_conv(16, 10, 10, 64, 3);
  CHECK(plan(d, "aimc", odd.layers[0]).tiles[0].phases[0].cycles == doctest::Approx(10 * 3 * mvm + 24));
}

TEST_CASE("a tile that cannot fit any memory is an error naming the layer and sizes") {
  // 5x5 depthwise: one output row of one channel reads 5 input rows of 60000 bytes
  Network dw = one_conv(16, 8, 60000, 16, 5, 1, 2, "depthwise");
  CHECK(error_of([&] { plan(load_soc("diana"), "digital", dw.layers[0]); }) ==
        "layer 'conv' on digital: a tile of one output row and one channel needs 360000 bytes, but only "
        "262144 bytes are available: the tile cannot fit any memory");
  // a conv could tile its input channels, but not on a CU without an accumulator width
  Network net = one_conv(1024, 4, 512, 16, 3);  // one output row needs 2 input rows of 512 KiB
  const SocDescription no_acc = odimo::test::soc_with("diana", "");
  proto::Soc edited = no_acc.soc;
  edited.mutable_cu(1)->mutable_format()->set_accumulator_bits(0);
  const std::string e = error_of([&] { plan(build_soc(edited, "d.pbtxt"), "digital", net.layers[0]); });
  CHECK(e.find("layer 'conv' on digital: a tile of one output row and one channel (tiling input channels "
               "needs format.accumulator_bits) needs") != std::string::npos);
}

TEST_CASE("input channels are tiled when one output row of one channel does not fit, partial sums in L1") {
  // A 3x3 conv with 512 input channels at 64x64 on Darkside: 3 input rows x 64 x 512 B
  // per output row, double-buffered, exceed the 128 KiB TCDM
  const SocDescription k = load_soc("darkside");
  Network net = one_conv(512, 64, 64, 512, 3);
  const Layer& l = net.layers[0];
  const JobPlan p = plan(k, "cluster", l);
  REQUIRE(p.input_tiles > 1);
  CHECK(p.l1_footprint <= 131072);
  CHECK(sum_out(p) == l.out_bytes);  // the output leaves once, after the last input chunk
  int psum_phases = 0;
  for (const Tile& t : p.tiles)
    for (const Phase& ph : t.phases) psum_phases += ph.name == "partial sums";
  CHECK(psum_phases == int(p.tiles.size()));  // every chunk reads or writes partial sums
  // every output tile reads each input channel once: the whole input per row tile and block
  CHECK(sum_in(p) >= l.in_bytes);
  // the same layer on DIANA's digital array fits without tiling input channels
  CHECK(plan(load_soc("diana"), "digital", l).input_tiles == 1);
}

TEST_CASE("the host works in L2 without DMA") {
  Network net = one_conv(16, 8, 8, 16, 3);
  JobPlan p = plan(load_soc("diana"), "host", net.layers[0], 0);
  CHECK_FALSE(p.uses_dma);
  CHECK(p.compute_cycles() == doctest::Approx(3.0 * net.layers[0].macs));
}
