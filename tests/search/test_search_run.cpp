// The search end to end on the synthetic set (no simulator): the architecture
// gradient through the model, the cost falling as lambda grows, stop and resume.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <sstream>

#include "mapper/cost/calibrated_model.h"
#include "mapper/nn/model.h"
#include "mapper/ops/ops_misc.h"
#include "mapper/search/quantization.h"
#include "mapper/search/search_nodes.h"
#include "mapper/search/search_run.h"
#include "mapper/train/initial_weights.h"
#include "proto/error.h"
#include "proto/proto_io.h"

using namespace odimo;
using namespace odimo::search;

namespace {

// Cross-entropy of `model` on a fixed batch.
double loss_on(mapper::Model& m, const std::vector<float>& x, const std::vector<int>& y, int n) {
  mapper::Tape tape;
  const auto& logits = m.forward(x.data(), n, true, &tape);
  int right = 0;
  return mapper::softmax_cross_entropy(n, m.classes(), logits.value.data(), y.data(), m.logits_grad(),
                                       &right);
}

// A short search on the synthetic set, quiet, one thread.
SearchConfig short_search(const std::string& net, double lambda, int batch, int steps) {
  SearchConfig cfg;
  cfg.net = net;
  cfg.dataset = "synthetic";
  cfg.lambda = lambda;
  cfg.warmup_epochs = 1;
  cfg.search_epochs = 1;
  cfg.finetune_epochs = 1;
  cfg.batch = batch;
  cfg.steps_per_epoch = steps;
  cfg.threads = 1;
  cfg.progress = false;
  return cfg;
}

}  // namespace

TEST_CASE("channel mix: the architecture gradient through the model matches finite differences") {
  const SocDescription soc = load_soc("diana");
  const Network net = load_network("tiny");
  const auto space = search_space(net, soc);
  std::vector<LayerArch*> archs;
  mapper::ModelOptions mo;
  mo.quant = {};  // float: smooth in alpha apart from the quantizers' rounding
  mo.node_factory = search_node_factory(soc, space, false, &archs);
  mapper::Model model(net, mo);
  REQUIRE(archs.size() == space.size());
  const int n = 4;
  std::vector<float> x(size_t(n) * net.input.elements());
  for (size_t i = 0; i < x.size(); ++i) x[i] = float(std::sin(0.37 * double(i)));
  const std::vector<int> y = {0, 1, 2, 3};
  mapper::Tape tape;
  const auto& logits = model.forward(x.data(), n, true, &tape);
  int right = 0;
  mapper::softmax_cross_entropy(n, model.classes(), logits.value.data(), y.data(), model.logits_grad(),
                                &right);
  model.zero_grad();
  model.backward(tape);
  mapper::Parameter& alpha = archs[0]->alpha();
  for (int e : {0, 3, 9}) {
    CAPTURE(e);
    const float analytic = alpha.grad[e];
    const float keep = alpha.value[e];
    const float h = 5e-3f;
    alpha.value[e] = keep + h;
    const double up = loss_on(model, x, y, n);
    alpha.value[e] = keep - h;
    const double dn = loss_on(model, x, y, n);
    alpha.value[e] = keep;
    // The ternary branch rounds; a small step in alpha only re-weights the fixed
    // quantized tensors, so the loss stays smooth in alpha. The loss is float: a
    // 10 % band (plus 1e-5 absolute) keeps float noise out and any formula error in.
    CHECK(analytic == doctest::Approx((up - dn) / (2 * h)).epsilon(0.1).scale(1e-4));
  }
}

TEST_CASE("thermometric node: with the mask all ones it computes the standard conv branch") {
  const SocDescription soc = load_soc("darkside");
  const Network net = load_network("mobilenetv1-0.25-cifar", Shape{3, 8, 8});
  const auto space = search_space(net, soc);
  std::vector<LayerArch*> archs;
  mapper::ModelOptions mo;
  mo.node_factory = search_node_factory(soc, space, false, &archs);
  mapper::Model model(net, mo);
  archs[0]->force(std::vector<int>(space[0].channels, 0));
  const auto mix = archs[0]->mix();
  for (int c = 0; c < space[0].channels; ++c) {
    CHECK(mix[c] == 1.0f);
    CHECK(mix[space[0].channels + c] == 0.0f);
  }
  CHECK(archs[0]->expected_channels() == std::vector<double>{double(space[0].channels), 0.0});
}

