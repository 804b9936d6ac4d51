// The split refinement after the search (mapper/search/refine.h): a hand-computed layer, the
// calibrated floor reached from the corner the relaxation stops at, the learned ranking kept,
// Darkside's contiguous split, the switch statistics, determinism.
#include <doctest/doctest.h>

#include <algorithm>
#include <memory>

#include "mapper/cost/calibrated_model.h"
#include "mapper/search/refine.h"

using namespace odimo;
using namespace odimo::search;

namespace {

// A layer of 4 channels, option 0 with a fixed cost: t0(k) = k > 0 ? 3 + k : 0,
// t1(k) = 2 (4 - k), R = max: R(0..4) = 8, 6, 5, 6, 7. The floor is k = 2.
double toy_cost(int k) {
  return std::max(k > 0 ? 3.0 + k : 0.0, 2.0 * (4 - k));
}

const std::vector<int> kOrder = {2, 0, 3, 1};  // preference for option 0, highest first

struct Calibrated {
  SocDescription soc;
  std::unique_ptr<cost::CalibratedModel> model;
  Network net;
  std::unique_ptr<NetworkCost> cost;
  std::vector<std::unique_ptr<LayerArch>> owned;
  std::vector<LayerArch*> archs;

  Calibrated(const std::string& soc_name, const std::string& net_name, Target target)
      : soc(load_soc(soc_name)), net(load_network(net_name)) {
    std::string origin;
    model = std::make_unique<cost::CalibratedModel>(soc, cost::load_calibration("", soc, &origin), origin);
    cost = std::make_unique<NetworkCost>(net, soc, *model, search_space(net, soc), target);
    for (const SearchableLayer& s : cost->space()) {
      owned.push_back(std::make_unique<LayerArch>(s, s.layer_name, false));
      archs.push_back(owned.back().get());
    }
  }
  double total(const std::vector<std::vector<int>>& a) const {
    double r = cost->fixed();
    for (size_t s = 0; s < a.size(); ++s) r += cost->layer(s, NetworkCost::counts(a[s], 2), 0, nullptr);
    return r;
  }
};

}  // namespace

TEST_CASE("refine_split: a hand-computed layer") {
  const std::vector<double> free(4, 0.0);
  SUBCASE("no estimated loss: the floor, with the preferred channels") {
    const SplitChoice c = refine_split(kOrder, 0, free, toy_cost, 1.0);
    CHECK(c.learned == 0);
    CHECK(c.refined == 2);
    CHECK(c.cost_change == -3.0);
    CHECK(split_assignment(kOrder, c.refined) == std::vector<int>{0, 1, 0, 1});  // channels 2 and 0
  }
  SUBCASE("lambda = 0 leaves the learned split") {
    CHECK(refine_split(kOrder, 0, free, toy_cost, 0.0).refined == 0);
  }
  SUBCASE("a small lambda keeps a channel the loss prefers where it is") {
    // J(1) = -2 + 0.5 = -1.5, J(2) = -3 + 2.5 = -0.5, J(3) = -2 + 2.5: k = 1
    const std::vector<double> loss = {2.0, 0.0, 0.5, 0.0};  // per channel: 0 is the costly one to move
    const SplitChoice c = refine_split(kOrder, 0, loss, toy_cost, 1.0);
    CHECK(c.refined == 1);
    CHECK(c.loss_change == 0.5);
    CHECK(refine_split(kOrder, 0, loss, toy_cost, 10.0).refined == 2);  // a larger lambda: the floor
  }
  SUBCASE("an estimated gain counts as zero; the cost never rises") {
    const std::vector<double> gain(4, -10.0);
    CHECK(refine_split(kOrder, 0, gain, toy_cost, 1.0).refined == 2);  // not k = 4 (R 7 < 8 too)
    CHECK(refine_split(kOrder, 2, gain, toy_cost, 1.0).refined == 2);  // at the floor: stays
    CHECK(refine_split(kOrder, 4, free, toy_cost, 1.0).refined == 2);  // from the other corner
  }
  SUBCASE("ties: the split closest to the learned one") {
    auto flat = [](int k) { return k == 0 ? 8.0 : 5.0; };
    CHECK(refine_split(kOrder, 0, free, flat, 1.0).refined == 1);
  }
  CHECK_THROWS(refine_split(kOrder, 5, free, toy_cost, 1.0));
}

TEST_CASE("refine_mapping: from DIANA's all-AIMC corner to the calibrated floor (greedy), both targets") {
  for (Target target : {Target::kLatency, Target::kEnergy}) {
    CAPTURE(target_name(target));
    Calibrated c("diana", "resnet8", target);
    const auto corner = all_on(c.cost->space(), c.soc, "aimc");
    for (size_t s = 0; s < c.archs.size(); ++s) c.archs[s]->force(corner[s]);
    const auto greedy = best_split_per_layer(*c.cost, 1);
    const Refinement r = refine_mapping(*c.cost, c.archs, 1e6);  // a huge lambda: cost alone
    CHECK(r.assignments == greedy);  // alpha ties: channels in index order, as greedy's prefix
    CHECK(c.total(r.assignments) == doctest::Approx(c.total(greedy)).epsilon(1e-12));
    CHECK(c.total(r.assignments) < c.total(corner));
    CHECK(refine_mapping(*c.cost, c.archs, 0.0).assignments == corner);  // lambda = 0
    const Refinement again = refine_mapping(*c.cost, c.archs, 1e6);
    CHECK(again.assignments == r.assignments);  // deterministic
  }
}

