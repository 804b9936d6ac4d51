// Search space from the SoC files, the network cost, baselines and export.
#include <doctest/doctest.h>

#include "hw/mapping.h"
#include "mapper/cost/calibrated_model.h"
#include "mapper/search/export.h"
#include "mapper/search/network_cost.h"

using namespace odimo;
using namespace odimo::search;

TEST_CASE("DIANA: every conv and linear layer is searchable between digital and AIMC") {
  const SocDescription soc = load_soc("diana");
  const Network net = load_network("resnet20");
  const auto space = search_space(net, soc);
  int weighted = 0;
  for (const auto& l : net.layers) weighted += l.has_weights();
  CHECK(int(space.size()) == weighted);  // 19 convs + 2 projections + fc
  CHECK(space.size() == 22);
  for (const auto& s : space) {
    CHECK(s.relaxation == Relaxation::kChannelSoftmax);
    CHECK(s.cus == std::vector<int>{soc.cu_index("digital"), soc.cu_index("aimc")});
  }
  // Depthwise layers run only on the digital array: not searchable.
  for (const auto& s : search_space(load_network("mobilenetv1-0.25-cifar"), soc))
    CHECK(load_network("mobilenetv1-0.25-cifar").layers[s.layer].op != Op::kDepthwise);
}

TEST_CASE("Darkside: stride-1 depthwise layers split thermometrically, conv2d variant on the cluster") {
  const SocDescription soc = load_soc("darkside");
  const Network net = load_network("mobilenetv1-0.25-cifar");
  const auto space = search_space(net, soc);
  // The 9 stride-1 depthwise layers (blocks 1, 3, 5, 7-11, 13). ODiMO searches 8 blocks: it
  // leaves out block 1, whose block input (32) differs from its output (64); here the
  // searched unit is the depthwise layer itself (C -> C), which block 1 also has.
  CHECK(space.size() == 9);
  for (const auto& s : space) {
    const Layer& l = net.layers[s.layer];
    CHECK(l.op == Op::kDepthwise);
    CHECK(l.stride == 1);
    CHECK(s.relaxation == Relaxation::kThermometric);
    CHECK(s.cus == std::vector<int>{soc.cu_index("cluster"), soc.cu_index("dwe")});
    CHECK(s.variants == std::vector<std::string>{"conv2d", ""});
  }
}

TEST_CASE("network cost: counts, gradient sign, and the per-layer best split beats both ends") {
  const SocDescription soc = load_soc("diana");
  const Network net = load_network("resnet20");
  std::string origin;
  const cost::CalibratedModel model(soc, cost::load_calibration("", soc, &origin), origin);
  const NetworkCost cost(net, soc, model, search_space(net, soc), Target::kLatency);
  CHECK(cost.fixed() > 0);  // pooling on the host etc.
  CHECK(NetworkCost::counts({0, 1, 1, 0, 1}, 2) == std::vector<double>{2, 3});
  std::vector<double> g;
  const int C = cost.space()[3].channels;
  cost.layer(3, {double(C), 0.0}, 0.05, &g);
  CHECK(g[0] > 0);  // all on digital: more digital channels cost more
  const auto best = best_split_per_layer(cost, 16);
  const auto digital = all_on(cost.space(), soc, "digital"), aimc = all_on(cost.space(), soc, "aimc");
  double r_best = cost.fixed(), r_dig = cost.fixed(), r_aimc = cost.fixed();
  for (size_t s = 0; s < cost.space().size(); ++s) {
    r_best += cost.layer(s, NetworkCost::counts(best[s], 2), 0, nullptr);
    r_dig += cost.layer(s, NetworkCost::counts(digital[s], 2), 0, nullptr);
    r_aimc += cost.layer(s, NetworkCost::counts(aimc[s], 2), 0, nullptr);
  }
  CHECK(r_best <= r_dig);
  CHECK(r_best <= r_aimc);
}

TEST_CASE(
    "policy baselines: DIANA first/last/few-input-channel layers digital, Darkside first block on the "
    "cluster") {
  const SocDescription diana = load_soc("diana");
  const Network resnet = load_network("resnet20", Shape{1, 28, 28});
  const auto space = search_space(resnet, diana);
  const auto a = policy_assignment(space, resnet, diana);
  REQUIRE(a.size() == space.size());
  const int digital = 0, aimc = 1;  // option order: SoC order of the CUs
  for (size_t s = 0; s < space.size(); ++s) {
    const bool digital_layer = s == 0 || s + 1 == space.size() || resnet.layers[space[s].layer].in.c < 16;
    CHECK(a[s] == std::vector<int>(space[s].channels, digital_layer ? digital : aimc));
  }
  CHECK(a[0][0] == digital);      // conv1: 1 input channel, first layer
  CHECK(a.back()[0] == digital);  // fc
  CHECK(a[1][0] == aimc);         // 16 input channels: on the AIMC

  const SocDescription darkside = load_soc("darkside");
  const Network mbv1 = load_network("mobilenetv1-0.25-odimo", Shape{1, 28, 28});
  const auto dspace = search_space(mbv1, darkside);
  const auto d = policy_assignment(dspace, mbv1, darkside);
  CHECK(d[0] == std::vector<int>(dspace[0].channels, 0));  // cluster (conv variant)
  for (size_t s = 1; s < d.size(); ++s) CHECK(d[s] == std::vector<int>(dspace[s].channels, 1));  // DWE

  SocDescription none = load_soc("diana");
  none.soc.clear_policy();
  CHECK_THROWS_WITH_AS(policy_assignment(space, resnet, none), doctest::Contains("no deployment policy"),
                       Error);
}

TEST_CASE("export: channels per CU, permutation grouping each CU, resolvable by the simulator's rules") {
  const SocDescription soc = load_soc("diana");
  const Network net = load_network("tiny");
  const auto space = search_space(net, soc);
  REQUIRE(!space.empty());
  std::vector<std::vector<int>> a;
  for (const auto& s : space) {
    std::vector<int> v(s.channels);
    for (int c = 0; c < s.channels; ++c) v[c] = c % 2;  // interleaved: needs a permutation
    a.push_back(v);
  }
  const proto::Mapping m = export_mapping(net, soc, space, a);
  REQUIRE(m.layer_size() == int(space.size()));
  const auto& l0 = m.layer(0);
  CHECK(l0.split(0).cu() == "digital");
  CHECK(l0.split(1).cu() == "aimc");
  const int C = space[0].channels;
  REQUIRE(l0.permutation_size() == C);
  for (int i = 0; i < C / 2; ++i) CHECK(l0.permutation(i) == 2 * i);  // digital's channels first
  const ResolvedMapping r = resolve_mapping(net, soc, m, "export");
  CHECK(r.layers[space[0].layer].channels_on("digital") == (C + 1) / 2);
  CHECK(r.layers[space[0].layer].channels_on("aimc") == C / 2);
}