TEST_CASE("search on the synthetic set: the mapping's cost falls as lambda grows") {
  const SocDescription soc = load_soc("diana");
  std::string origin;
  const cost::CalibratedModel model(soc, cost::load_calibration("", soc, &origin), origin);
  const auto compat = cost::make_compat_model(soc);
  std::vector<double> cost, expected;
  for (double lambda : {0.0, 1.0, 10.0}) {
    SearchConfig cfg = short_search("tiny", lambda, 32, 10);
    cfg.search_epochs = 2;
    std::ostringstream log;
    const proto::SearchReport r = run_search(cfg, soc, model, *compat, log);
    cost.push_back(double(r.analytic().cycles()));
    expected.push_back(r.epochs(cfg.warmup_epochs + cfg.search_epochs - 1).expected_cost());
    CHECK(r.test_accuracy() > 0.5);  // it still learns (4 classes)
  }
  CHECK(cost[1] <= cost[0]);
  CHECK(cost[2] <= cost[1]);
  CHECK(expected[2] < expected[0]);  // the relaxed cost moved, strictly
}

TEST_CASE("the split refinement: an epoch of phase refine that never raises the cost; --no-refine: none") {
  const SocDescription soc = load_soc("diana");
  std::string origin;
  const cost::CalibratedModel model(soc, cost::load_calibration("", soc, &origin), origin);
  const auto compat = cost::make_compat_model(soc);
  for (bool refine : {true, false}) {
    CAPTURE(refine);
    SearchConfig cfg = short_search("tiny", 10.0, 32, 10);
    cfg.refine = refine;
    std::ostringstream log;
    const proto::SearchReport r = run_search(cfg, soc, model, *compat, log);
    const int n = cfg.warmup_epochs + cfg.search_epochs + cfg.finetune_epochs;
    REQUIRE(r.epochs_size() == n + (refine ? 1 : 0));
    const proto::SearchEpoch& last_search = r.epochs(cfg.warmup_epochs + cfg.search_epochs - 1);
    const proto::SearchEpoch& first_finetune = r.epochs(r.epochs_size() - 1);
    if (refine) {
      const proto::SearchEpoch& e = r.epochs(cfg.warmup_epochs + cfg.search_epochs);
      CHECK(e.phase() == "refine");
      CHECK(e.epoch() == last_search.epoch());
      CHECK(e.expected_cost() == last_search.cost());  // the learned mapping's
      CHECK(e.cost() <= e.expected_cost());
      CHECK(first_finetune.cost() == e.cost());  // what is fine-tuned is the refined mapping
    } else {
      CHECK(first_finetune.cost() == last_search.cost());
    }
  }
}

TEST_CASE("Darkside search on the synthetic set: more lambda, fewer channels on the cluster") {
  // ODiMO's Darkside network: conv (cluster) vs depthwise (DWE) per width-keeping block.
  const SocDescription soc = load_soc("darkside");
  std::string origin;
  const cost::CalibratedModel model(soc, cost::load_calibration("", soc, &origin), origin);
  const auto compat = cost::make_compat_model(soc);
  std::vector<double> cost;
  std::vector<int64_t> cluster;
  for (double lambda : {0.0, 3.0, 30.0}) {
    SearchConfig cfg = short_search("mobilenetv1-0.25-odimo", lambda, 16, 8);
    cfg.input = Shape{1, 8, 8};
    std::ostringstream log;
    const proto::SearchReport r = run_search(cfg, soc, model, *compat, log);
    cost.push_back(double(r.analytic().cycles()));
    cluster.push_back(r.channels().at("cluster"));
  }
  INFO("cluster channels at lambda 0, 3, 30: ", cluster[0], ", ", cluster[1], ", ", cluster[2]);
  CHECK(cost[1] <= cost[0]);
  CHECK(cost[2] <= cost[1]);
  CHECK(cluster[2] < cluster[0]);
  MESSAGE("cluster channels at lambda 0, 3, 30: ", cluster[0], ", ", cluster[1], ", ", cluster[2]);
}

namespace {

// Eval-mode outputs of `model` on two fixed images of its input shape.
std::vector<float> outputs(mapper::Model& m) {
  const int n = 2;
  std::vector<float> x(size_t(n) * m.network().input.elements());
  for (size_t i = 0; i < x.size(); ++i) x[i] = float(std::sin(0.61 * double(i)));
  return m.forward(x.data(), n, false, nullptr).value;
}

double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  REQUIRE(a.size() == b.size());
  double d = 0;
  for (size_t i = 0; i < a.size(); ++i) d = std::max(d, std::fabs(double(a[i]) - b[i]));
  return d;
}

const std::string kWeights = std::string(ODIMO_ONNX_TEST_DIR) + "/small-weights.onnx";
const std::string kMobile = std::string(ODIMO_ONNX_TEST_DIR) + "/small-mobile.onnx";  // a stride-1 depthwise

}  // namespace

