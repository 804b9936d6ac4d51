// The calibrated model: exact at integer channel counts, linear in between,
// secant slope over the CU's granularity as d/dn, and its layer terms.
#include <doctest/doctest.h>

#include <cmath>

#include "mapper/cost/calibrated_model.h"
#include "proto/error.h"

using namespace odimo;
using namespace odimo::cost;

namespace {

// Coefficients: every CU latency = tile_roofline + 100 * job; layer terms as given.
proto::Calibration simple(const SocDescription& soc, double launch, double port, double sync) {
  proto::Calibration cal;
  cal.set_soc(soc.name());
  for (const auto& unit : soc.soc.cu()) {
    auto* cu = cal.add_cu();
    cu->set_cu(unit.name());
    for (const auto* names : {&latency_feature_names(), &busy_feature_names(), &energy_feature_names()})
      for (const auto& n : *names) {
        auto* c = cu->add_coefficient();
        c->set_name(n);
        c->set_value(n == "tile_roofline" || n == "busy_compute" ? 1.0 : n == "job" ? 100.0 : 0.0);
      }
  }
  for (const auto& [n, v] :
       {std::pair{"launch_offset", launch}, {"port_contention", port}, {"extra_sync", sync}}) {
    auto* c = cal.add_layer();
    c->set_name(n);
    c->set_value(v);
  }
  return cal;
}

}  // namespace

TEST_CASE("calibrated model: exact at integers, interpolated between, secant slope over 16 channels") {
  const SocDescription soc = load_soc("diana");
  const Network net = load_network("resnet20");
  const Layer& conv = net.layers[net.find("s2b2_conv1")];  // 32 -> 32, 3x3, 16x16
  const CalibratedModel model(soc, simple(soc, 0, 0, 0), "test");
  const int dig = soc.cu_index("digital");
  auto exact = [&](int n) { return cu_features(soc, conv, dig, n, conv.op).latency[0] + 100.0; };
  CHECK(model.cu_cycles(conv, dig, 20).cycles == doctest::Approx(exact(20)));
  CHECK(model.cu_cycles(conv, dig, 20.25).cycles == doctest::Approx(0.75 * exact(20) + 0.25 * exact(21)));
  // n = 20 lies in the block [16, 32): slope = (f(32) - f(16)) / 16
  CHECK(model.cu_cycles(conv, dig, 20).dcycles_dn == doctest::Approx((exact(32) - exact(16)) / 16));
  CHECK(model.cu_cycles(conv, dig, 0).cycles == 0);
  // More channels never cost less on the array.
  CHECK(exact(32) > exact(16));
}

TEST_CASE("calibrated model: launch offset, shared-port and sync terms apply only to parallel CUs") {
  const SocDescription soc = load_soc("diana");
  const Network net = load_network("resnet20");
  const Layer& conv = net.layers[net.find("s2b2_conv1")];
  const int dig = soc.cu_index("digital"), ana = soc.cu_index("aimc");
  const CalibratedModel plain(soc, simple(soc, 0, 0, 0), "test");
  const CalibratedModel terms(soc, simple(soc, 50, 0.5, 30), "test");
  std::vector<double> alone(soc.soc.cu_size(), 0.0), split = alone;
  alone[dig] = 32;
  split[dig] = 16;
  split[ana] = 16;
  CHECK(terms.layer_cost(conv, alone).cycles == doctest::Approx(plain.layer_cost(conv, alone).cycles));
  std::vector<int> ns(soc.soc.cu_size(), 0);
  ns[dig] = 16;
  ns[ana] = 16;
  const auto f = layer_features(soc, conv, ns, std::vector<Op>(soc.soc.cu_size(), conv.op));
  const double td = f[dig].latency[0] + 100, ta = f[ana].latency[0] + 100;
  const double port = std::min(f[dig].transfer, f[ana].transfer);
  // The two share DIANA's L1 and its input: the AIMC's first tile moves no input bytes.
  CHECK(f[ana].transfer < cu_features(soc, conv, ana, 16, conv.op).transfer);
  // aimc is launched second (SoC order), so it starts 50 cycles later.
  CHECK(terms.layer_cost(conv, split).cycles == doctest::Approx(std::max(td, ta + 50) + 0.5 * port + 30));
}

