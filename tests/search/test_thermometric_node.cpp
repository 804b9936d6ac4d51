// ThermometricNode's conv-branch threshold (search_nodes.h, mapper/search/README.md "The conv
// branch's threshold"): the node with channels left out of the conv branch against the same
// node computing it in full, on float weights (no quantizer), while the architecture learns,
// with it frozen, and in a forward-only pass.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <random>
#include <sstream>

#include "mapper/cost/calibrated_model.h"
#include "mapper/nn/layers.h"
#include "mapper/ops/ops_misc.h"
#include "mapper/search/search_nodes.h"
#include "mapper/search/search_run.h"
#include "proto/proto_io.h"

using namespace odimo;
using namespace odimo::search;

namespace {

constexpr int kC = 8, kN = 2, kH = 5;

std::vector<float> random_floats(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = u(rng);
  return v;
}

// A 3x3 thermometric layer of kC channels (padding 1) with seeded float weights, bias and
// the first `k` channels on the conv branch; `frozen`: the mapping fixed (fine-tune).
struct Layer3x3 {
  mapper::Activation x;
  std::unique_ptr<ThermometricNode> node;
  LayerArch* arch = nullptr;

  Layer3x3(int k, double threshold, bool frozen) {
    x.resize({kN, kH, kH, kC});
    x.value = random_floats(x.value.size(), 1);
    mapper::Parameter wc("l.conv.weight", {kC, 9 * kC}), wd("l.weight", {kC, 9});
    wc.value = random_floats(wc.value.size(), 2);
    wd.value = random_floats(wd.value.size(), 3);
    auto conv = std::make_unique<mapper::ConvNode>("l.conv", false, kC, 3, 1, 1, 1,
                                                   mapper::make_float_weights(std::move(wc)), nullptr);
    auto dw = std::make_unique<mapper::ConvNode>("l.dw", true, kC, 3, 1, 1, kC,
                                                 mapper::make_float_weights(std::move(wd)), nullptr);
    auto bias = std::make_unique<mapper::Parameter>("l.bias", std::vector<int>{kC});
    bias->value = random_floats(kC, 4);
    SearchableLayer s;
    s.layer_name = "l";
    s.relaxation = Relaxation::kThermometric;
    s.cus = {0, 1};
    s.channels = kC;
    auto a = std::make_unique<LayerArch>(s, "l", false);
    arch = a.get();
    std::vector<int> assignment(kC, 1);
    for (int c = 0; c < k; ++c) assignment[c] = 0;
    arch->force(assignment);
    if (frozen) arch->freeze();
    Layer l;
    l.name = "l";
    node =
        std::make_unique<ThermometricNode>(l, std::move(conv), std::move(dw), std::move(a), std::move(bias));
    node->set_conv_branch_threshold(threshold);
    node->inputs = {&x};
    node->need_grad = {true};
    node->accumulate = {false};
  }

  // One forward (and, when `training`, a backward of a seeded dL/dy) from zeroed gradients.
  void run(bool training) {
    mapper::Scratch<float> scratch;
    mapper::Scratch<double> sums;
    mapper::RunContext ctx{1, training, &scratch, &sums};
    std::vector<mapper::Parameter*> params;
    node->parameters(params);
    for (auto* p : params) std::fill(p->grad.begin(), p->grad.end(), 0.0f);
    node->forward(ctx);
    if (!training) return;
    node->out.grad = random_floats(node->out.value.size(), 5);
    node->backward(ctx);
  }
  std::vector<mapper::Parameter*> parameters() {
    std::vector<mapper::Parameter*> p;
    node->parameters(p);
    return p;  // conv weight, dw weight, bias, alpha
  }
};

// |a - b| <= 1e-5 (1 + |b|) elementwise: float rounding of a conv with 72-term sums.
void check_close(const char* what, const std::vector<float>& a, const std::vector<float>& b) {
  REQUIRE(a.size() == b.size());
  int off = 0;
  for (size_t e = 0; e < a.size(); ++e) off += std::fabs(a[e] - b[e]) > 1e-5f * (1 + std::fabs(b[e]));
  CHECK_MESSAGE(off == 0, what << ": " << off << " of " << a.size() << " values differ");
}

// The conv weight gradient of channel c (memory (ky, kx, cin, cout)) is all zero.
bool conv_grad_zero(const mapper::Parameter& w, int c) {
  for (int64_t kk = 0; kk < 9 * kC; ++kk)
    if (w.grad[size_t(kk * kC + c)] != 0.0f) return false;
  return true;
}

}  // namespace

TEST_CASE(
    "thermometric node: threshold 0 and a threshold nothing falls below are the full conv, bit for bit") {
  for (bool frozen : {false, true}) {
    Layer3x3 full(kC, 0.0, frozen), kept(kC, 1.0, frozen), zero(3, 0.0, frozen);
    full.run(true), kept.run(true), zero.run(true);
    CHECK(full.node->out.value == kept.node->out.value);  // m_c = 1 >= 1: never skipped
    CHECK(full.x.grad == kept.x.grad);
    for (size_t i = 0; i < full.parameters().size(); ++i)
      CHECK(full.parameters()[i]->grad == kept.parameters()[i]->grad);
    // Threshold 0 computes the conv branch of channels on the DWE too: its gradient there is 0.
    for (int c = 3; c < kC; ++c) CHECK(conv_grad_zero(*zero.parameters()[0], c));
  }
}