TEST_CASE("refine_mapping: the channels that move are the ones the search ranked highest") {
  Calibrated c("diana", "resnet8", Target::kLatency);
  const auto greedy = best_split_per_layer(*c.cost, 1);
  size_t s = 0;  // a layer greedy splits
  while (s < greedy.size() && std::count(greedy[s].begin(), greedy[s].end(), 0) % greedy[s].size() == 0) ++s;
  REQUIRE(s < greedy.size());
  const int C = c.archs[s]->channels();
  const int k = int(std::count(greedy[s].begin(), greedy[s].end(), 0));
  for (size_t t = 0; t < c.archs.size(); ++t) c.archs[t]->force(std::vector<int>(c.archs[t]->channels(), 1));
  // Every channel of layer s on AIMC (option 1), preferring digital by a margin (7c mod C) / C.
  std::vector<float>& alpha = c.archs[s]->alpha().value;
  for (int ch = 0; ch < C; ++ch) alpha[size_t(ch)] = float(((7 * ch) % C) + 1) / float(C) - 2.0f;
  for (int ch = 0; ch < C; ++ch) alpha[size_t(C + ch)] = 0.0f;
  const Refinement r = refine_mapping(*c.cost, c.archs, 1e6);
  CHECK(r.layers[s].learned == 0);
  CHECK(r.layers[s].refined == k);
  for (int ch = 0; ch < C; ++ch) {
    CAPTURE(ch);
    CHECK((r.assignments[s][size_t(ch)] == 0) == (((7 * ch) % C) + 1 > C - k));  // the top k margins
  }
}

TEST_CASE("refine_mapping on Darkside: the split stays a contiguous prefix and reaches the floor") {
  Calibrated c("darkside", "mobilenetv1-0.25-odimo", Target::kLatency);
  const auto greedy = best_split_per_layer(*c.cost, 1);
  // learned: half on the cluster ('half' init), as a thermometric mask
  for (LayerArch* a : c.archs) {
    std::vector<int> half(size_t(a->channels()), 1);
    std::fill(half.begin(), half.begin() + a->channels() / 2, 0);
    a->force(half);
  }
  const Refinement r = refine_mapping(*c.cost, c.archs, 1e6);
  CHECK(r.assignments == greedy);
  for (const auto& a : r.assignments) CHECK(std::is_sorted(a.begin(), a.end()));  // 0...0 1...1
}

TEST_CASE("switch statistics: the mean training-loss slope per option, without the cost gradient") {
  SearchableLayer l;
  l.cus = {1, 2};
  l.variants = {"", ""};
  l.channels = 2;
  LayerArch a(l, "l", false);
  a.set_temperature(1.0);
  a.mix();
  CHECK(a.mean_mix_gradient() == std::vector<double>(4, 0.0));
  a.backward_mix({1.0f, 2.0f, 3.0f, -4.0f});  // [option][channel]
  a.backward_mix({3.0f, 2.0f, 1.0f, 0.0f});
  a.add_cost_gradient({100.0, -100.0}, 1.0);  // not in the statistics
  CHECK(a.mean_mix_gradient() == std::vector<double>{2.0, 2.0, 2.0, -2.0});
  a.force({0, 1});  // channel 0 on option 0, channel 1 on option 1
  // leaving: channel 0 to option 1: 2 - 2 = 0; channel 1 to option 0: 2 - (-2) = 4
  CHECK(switch_losses(a) == std::vector<double>{0.0, 4.0});
  a.reset_switch_statistics();
  CHECK(a.mean_mix_gradient() == std::vector<double>(4, 0.0));
}

TEST_CASE("refine_mapping with a probe: a proposal whose measured loss outweighs its saving is refused") {
  Calibrated c("diana", "resnet8", Target::kLatency);
  const auto corner = all_on(c.cost->space(), c.soc, "aimc");
  for (size_t s = 0; s < c.archs.size(); ++s) c.archs[s]->force(corner[s]);
  const Refinement free = refine_mapping(*c.cost, c.archs, 1.0);  // first order alone
  size_t s = 0;                                                   // a layer the refinement splits
  while (s < free.layers.size() && free.layers[s].refined == free.layers[s].learned) ++s;
  REQUIRE(s < free.layers.size());
  const double saving = -free.layers[s].cost_change;
  REQUIRE(saving > 0);
  // The probe: a loss of 1 whenever layer s has a channel on digital (option 0).
  int calls = 0;
  auto probe = [&] {
    ++calls;
    const auto a = c.archs[s]->assignment();
    return Measurement{std::count(a.begin(), a.end(), 0) > 0 ? 1.0 : 0.0, 0.5};
  };
  const std::vector<float> alpha_before = c.archs[s]->alpha().value;
  SUBCASE("weight * saving = 0.5 < 1: refused, the other layers taken") {
    const Refinement r = refine_mapping(*c.cost, c.archs, 0.5 / saving, probe);
    CHECK(r.layers[s].proposed == free.layers[s].proposed);
    CHECK(r.layers[s].measured_change == 1.0);
    CHECK(r.layers[s].refined == r.layers[s].learned);
    CHECK(r.assignments[s] == corner[s]);
    CHECK(c.archs[s]->alpha().value == alpha_before);  // put back after the measurement
    for (size_t t = 0; t < c.archs.size(); ++t)
      if (t != s && free.layers[t].proposed != free.layers[t].learned)
        CHECK(r.layers[t].refined == r.layers[t].proposed);  // measured 0: taken
  }
  SUBCASE("weight * saving = 2 > 1: taken") {
    const Refinement r = refine_mapping(*c.cost, c.archs, 2.0 / saving, probe);
    CHECK(r.layers[s].refined == r.layers[s].proposed);
    CHECK(r.assignments[s] == free.assignments[s]);
  }
  CHECK(calls > 1);  // once as learned, once per proposal
}
