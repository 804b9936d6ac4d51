// What the search's validation measures (mapper/search/mapping_validation.h): the hard
// mapping with batch-norm statistics re-estimated for it, the same number whatever the running
// statistics were, the model left as found; and the refinement measuring each layer's move on
// top of the moves already taken.
#include <doctest/doctest.h>

#include <algorithm>
#include <numeric>
#include <random>

#include "mapper/cost/calibrated_model.h"
#include "mapper/nn/layers.h"
#include "mapper/search/mapping_validation.h"
#include "mapper/search/refine.h"
#include "mapper/search/search_run.h"

using namespace odimo;
using namespace odimo::search;

namespace {

struct TinySearchModel {
  SocDescription soc = load_soc("diana");
  Network net = load_network("tiny");
  std::vector<SearchableLayer> space = search_space(net, soc);
  std::vector<LayerArch*> archs;
  std::unique_ptr<mapper::Model> model = make_search_model(net, soc, space, 7, 1, false, &archs);
  mapper::DataSplits data = mapper::load_dataset("synthetic", 0.2, 7, net.input, net.layers.back().out.c);
  mapper::StatisticsImages statistics;

  TinySearchModel() {
    // Images for the re-estimation: the first 64 training images.
    statistics.n = 64;
    statistics.per_image = data.train.input().elements();
    statistics.x.resize(size_t(statistics.n * statistics.per_image));
    std::vector<int> idx(64), y(64);
    std::iota(idx.begin(), idx.end(), 0);
    std::mt19937_64 rng(1);
    mapper::fill_batch(data.train, idx.data(), 64, data.mean, data.stddev, {}, rng, 1, 0, statistics.x.data(),
                       y.data());
    // Logits that make the soft mix differ from the hard assignment: random per channel.
    std::mt19937_64 g(3);
    std::normal_distribution<float> nd(0.0f, 1.0f);
    for (LayerArch* a : archs)
      for (float& v : a->alpha().value) v = nd(g);
  }
  mapper::Evaluation validate() {
    return validate_mapping(*model, archs, data.validation, data.mean, data.stddev, statistics, 16);
  }
  std::vector<std::vector<float>> buffers() {
    std::vector<std::vector<float>> v;
    for (const mapper::Buffer* b : model->buffers()) v.push_back(b->value);
    return v;
  }
};

}  // namespace

TEST_CASE("validate_mapping: the hard mapping, re-estimated statistics, whatever the running ones were") {
  TinySearchModel t;
  REQUIRE(!t.archs.empty());
  std::vector<std::vector<float>> alpha;
  for (LayerArch* a : t.archs) alpha.push_back(a->alpha().value);
  const mapper::Evaluation first = t.validate();
  CHECK(first.images == t.data.validation.size());
  const mapper::Evaluation again = t.validate();
  CHECK(again.loss == first.loss);  // bit for bit
  CHECK(again.accuracy == first.accuracy);
  // Running statistics far from anything the network computes: not used.
  for (const auto& node : t.model->nodes())
    if (auto* bn = dynamic_cast<mapper::BatchNormNode*>(node.get())) {
      for (float& m : bn->running_mean.value) m += 5.0f;
      for (float& v : bn->running_var.value) v *= 10.0f;
    }
  const auto stale = t.buffers();
  const mapper::Evaluation after_stale = t.validate();
  CHECK(after_stale.loss == first.loss);
  CHECK(after_stale.accuracy == first.accuracy);
  SUBCASE("the model is left as it was found") {
    CHECK(t.buffers() == stale);
    for (size_t s = 0; s < t.archs.size(); ++s) {
      CHECK(!t.archs[s]->frozen());
      CHECK(t.archs[s]->alpha().value == alpha[s]);
    }
  }
  SUBCASE("it is the hard assignment: equal to freezing, re-estimating and evaluating by hand") {
    for (LayerArch* a : t.archs) a->freeze();
    mapper::reestimate_batch_norm(*t.model, t.statistics, 16);
    const mapper::Evaluation by_hand =
        mapper::evaluate(*t.model, t.data.validation, t.data.mean, t.data.stddev, 16);
    CHECK(by_hand.loss == first.loss);
    CHECK(by_hand.accuracy == first.accuracy);
    SUBCASE("every layer frozen: the model's own running statistics, as deployed") {
      for (const auto& node : t.model->nodes())
        if (auto* bn = dynamic_cast<mapper::BatchNormNode*>(node.get()))
          for (float& m : bn->running_mean.value) m += 5.0f;
      const mapper::Evaluation own =
          mapper::evaluate(*t.model, t.data.validation, t.data.mean, t.data.stddev, 16);
      const mapper::Evaluation v = t.validate();
      CHECK(v.loss == own.loss);
      CHECK(v.loss != first.loss);
    }
  }
}