TEST_CASE("thermometric node: channels below the threshold skip the conv branch, same values and gradients") {
  for (double threshold : {1e-3, 0.5, 1.0}) {
    for (bool frozen : {false, true}) {
      CAPTURE(threshold);
      CAPTURE(frozen);
      Layer3x3 full(3, 0.0, frozen), skip(3, threshold, frozen);
      full.run(true), skip.run(true);
      check_close("output", skip.node->out.value, full.node->out.value);
      check_close("input gradient", skip.x.grad, full.x.grad);
      const auto pf = full.parameters(), ps = skip.parameters();
      check_close("conv weight gradient", ps[0]->grad, pf[0]->grad);
      CHECK(ps[1]->grad == pf[1]->grad);  // the depthwise branch is untouched
      check_close("bias gradient", ps[2]->grad, pf[2]->grad);
      // The mask's straight-through gradient: the skipped channels' conv outputs were computed
      // while the architecture learns; frozen, it gets none.
      check_close("alpha gradient", ps[3]->grad, pf[3]->grad);
      for (int c = 0; c < 3; ++c) CHECK_FALSE(conv_grad_zero(*ps[0], c));
      for (int c = 3; c < kC; ++c) CHECK(conv_grad_zero(*ps[0], c));  // did not contribute
    }
  }
}

TEST_CASE("thermometric node: in the warmup (no architecture step) channels skip the conv forward too") {
  Layer3x3 full(3, 0.0, false), skip(3, 1e-3, false);
  skip.arch->set_learning(false);
  full.run(true), skip.run(true);
  check_close("output", skip.node->out.value, full.node->out.value);
  check_close("input gradient", skip.x.grad, full.x.grad);
  check_close("conv weight gradient", skip.parameters()[0]->grad, full.parameters()[0]->grad);
  for (int c = 3; c < kC; ++c) CHECK(conv_grad_zero(*skip.parameters()[0], c));
}

TEST_CASE("thermometric node: a forward-only pass with channels skipped gives the full output") {
  for (int k : {0, 3, kC}) {
    CAPTURE(k);
    Layer3x3 full(k, 0.0, false), skip(k, 1e-3, false);
    full.run(false), skip.run(false);
    check_close("output", skip.node->out.value, full.node->out.value);
  }
}

TEST_CASE(
    "search model (Darkside): one training step's gradients with the default threshold are threshold 0's") {
  const SocDescription soc = load_soc("darkside");
  const Network net = load_network("mobilenetv1-0.25-cifar", Shape{3, 8, 8});
  const auto space = search_space(net, soc);
  const int n = 4;
  std::vector<float> x = random_floats(size_t(n) * net.input.elements(), 6);
  const std::vector<int> y = {0, 1, 2, 3};
  std::vector<std::vector<float>> grads[2];
  for (int run : {0, 1}) {
    std::vector<LayerArch*> archs;
    auto model = make_search_model(net, soc, space, 7, 1, false, &archs);
    set_conv_branch_threshold(*model, space, run == 0 ? 0.0 : 1e-3);
    mapper::Tape tape;
    const auto& logits = model->forward(x.data(), n, true, &tape);
    int right = 0;
    mapper::softmax_cross_entropy(n, model->classes(), logits.value.data(), y.data(), model->logits_grad(),
                                  &right);
    model->zero_grad();
    model->backward(tape);
    for (mapper::Parameter* p : model->parameters()) grads[run].push_back(p->grad);
  }
  REQUIRE(grads[0].size() == grads[1].size());
  for (size_t i = 0; i < grads[0].size(); ++i) {
    CAPTURE(i);
    float worst = 0, scale = 0;
    for (size_t e = 0; e < grads[0][i].size(); ++e) {
      worst = std::max(worst, std::fabs(grads[0][i][e] - grads[1][i][e]));
      scale = std::max(scale, std::fabs(grads[0][i][e]));
    }
    CHECK(worst <= 1e-4f * (1 + scale));
  }
}

TEST_CASE("Darkside search with the default threshold: stopped after any epoch and resumed, the same bytes") {
  const SocDescription soc = load_soc("darkside");
  std::string origin;
  const cost::CalibratedModel model(soc, cost::load_calibration("", soc, &origin), origin);
  const auto compat = cost::make_compat_model(soc);
  const std::string root =
      std::filesystem::temp_directory_path() / ("odimo-thermometric-resume-" + std::to_string(::getpid()));
  SearchConfig cfg;
  cfg.net = "mobilenetv1-0.25-cifar";
  cfg.input = Shape{3, 8, 8};
  cfg.dataset = "synthetic";
  cfg.lambda = 1;
  cfg.warmup_epochs = 1, cfg.search_epochs = 1, cfg.finetune_epochs = 1;
  cfg.batch = 16, cfg.steps_per_epoch = 3, cfg.threads = 1;
  cfg.progress = false;
  REQUIRE(cfg.conv_branch_threshold > 0);  // the default skips
  cfg.out_dir = root + "/whole";
  std::ostringstream log;
  const std::string whole = to_json(run_search(cfg, soc, model, *compat, log));
  const std::string weights = read_file(cfg.out_dir + "/weights.pb");
  for (int stop : {1, 2}) {  // after the warmup; after the search and its refinement
    CAPTURE(stop);
    cfg.out_dir = root + "/stopped-" + std::to_string(stop);
    cfg.stop_after_epochs = stop, cfg.resume = false;
    CHECK(run_search(cfg, soc, model, *compat, log).epochs_size() == 0);
    cfg.stop_after_epochs = 0, cfg.resume = true;
    CHECK(to_json(run_search(cfg, soc, model, *compat, log)) == whole);
    CHECK(read_file(cfg.out_dir + "/weights.pb") == weights);
  }
  std::filesystem::remove_all(root);
}
