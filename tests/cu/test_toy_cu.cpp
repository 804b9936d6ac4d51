// A CU kind added the way hw/README.md "Adding a kind of CU" says: its home
// (tests/cu/toy_mac.cpp), one message in proto/soc.proto (ToyMacParams) and a
// SoC file (tests/cu/toy.pbtxt). Nothing else in the tree knows it (the CTest
// cu/toy_kind_is_local checks that); here every part that asks a CU uses it.
// One TEST_CASE per process: the simulator allows one elaboration.
#include <doctest/doctest.h>

#include "hw/layer_plan.h"
#include "mapper/cost/calibrated_model.h"
#include "mapper/cost/cost_model.h"
#include "mapper/search/search_space.h"
#include "sim/network_run.h"
#include "sim/simulator.h"
#include "tests/sim/helpers.h"

using namespace odimo;

namespace {

const std::string kToySoc = ODIMO_TEST_DIR "/cu/toy.pbtxt";

// conv 8 -> 16, 3x3 on 8x8, then BN + ReLU (fused) and a global pool (host).
const char* kNet =
    "name: 'toynet' input { c: 8 h: 8 w: 8 } classes: 16\n"
    "layer { name: 'conv' op: 'conv2d' out_channels: 16 kernel: 3 padding: 1 }\n"
    "layer { name: 'bn' op: 'batchnorm' }\nlayer { name: 'relu' op: 'relu' }\n"
    "layer { name: 'pool' op: 'globalavgpool' }\n";

}  // namespace

TEST_CASE("a toy CU kind is planned, simulated, costed and searched through its home alone") {
  const SocDescription soc = load_soc(kToySoc);
  CHECK(std::string(soc.unit("mac").kind_name()) == "toy_mac");
  CHECK(soc.unit("host").is_host());
  const Network net = test::net_from_text(kNet);
  const Layer& conv = net.layers[0];

  // its tile plan: 16 x 8 x 8 outputs of 72 MACs at 4 MAC/cycle + 50 per job
  const LayerPlan lp = plan_layer(soc, conv, {{"mac", 16, 0, Op::kConv2d, ""}}, conv.name);
  REQUIRE(lp.plans.size() == 1);
  CHECK(lp.plans[0].compute_cycles() == doctest::Approx(16.0 * 64 * 72 / 4 + 50));

  // the simulator runs it (DMA in, compute, DMA out) and the host handles the pool
  sim::Simulator simulator(soc);
  const ResolvedMapping m = resolve_mapping(net, soc, "all:mac");
  CHECK(m.layers[3].note.find("fell back to host") != std::string::npos);
  const proto::Report r = sim::simulate_network(simulator, net, m, "test");
  REQUIRE(r.layers_size() == 4);
  CHECK(r.layers(0).cu(0).cu() == "mac");
  CHECK(r.layers(0).cu(0).busy_cycles() >= 16 * 64 * 72 / 4 + 50);
  CHECK(r.layers(0).fused_into().empty());
  CHECK(r.layers(1).fused_into() == "conv");  // the toy's `fuses` list is honoured
  CHECK(r.layers(0).energy_uj() > 0);

  // the cost models ask it: ODiMO has no formula for it (0), calibration features exist
  CHECK(cost::make_compat_model(soc)->cu_cycles(conv, 1, 16).cycles == 0);
  const cost::CuFeatures f = cost::cu_features(soc, conv, 1, 16, Op::kConv2d);
  CHECK(f.busy[0] == doctest::Approx(lp.plans[0].compute_cycles()));

  // the search offers them: the conv's channels may go to either toy unit (the host is no target)
  const std::vector<search::SearchableLayer> space = search::search_space(net, soc);
  REQUIRE(space.size() == 1);
  CHECK(space[0].cus == std::vector<int>{1, 2});
}

TEST_CASE("the toy kind's parameters are checked by its home") {
  proto::Soc bad;
  read_text_proto(kToySoc, &bad);
  bad.mutable_cu(1)->mutable_toy_mac()->set_macs_per_cycle(0);
  try {
    build_soc(bad, "toy.pbtxt");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) == "toy.pbtxt: field 'cu[1].toy_mac.macs_per_cycle': value 0 must be > 0");
  }
}