TEST_CASE("--init on DIANA: every CU's quantizer starts from the pretrained weights") {
  // All on the default CU, the search model computes what the plain diana-digital model
  // does from the same weights; quantizer scales kept from the random init would not.
  const SocDescription soc = load_soc("diana");
  const Network net = load_network(kWeights);
  const auto space = search_space(net, soc);
  REQUIRE(!space.empty());
  std::vector<LayerArch*> archs;
  mapper::ModelOptions mo;
  mo.quant = quantization_on(soc, soc.cu_index("digital"), "diana-digital");
  mapper::Model plain(net, mo);
  mo.node_factory = search_node_factory(soc, space, false, &archs);
  mapper::Model searched(net, mo);
  mapper::load_initial_weights(kWeights, plain);
  mapper::load_initial_weights(kWeights, searched);
  const auto all = all_on(space, soc, soc.soc.default_cu());
  for (size_t s = 0; s < archs.size(); ++s) archs[s]->force(all[s]), archs[s]->freeze();
  CHECK(max_abs_diff(outputs(plain), outputs(searched)) < 1e-5);
}

TEST_CASE("--init on Darkside: the thermometric conv branch starts as the pretrained depthwise layer") {
  const SocDescription soc = load_soc("darkside");
  const Network net = load_network(kMobile);
  const auto space = search_space(net, soc);
  std::vector<LayerArch*> archs;
  mapper::ModelOptions mo;
  mo.quant = quantization_on(soc, soc.cu_index("cluster"), "darkside-int8");
  mo.node_factory = search_node_factory(soc, space, false, &archs);
  mapper::Model model(net, mo);
  mapper::load_initial_weights(kMobile, model);
  bool thermometric = false;
  for (size_t s = 0; s < space.size(); ++s) thermometric |= space[s].relaxation == Relaxation::kThermometric;
  REQUIRE(thermometric);
  std::vector<std::vector<float>> out;
  for (int branch : {0, 1}) {
    for (size_t s = 0; s < archs.size(); ++s)
      if (space[s].relaxation == Relaxation::kThermometric) {
        archs[s]->force(std::vector<int>(space[s].channels, branch));
        archs[s]->freeze();
      }
    out.push_back(outputs(model));
  }
  CHECK(max_abs_diff(out[0], out[1]) < 1e-5);
}

TEST_CASE("a search stopped after any epoch and resumed gives the bytes of an uninterrupted one") {
  const SocDescription soc = load_soc("diana");
  std::string origin;
  const cost::CalibratedModel model(soc, cost::load_calibration("", soc, &origin), origin);
  const auto compat = cost::make_compat_model(soc);
  const std::string root =
      std::filesystem::temp_directory_path() / ("odimo-search-resume-" + std::to_string(::getpid()));
  SearchConfig cfg = short_search("tiny", 5.0, 32, 6);
  cfg.search_epochs = 2, cfg.finetune_epochs = 2;  // epochs 1 warmup, 2-3 search, 4-5 fine-tune
  cfg.out_dir = root + "/whole";
  std::ostringstream log;
  const std::string whole = to_json(run_search(cfg, soc, model, *compat, log));  // maps sorted
  const std::string weights = read_file(cfg.out_dir + "/weights.pb");
  for (int stop : {1, 2, 3, 4}) {  // 3: right after the search and its refinement
    CAPTURE(stop);
    cfg.out_dir = root + "/stopped-" + std::to_string(stop);
    cfg.stop_after_epochs = stop, cfg.resume = false;
    CHECK(run_search(cfg, soc, model, *compat, log).epochs_size() == 0);
    cfg.stop_after_epochs = 0, cfg.resume = true;
    CHECK(to_json(run_search(cfg, soc, model, *compat, log)) == whole);
    CHECK(read_file(cfg.out_dir + "/weights.pb") == weights);
  }
  cfg.seed = 2;  // a checkpoint of other options is refused, the option named
  CHECK_THROWS_WITH_AS(run_search(cfg, soc, model, *compat, log),
                       doctest::Contains("checkpoint was written by a search with other options"), Error);
  // A damaged checkpoint (more epochs done than its records) is refused before the resume.
  cfg.seed = short_search("tiny", 5.0, 32, 6).seed;
  const std::string ckpt_path = cfg.out_dir + "/search-checkpoint.pb";
  proto::SearchCheckpoint damaged;
  read_binary_proto(ckpt_path, &damaged);
  damaged.set_epochs_done(damaged.epochs_done() - 1);
  write_binary_proto(ckpt_path, damaged);
  CHECK_THROWS_WITH_AS(run_search(cfg, soc, model, *compat, log),
                       doctest::Contains("epoch records for epochs_done"), Error);
  std::filesystem::remove_all(root);
}