TEST_CASE("reestimate_batch_norm: the mean over batches of each batch's statistics") {
  TinySearchModel t;
  for (LayerArch* a : t.archs) a->freeze();
  // One batch of 64, then four of 16: the first batch norm's means agree (equal batch sizes
  // average to the mean of all 64 images; its input does not depend on the batch). Later
  // layers see inputs normalised with each batch's own statistics, and variances are
  // within-batch, so only the first layer's means are compared.
  mapper::reestimate_batch_norm(*t.model, t.statistics, 64);
  std::vector<std::vector<float>> whole;
  for (const auto& node : t.model->nodes())
    if (auto* bn = dynamic_cast<mapper::BatchNormNode*>(node.get())) whole.push_back(bn->running_mean.value);
  REQUIRE(!whole.empty());
  mapper::reestimate_batch_norm(*t.model, t.statistics, 16);
  size_t i = 0;
  for (const auto& node : t.model->nodes())
    if (auto* bn = dynamic_cast<mapper::BatchNormNode*>(node.get())) {
      if (i == 0)
        for (size_t c = 0; c < whole[i].size(); ++c)
          CHECK(bn->running_mean.value[c] == doctest::Approx(whole[i][c]).epsilon(1e-5));
      CHECK(bn->running_mean.value != whole[i]);  // but it was re-estimated on other batches
      CHECK(bn->momentum == mapper::BatchNormNode::kTrainingMomentum);  // put back for training
      ++i;
    }
}

TEST_CASE("refine_mapping: each move measured on top of the moves taken before it") {
  const SocDescription soc = load_soc("diana");
  std::string origin;
  const cost::CalibratedModel model(soc, cost::load_calibration("", soc, &origin), origin);
  const Network net = load_network("resnet8");
  const NetworkCost cost(net, soc, model, search_space(net, soc), Target::kLatency);
  std::vector<std::unique_ptr<LayerArch>> owned;
  std::vector<LayerArch*> archs;
  for (const SearchableLayer& s : cost.space()) {
    owned.push_back(std::make_unique<LayerArch>(s, s.layer_name, false));
    archs.push_back(owned.back().get());
  }
  const auto corner = all_on(cost.space(), soc, "aimc");
  for (size_t s = 0; s < archs.size(); ++s) archs[s]->force(corner[s]);
  // The probe: 0.001 of loss per layer that left the corner (what is forced when it runs).
  auto probe = [&] {
    int moved = 0;
    for (size_t s = 0; s < archs.size(); ++s) moved += archs[s]->assignment() != corner[s];
    return Measurement{0.001 * moved, 0.9 - 0.01 * moved};
  };
  const Refinement r = refine_mapping(cost, archs, 1e6, probe);  // every saving outweighs 0.001
  int taken = 0;
  for (size_t s = 0; s < archs.size(); ++s) {
    const SplitChoice& c = r.layers[s];
    if (c.proposed == c.learned) continue;
    ++taken;
    CHECK(c.refined == c.proposed);
    CHECK(c.measured_change == doctest::Approx(0.001));  // against the previous move, not the corner
    CHECK(c.measured_accuracy_change == doctest::Approx(-0.01));
    CHECK(archs[s]->assignment() == r.assignments[s]);  // a taken split stays forced
  }
  CHECK(taken >= 2);
}