TEST_CASE("calibrated model: a calibration missing a CU or a coefficient is refused") {
  const SocDescription soc = load_soc("diana");
  proto::Calibration cal = simple(soc, 0, 0, 0);
  cal.mutable_cu(1)->mutable_coefficient()->RemoveLast();
  CHECK_THROWS_WITH_AS(CalibratedModel(soc, cal, "c.pbtxt"),
                       "c.pbtxt: cu 'digital': missing coefficient 'pj_per_l1_byte'", Error);
  cal = simple(soc, 0, 0, 0);
  cal.mutable_cu()->RemoveLast();
  CHECK_THROWS_WITH_AS(CalibratedModel(soc, cal, "c.pbtxt"),
                       "c.pbtxt: field 'cu': no coefficients for CU 'aimc'", Error);
}

TEST_CASE("calibrated model: the energy gradient is the reported energy's secant over the CU's step") {
  const SocDescription soc = load_soc("diana");
  const Network net = load_network("resnet20");
  const Layer& conv = net.layers[net.find("s2b2_conv1")];  // 32 -> 32, 3x3, 16x16
  std::string origin;
  const CalibratedModel model(soc, load_calibration("", soc, &origin), origin);  // the shipped coefficients
  const std::vector<Op> ops(soc.soc.cu_size(), conv.op);
  for (const std::string cu : {"digital", "aimc"}) {
    CAPTURE(cu);
    const int i = soc.cu_index(cu);
    auto energy = [&](double n) {
      std::vector<double> counts(soc.soc.cu_size(), 0.0);
      counts[i] = n;
      return model.layer_cost(conv, counts, ops).energy_uj;
    };
    std::vector<double> counts(soc.soc.cu_size(), 0.0);
    counts[i] = 20;  // the CU alone, inside the step [16, 32]
    const LayerCost c = model.layer_cost(conv, counts, ops);
    CHECK(c.denergy_dn[i] > 0);
    CHECK(c.denergy_dn[i] == doctest::Approx((energy(32) - energy(16)) / 16).epsilon(1e-12));
  }
}

TEST_CASE("calibrated model: tile rates scale the two sides of the tile pipeline's max") {
  const SocDescription soc = load_soc("darkside");
  const Network net = load_network("resnet20");
  const Layer& conv = net.layers[net.find("s2b2_conv1")];
  const int cl = soc.cu_index("cluster");
  const CuFeatures file = cu_features(soc, conv, cl, 32, conv.op);
  // The file's rates are the default, bit for bit, for the plan planned once too.
  const SoloPlan solo(soc, conv, cl, 32, conv.op);
  CHECK(cu_features(soc, conv, cl, 32, conv.op, TileRates{1, 1, 1}).latency == file.latency);
  CHECK(solo.features({}).latency == file.latency);
  // Only the pipeline (feature 0) moves; every linear feature stays at the file's cycles.
  const CuFeatures slow = solo.features({2, 2, 2});
  const double fork = soc.soc.cu(cl).cluster().job_overhead_cycles();  // the job's fixed cycles, not a tile's
  CHECK(slow.latency[0] == doctest::Approx(2 * file.latency[0] - fork).epsilon(1e-9));
  for (size_t k = 1; k < file.latency.size(); ++k) CHECK(slow.latency[k] == file.latency[k]);
  // Slower compute or slower transfers never shorten the pipeline.
  CHECK(solo.features({1, 1.5, 1}).latency[0] >= file.latency[0]);
  CHECK(solo.features({1, 1, 1.5}).latency[0] >= file.latency[0]);
  CHECK(solo.features({1.5, 1, 1}).latency[0] >= file.latency[0]);
}

TEST_CASE("calibrated model: tile rates in a calibration are optional and range-checked") {
  const SocDescription soc = load_soc("darkside");
  const Network net = load_network("resnet20");
  const Layer& conv = net.layers[net.find("s2b2_conv1")];
  const int cl = soc.cu_index("cluster");
  proto::Calibration cal = simple(soc, 0, 0, 0);
  const double file = CalibratedModel(soc, cal, "test").cu_cycles(conv, cl, 32).cycles;
  auto* rate = cal.mutable_cu(cl)->add_coefficient();
  rate->set_name("tile_later_phase_rate");
  rate->set_value(1.5);
  const double slower = CalibratedModel(soc, cal, "test").cu_cycles(conv, cl, 32).cycles;
  CHECK(slower > file);
  CHECK(slower == doctest::Approx(cu_features(soc, conv, cl, 32, conv.op, {1, 1.5, 1}).latency[0] + 100.0));
  for (double bad : {0.05, 11.0, std::nan("")}) {
    rate->set_value(bad);
    CHECK_THROWS_WITH_AS(CalibratedModel(soc, cal, "cal.pbtxt"),
                         doctest::Contains("coefficient 'tile_later_phase_rate'"), Error);
  }
}
