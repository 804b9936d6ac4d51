// A CU kind added the way hw/README.md "Adding a kind of CU" says: its home
// (tests/cu/toy_mac.cpp), one message in proto/soc.proto (ToyMacParams) and a
// SoC file (tests/cu/toy.pbtxt). Nothing else in the tree knows it (the CTest
// cu/toy_kind_is_local checks that); here every part that asks a CU uses it, its
// own number format (int4 weights) included.
// One TEST_CASE per process: the simulator allows one elaboration.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "hw/layer_plan.h"
#include "mapper/cost/calibrated_model.h"
#include "mapper/cost/cost_model.h"
#include "mapper/deploy/deploy_run.h"
#include "mapper/search/quantization.h"
#include "mapper/search/search_run.h"
#include "mapper/search/search_space.h"
#include "mapper/search_files/search_report.h"
#include "mapper/train/trainer.h"
#include "proto/proto_io.h"
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

// The kind of the quantizer of `layer`'s weights in `model` ("" for float weights).
std::string quantizer_kind(mapper::Model& model, const std::string& layer) {
  auto* conv = dynamic_cast<mapper::ConvNode*>(model.find_node(layer));
  REQUIRE(conv != nullptr);
  const auto qs = conv->weights().quantizers();
  return qs.size() == 1 && qs[0] ? qs[0]->kind() : "";
}

// Calibrated-model coefficients for the toy SoC, written by hand (the shipped SoCs' come
// from odimo calibrate): latency = the tile plan's compute and job cycles, energy = DMA bytes.
proto::Calibration toy_calibration(const SocDescription& soc) {
  proto::Calibration c;
  c.set_soc(soc.name());
  const std::vector<std::string> ones = {"compute", "job", "busy_compute", "busy_job", "pj_per_dma_byte"};
  for (const proto::ComputeUnit& cu : soc.soc.cu()) {
    proto::CuCalibration* k = c.add_cu();
    k->set_cu(cu.name());
    for (const auto* names :
         {&cost::latency_feature_names(), &cost::busy_feature_names(), &cost::energy_feature_names()})
      for (const std::string& n : *names) {
        proto::Coefficient* coef = k->add_coefficient();
        coef->set_name(n);
        coef->set_value(std::count(ones.begin(), ones.end(), n) ? 1 : 0);
      }
  }
  for (const std::string& n : cost::layer_feature_names()) c.add_layer()->set_name(n);
  return c;
}

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

namespace {

// The toy's int4 coding trained by `odimo train`'s loop (a short run on synthetic data).
mapper::TrainResult train_on_toy(const mapper::Quantization& quant, std::ostream& log) {
  mapper::TrainConfig tc;
  tc.net = "tiny";
  tc.dataset = "synthetic";
  tc.epochs = 1;
  tc.batch = 16;
  tc.steps_per_epoch = 2;
  tc.threads = 1;
  tc.quant = quant;
  tc.progress = false;
  return mapper::train(tc, log);
}

// A short search on the toy SoC, its report written into `dir` as `odimo search` writes it.
void search_on_toy(const SocDescription& soc, const std::string& dir, std::ostream& log) {
  search::SearchConfig sc;
  sc.net = "tiny";
  sc.dataset = "synthetic";
  sc.warmup_epochs = sc.search_epochs = sc.finetune_epochs = 1;
  sc.batch = 16;
  sc.steps_per_epoch = 2;
  sc.threads = 1;
  sc.lambda = 1;
  sc.label = "lambda=1";
  sc.out_dir = dir;
  sc.progress = false;
  const cost::CalibratedModel cost(soc, toy_calibration(soc), "toy coefficients");
  proto::SearchReport rep = search::run_search(sc, soc, cost, cost, log);
  rep.set_network_file("tiny");
  rep.set_soc_file(kToySoc);
  search::write_search_report(dir, rep);
}

}  // namespace

TEST_CASE("the toy kind's int4 weights are trained, searched, deployed and simulated") {
  const SocDescription soc = load_soc(kToySoc);
  const int mac = soc.cu_index("mac");
  const NumberFormat f = soc.unit(mac).number_format();  // from the SoC file, checked by its home
  CHECK(f.weight_bits == 4);
  CHECK(f.weight_scale == NumberFormat::WeightScale::kPowerOfTwoPerLayer);
  CHECK(!f.adc);

  // train: what the toy runs in its int4 coding, the depthwise layer (the host's) in int8
  const mapper::Quantization quant = search::quantization_on(soc, mac, "toy:mac");
  mapper::Model model(load_network("tiny"), mapper::ModelOptions{quant, 1, 1});
  CHECK(quantizer_kind(model, "conv2") == "int4-pow2");
  CHECK(quantizer_kind(model, "dw") == "int8-pow2");
  std::ostringstream log;
  CHECK(train_on_toy(quant, log).test_accuracy >= 0);

  // search: each option of a split layer in its CU's coding (mac int4-pow2, mac2 int4-per-channel)
  const std::string dir =
      (std::filesystem::temp_directory_path() / ("odimo-toy-" + std::to_string(getpid()))).string();
  search_on_toy(soc, dir, log);

  // deploy: the integer pipelines take the int4 codes (a code outside [-7, 7] is an error)
  deploy::DeployConfig dc;
  dc.dir = dir;
  dc.threads = 1;
  dc.max_images = 32;
  dc.calibration_images = 16;
  dc.progress = false;
  const proto::DeployReport deployed = deploy::deploy_point(dc, log);
  CHECK(deployed.images() == 32);
  // as on DIANA and Darkside after a few steps: the integer logits follow the fake-quantized
  // ones up to the rare input code a float rounding puts on the other side of a step
  CHECK(deployed.argmax_agreement() >= 0.9);
  CHECK(deployed.max_logit_deviation() < 0.1);

  // simulate the searched mapping
  const Network net = load_network("tiny");
  proto::Mapping mapping;
  read_text_proto(dir + "/mapping.pbtxt", &mapping);
  const ResolvedMapping m = resolve_mapping(net, soc, mapping, dir + "/mapping.pbtxt");
  sim::Simulator simulator(soc);
  const proto::Report r = sim::simulate_network(simulator, net, m, "test");
  CHECK(r.layers_size() == int(net.layers.size()));
  CHECK(r.total().cycles() > 0);
  std::filesystem::remove_all(dir);
}
