// The integer network (mapper/deploy/) against the training engine's fake-quantized
// forward: the same input codes at every weighted layer, the same logits and argmax,
// for each CU and split layers on DIANA and Darkside; the ADC clip counted; noise
// seeded and deterministic.
#include <doctest/doctest.h>

#include <cmath>

#include "hw/mapping.h"
#include "mapper/deploy/integer_kernels.h"
#include "mapper/deploy/integer_network.h"
#include "mapper/nn/adc.h"
#include "mapper/search/search_run.h"
#include "mapper/search/search_space.h"

using namespace odimo;

namespace {

constexpr int kInputShift = 4;

SocDescription soc_with_adc_bits(const std::string& name, int adc_bits) {
  SocDescription s = load_soc(name);
  proto::Soc p = s.soc;
  for (auto& cu : *p.mutable_cu())
    if (cu.has_aimc()) cu.mutable_aimc()->set_adc_bits(adc_bits);
  return build_soc(p, name + "-adc" + std::to_string(adc_bits));
}

// A randomly initialised search model frozen to `pick(layer, channel)` (an option index),
// batch-norm statistics away from the identity.
struct Case {
  SocDescription soc;
  Network net;
  std::vector<search::SearchableLayer> space;
  std::vector<search::LayerArch*> archs;
  std::unique_ptr<mapper::Model> model;
  std::vector<std::vector<int>> cus;

  Case(SocDescription s, const std::string& network, const std::optional<Shape>& input,
       const std::function<int(int, int)>& pick, const mapper::AdcTraining* adc = nullptr)
      : soc(std::move(s)), net(load_network(network, input)) {
    space = search::search_space(net, soc);
    model = search::make_search_model(net, soc, space, 7, 1, false, &archs, adc);
    mapper::configure_adc(*model, kInputShift);
    const ResolvedMapping def = resolve_mapping(net, soc, "");
    cus.resize(net.layers.size());
    for (size_t i = 0; i < net.layers.size(); ++i)
      if (net.layers[i].has_weights())
        cus[i].assign(net.layers[i].out_channels, soc.cu_index(def.layers[i].shares[0].cu));
    for (size_t k = 0; k < space.size(); ++k) {
      std::vector<int> a(space[k].channels);
      for (int c = 0; c < space[k].channels; ++c) a[c] = pick(int(k), c);
      if (space[k].relaxation == search::Relaxation::kThermometric) std::sort(a.begin(), a.end());
      archs[k]->force(a);
      archs[k]->freeze();
      for (int c = 0; c < space[k].channels; ++c) cus[space[k].layer][c] = space[k].cus[a[c]];
    }
    uint32_t r = 12345;
    auto u = [&r] { return float((r = r * 1103515245u + 12345u) >> 8) / float(1 << 24); };
    for (mapper::Buffer* b : model->buffers()) {
      const bool var = b->name.find("var") != std::string::npos;
      for (float& v : b->value) v = var ? 0.5f + u() : 0.4f * (u() - 0.5f);
    }
  }
  std::vector<float> inputs(int n) const {
    std::vector<float> x(size_t(n) * net.input.elements());
    for (size_t e = 0; e < x.size(); ++e) x[e] = float(int((e * 37 + e / 5) % 81) - 40) / (1 << kInputShift);
    return x;
  }
};

struct Compared {
  int64_t codes = 0, mismatches = 0, near_boundary = 0;
  double max_logit_dev = 0;
  bool same_argmax = true;
  int64_t conversions = 0, clipped = 0;
};

Compared compare(Case& k, int n, bool set_zero_gain) {
  deploy::IntegerNetwork inet(*k.model, k.soc, k.cus, std::vector<std::vector<int>>(k.net.layers.size()),
                              kInputShift);
  if (set_zero_gain)
    for (int w = 0; w < inet.weighted_count(); ++w) inet.set_adc_shift(w, 0);
  const std::vector<float> x = k.inputs(n);
  const auto& logits = k.model->forward(x.data(), n, false, nullptr);
  const std::vector<float> fake(logits.value.begin(), logits.value.end());
  Compared out;
  deploy::RunSettings rs;
  rs.keep_codes = true;
  const int K = k.net.classes;
  for (int i = 0; i < n; ++i) {
    const deploy::Trace t = inet.run(x.data() + i * k.net.input.elements(), rs, uint64_t(i));
    for (const auto& c : t.counters) out.conversions += c.conversions, out.clipped += c.clipped;
    for (size_t src = 0; src < k.net.layers.size(); ++src) {
      auto* p = dynamic_cast<mapper::PactNode*>(k.model->find_node(k.net.layers[src].name + ".aq"));
      if (!p || t.codes[src].empty()) continue;
      const float sf = mapper::pact_state(p->clip.value[0], p->config()).sf;
      const int64_t img = int64_t(t.codes[src].size());
      for (int64_t e = 0; e < img; ++e) {
        const float pre = p->inputs[0]->value[i * img + e] * sf;
        const bool near = std::fabs(pre - std::round(pre)) < 1e-3f && pre > 0;
        const int64_t want = int64_t(std::lround(p->out.value[i * img + e] * sf));
        ++out.codes;
        if (want != t.codes[src][e]) (near ? out.near_boundary : out.mismatches) += 1;
      }
    }
    const float* f = &fake[size_t(i) * K];
    int am = 0, af = 0;
    for (int c = 0; c < K; ++c) {
      out.max_logit_dev = std::max(out.max_logit_dev, std::fabs(t.logits[c] - double(f[c])));
      if (t.logits[c] > t.logits[am]) am = c;
      if (f[c] > f[af]) af = c;
    }
    out.same_argmax = out.same_argmax && am == af;
  }
  return out;
}

void check_equal(const Compared& r) {
  CAPTURE(r.codes);
  CAPTURE(r.near_boundary);
  CHECK(r.codes > 0);
  CHECK(r.mismatches == 0);
  CHECK(r.near_boundary * 1000 <= r.codes);  // float ties of the training engine only
  CHECK(r.same_argmax);
  CHECK(r.max_logit_dev < 1e-3);
  CHECK(r.clipped == 0);
}

}  // namespace

TEST_CASE("deploy: DIANA all-digital, all-AIMC and split layers equal the fake-quantized forward") {
  // A wide ADC at gain 1 and no clip: the AIMC's column sums pass unchanged.
  const SocDescription wide = soc_with_adc_bits("diana", 16);
  SUBCASE("all digital") {
    Case k(wide, "tiny", std::nullopt, [](int, int) { return 0; });
    check_equal(compare(k, 4, true));
  }
  SUBCASE("all AIMC") {
    Case k(wide, "tiny", std::nullopt, [](int, int) { return 1; });
    const Compared r = compare(k, 4, true);
    check_equal(r);
    CHECK(r.conversions > 0);
  }
  SUBCASE("split per channel") {
    Case k(wide, "tiny", std::nullopt, [](int l, int c) { return (c + l) % 3 == 0 ? 1 : 0; });
    check_equal(compare(k, 4, true));
  }
}

TEST_CASE("deploy: Darkside cluster, DWE and thermometric splits equal the fake-quantized forward") {
  const SocDescription soc = load_soc("darkside");
  for (int mode : {0, 1, 2}) {
    CAPTURE(mode);
    Case k(soc, "mobilenetv1-0.25-cifar", Shape{3, 8, 8},
           [mode](int, int c) { return mode == 2 ? (c % 2) : mode; });
    check_equal(compare(k, 2, false));
  }
}

TEST_CASE("deploy: the 6-bit ADC clips at gain 1 and counts it; noise is seeded") {
  Case k(load_soc("diana"), "tiny", std::nullopt, [](int, int) { return 1; });
  deploy::IntegerNetwork inet(*k.model, k.soc, k.cus, std::vector<std::vector<int>>(k.net.layers.size()),
                              kInputShift);
  const std::vector<float> x = k.inputs(1);
  deploy::RunSettings ideal;
  ideal.ideal_adc = true;
  const deploy::Trace t0 = inet.run(x.data(), ideal, 0);
  int analog = -1;
  for (int w = 0; w < inet.weighted_count(); ++w)
    if (inet.weighted_analog(w) && t0.counters[w].max_column_sum > 31.5) analog = w;
  REQUIRE(analog >= 0);  // a layer whose column sums leave [-32, 31] at gain 1
  for (int w = 0; w < inet.weighted_count(); ++w) inet.set_adc_shift(w, 0);
  const deploy::Trace t1 = inet.run(x.data(), {}, 0);
  CHECK(t1.counters[analog].clipped > 0);
  CHECK(t1.counters[analog].clipped <= t1.counters[analog].conversions);
  inet.set_adc_shift(analog, 20);  // far too little gain: nothing clips
  CHECK(inet.run(x.data(), {}, 0).counters[analog].clipped == 0);

  deploy::RunSettings noisy;
  noisy.aimc_noise = 0.2;
  noisy.noise_seed = 3;
  const auto a = inet.run(x.data(), noisy, 5).logits, b = inet.run(x.data(), noisy, 5).logits;
  CHECK(a == b);
  noisy.noise_seed = 4;
  CHECK(inet.run(x.data(), noisy, 5).logits != a);
}

TEST_CASE("deploy: more AIMC noise never raises agreement with the noiseless network (fixed seed)") {
  Case k(load_soc("diana"), "tiny", std::nullopt, [](int, int) { return 1; });
  deploy::IntegerNetwork inet(*k.model, k.soc, k.cus, std::vector<std::vector<int>>(k.net.layers.size()),
                              kInputShift);
  for (int w = 0; w < inet.weighted_count(); ++w) inet.set_adc_shift(w, 3);
  const int n = 32;
  const std::vector<float> x = k.inputs(n);
  auto argmax = [](const std::vector<double>& v) {
    return int(std::max_element(v.begin(), v.end()) - v.begin());
  };
  std::vector<int> ref(n);
  for (int i = 0; i < n; ++i) ref[i] = argmax(inet.run(x.data() + i * k.net.input.elements(), {}, i).logits);
  int last = n + 1;
  for (double sigma : {0.0, 0.05, 0.2, 1.0}) {
    deploy::RunSettings s;
    s.aimc_noise = sigma;
    s.noise_seed = 9;
    int agree = 0;
    for (int i = 0; i < n; ++i)
      agree += argmax(inet.run(x.data() + i * k.net.input.elements(), s, i).logits) == ref[i];
    CAPTURE(sigma);
    CHECK(agree <= last);
    last = agree;
  }
  CHECK(last < n);
}

TEST_CASE(
    "deploy: with ADC-aware training the fake-quantized forward equals the integer network, clip included") {
  // The real 6-bit ADC; channels split digital/AIMC; the trained gains forced low so that
  // conversions clip: the training engine models the clip, so both still agree.
  const mapper::AdcTraining adc;
  Case k(
      load_soc("diana"), "tiny", std::nullopt, [](int l, int c) { return (c + l) % 3 == 0 ? 0 : 1; }, &adc);
  REQUIRE(!mapper::adc_nodes(*k.model).empty());
  for (mapper::Buffer* b : k.model->buffers())
    if (b->name.size() > 10 && b->name.substr(b->name.size() - 10) == ".adc_shift") b->value[0] = 1.0f;
  deploy::IntegerNetwork inet(*k.model, k.soc, k.cus, std::vector<std::vector<int>>(k.net.layers.size()),
                              kInputShift);
  int analog = 0;
  for (int w = 0; w < inet.weighted_count(); ++w) {
    if (!inet.weighted_analog(w)) continue;
    ++analog;
    inet.set_adc_shift(w, 1);  // what odimo deploy reads from <layer>.adc_shift
  }
  REQUIRE(analog > 0);
  const int n = 4;
  const std::vector<float> x = k.inputs(n);
  const auto& logits = k.model->forward(x.data(), n, false, nullptr);
  const std::vector<float> fake(logits.value.begin(), logits.value.end());
  int64_t clipped = 0;
  double dev = 0;
  bool same = true;
  const int K = k.net.classes;
  for (int i = 0; i < n; ++i) {
    const deploy::Trace t = inet.run(x.data() + i * k.net.input.elements(), {}, uint64_t(i));
    for (const auto& c : t.counters) clipped += c.clipped;
    const float* f = &fake[size_t(i) * K];
    int am = 0, af = 0;
    for (int c = 0; c < K; ++c) {
      dev = std::max(dev, std::fabs(t.logits[c] - double(f[c])));
      if (t.logits[c] > t.logits[am]) am = c;
      if (f[c] > f[af]) af = c;
    }
    same = same && am == af;
  }
  CHECK(clipped > 0);
  CHECK(same);
  CHECK(dev < 1e-3);
  // Without the ADC in the training engine the same weights disagree with the clipped network.
  Case plain(load_soc("diana"), "tiny", std::nullopt, [](int l, int c) { return (c + l) % 3 == 0 ? 0 : 1; });
  for (mapper::Parameter* q : plain.model->parameters()) q->value = k.model->find_parameter(q->name)->value;
  for (mapper::Buffer* b : plain.model->buffers())
    for (mapper::Buffer* from : k.model->buffers())
      if (from->name == b->name) b->value = from->value;
  const auto& p = plain.model->forward(x.data(), n, false, nullptr);
  double plain_dev = 0;
  for (size_t e = 0; e < fake.size(); ++e)
    plain_dev = std::max(plain_dev, std::fabs(double(p.value[e] - fake[e])));
  CHECK(plain_dev > 1e-2);
}

namespace {

// Every layer vectorised (integer_kernels.h) and the same logits, counters and column sums
// as the plain 64-bit loops, with and without noise and in the calibration's ideal ADC.
void check_fast_equals_plain(Case& k, int n, int adc_shift, int min_row_tiles = 0) {
  deploy::IntegerNetwork inet(*k.model, k.soc, k.cus, std::vector<std::vector<int>>(k.net.layers.size()),
                              kInputShift);
  int most_tiles = 0;
  for (int w = 0; w < inet.weighted_count(); ++w) {
    CHECK(inet.vectorised(w));
    inet.set_adc_shift(w, adc_shift);
    most_tiles = std::max(most_tiles, inet.row_tiles(w));
  }
  CHECK(most_tiles >= min_row_tiles);
  const std::vector<float> x = k.inputs(n);
  for (int mode : {0, 1, 2}) {
    deploy::RunSettings s;
    s.keep_codes = true;
    s.ideal_adc = mode == 2;
    s.aimc_noise = mode == 1 ? 0.2 : 0.0;
    s.noise_seed = 11;
    deploy::RunSettings plain = s;
    plain.plain_loops = true;
    for (int i = 0; i < n; ++i) {
      const float* xi = x.data() + i * k.net.input.elements();
      const deploy::Trace a = inet.run(xi, s, uint64_t(i)), b = inet.run(xi, plain, uint64_t(i));
      CAPTURE(mode);
      CHECK(a.logits == b.logits);
      CHECK(a.codes == b.codes);
      for (size_t w = 0; w < a.counters.size(); ++w) {
        CHECK(a.counters[w].conversions == b.counters[w].conversions);
        CHECK(a.counters[w].clipped == b.counters[w].clipped);
        CHECK(a.counters[w].max_column_sum == b.counters[w].max_column_sum);
      }
    }
  }
}

}  // namespace

TEST_CASE("deploy: the vectorised engine gives the plain loops' integers (DIANA, Darkside, noise, clip)") {
  const SocDescription diana = load_soc("diana");
  SUBCASE("DIANA split, 6-bit ADC clipping at gain 1") {
    Case k(diana, "tiny", std::nullopt, [](int l, int c) { return (c + l) % 3 == 0 ? 1 : 0; });
    check_fast_equals_plain(k, 3, 0);
  }
  SUBCASE("DIANA all AIMC, gain 2^-2") {
    Case k(diana, "tiny", std::nullopt, [](int, int) { return 1; });
    check_fast_equals_plain(k, 3, 2);
  }
  SUBCASE("DIANA all AIMC, 36 rows: several row tiles per column") {
    proto::Soc p = diana.soc;
    for (auto& cu : *p.mutable_cu())
      if (cu.has_aimc()) cu.mutable_aimc()->set_rows(36);
    Case k(build_soc(p, "diana-rows36"), "tiny", std::nullopt, [](int, int) { return 1; });
    check_fast_equals_plain(k, 3, 1, 2);
  }
  SUBCASE("Darkside thermometric split") {
    Case k(load_soc("darkside"), "mobilenetv1-0.25-cifar", Shape{3, 8, 8}, [](int, int c) { return c % 2; });
    check_fast_equals_plain(k, 2, 0);
  }
}

TEST_CASE("deploy: adc_convert_exact is adc_convert on integer column sums") {
  IntegerBehaviour b;
  b.adc_bits = 6;
  for (int shift = 0; shift <= 9; ++shift)
    for (int64_t s = -40000; s <= 40000; s += 7) {
      bool c1 = false, c2 = false;
      CAPTURE(s);
      CAPTURE(shift);
      REQUIRE(deploy::adc_convert_exact(s, shift, b, &c1) == adc_convert(double(s), shift, b, &c2));
      REQUIRE(c1 == c2);
    }
}

TEST_CASE("deploy: apply_output is OutputStage::apply") {
  uint32_t r = 99;
  auto next = [&r] { return r = r * 1664525u + 1013904223u; };
  for (int i = 0; i < 20000; ++i) {
    const double scale = std::ldexp(1.0 + double(next() % 1000) / 1000.0, int(next() % 60) - 40);
    const OutputStage s = OutputStage::make(next() % 2 ? scale : -scale,
                                            double(int(next() % 2001) - 1000) / 64, next() % 2 == 0);
    const int64_t acc = int64_t(int32_t(next())) * (i % 3 == 0 ? 4 : 1);
    CAPTURE(acc);
    REQUIRE(deploy::apply_output(s, acc) == s.apply(acc));
  }
}

TEST_CASE(
    "deploy: zero noise and no mismatch give today's integers, a fraction and its LSBs the same noise") {
  Case k(load_soc("diana"), "tiny", std::nullopt, [](int, int) { return 1; });
  deploy::IntegerNetwork inet(*k.model, k.soc, k.cus, std::vector<std::vector<int>>(k.net.layers.size()),
                              kInputShift);
  for (int w = 0; w < inet.weighted_count(); ++w) inet.set_adc_shift(w, 3);
  const std::vector<float> x = k.inputs(1);
  const auto today = inet.run(x.data(), {}, 0).logits;
  deploy::RunSettings zero;
  zero.aimc_noise = ReadNoise::lsb(0);
  zero.noise_seed = 5;
  const std::vector<ColumnMismatch> none(k.soc.units.size());  // a chip without mismatch
  zero.chip = &none;
  CHECK(inet.run(x.data(), zero, 0).logits == today);
  // 0.25 of the full scale of the 6-bit ADC is exactly 8 LSB: the same draws, the same integers
  deploy::RunSettings fraction, lsb;
  fraction.aimc_noise = 0.25;
  lsb.aimc_noise = ReadNoise::lsb(8);
  fraction.noise_seed = lsb.noise_seed = 7;
  const auto noisy = inet.run(x.data(), fraction, 2).logits;
  CHECK(inet.run(x.data(), lsb, 2).logits == noisy);
  CHECK(noisy != today);
}

TEST_CASE("deploy: a chip instance's mismatch is fixed across inferences and differs between instances") {
  Case k(load_soc("diana"), "tiny", std::nullopt, [](int, int) { return 1; });
  deploy::IntegerNetwork inet(*k.model, k.soc, k.cus, std::vector<std::vector<int>>(k.net.layers.size()),
                              kInputShift);
  for (int w = 0; w < inet.weighted_count(); ++w) inet.set_adc_shift(w, 3);
  const int n = 8;
  const std::vector<float> x = k.inputs(n);
  const int64_t elems = k.net.input.elements();
  const std::vector<ColumnMismatch> chip0 = inet.chip_instance(1, 0), chip1 = inet.chip_instance(1, 1);
  const int aimc = k.soc.cu_index("aimc");
  REQUIRE(!chip0[size_t(aimc)].empty());
  CHECK(chip0[size_t(aimc)].gain ==
        inet.chip_instance(1, 0)[size_t(aimc)].gain);  // the same seed: the same chip
  deploy::RunSettings on0, on1;
  on0.chip = &chip0;
  on1.chip = &chip1;
  int differ = 0, from_ideal = 0;
  for (int i = 0; i < n; ++i) {
    const float* xi = x.data() + i * elems;
    const auto a = inet.run(xi, on0, uint64_t(i)).logits;
    CHECK(inet.run(xi, on0, uint64_t(i)).logits == a);        // the same chip, again: the same integers
    CHECK(inet.run(xi, on0, uint64_t(i + 100)).logits == a);  // no per-inference draw without noise
    differ += inet.run(xi, on1, uint64_t(i)).logits != a;
    from_ideal += inet.run(xi, {}, uint64_t(i)).logits != a;
  }
  CHECK(differ > 0);
  CHECK(from_ideal > 0);
  // The calibration's ideal ADC ignores the mismatch.
  deploy::RunSettings ideal;
  ideal.ideal_adc = true;
  deploy::RunSettings ideal_on0 = ideal;
  ideal_on0.chip = &chip0;
  CHECK(inet.run(x.data(), ideal_on0, 0).logits == inet.run(x.data(), ideal, 0).logits);
}

TEST_CASE("deploy: more read noise in LSBs never raises agreement with the noiseless network (fixed seed)") {
  Case k(load_soc("diana"), "tiny", std::nullopt, [](int, int) { return 1; });
  deploy::IntegerNetwork inet(*k.model, k.soc, k.cus, std::vector<std::vector<int>>(k.net.layers.size()),
                              kInputShift);
  for (int w = 0; w < inet.weighted_count(); ++w) inet.set_adc_shift(w, 3);
  const int n = 32;
  const std::vector<float> x = k.inputs(n);
  const std::vector<ColumnMismatch> chip = inet.chip_instance(3, 0);
  auto argmax = [](const std::vector<double>& v) {
    return int(std::max_element(v.begin(), v.end()) - v.begin());
  };
  std::vector<int> ref(n);
  for (int i = 0; i < n; ++i) ref[i] = argmax(inet.run(x.data() + i * k.net.input.elements(), {}, i).logits);
  int last = n + 1;
  for (double lsb : {0.0, 1.0, 4.0, 32.0}) {
    deploy::RunSettings s;
    s.aimc_noise = ReadNoise::lsb(lsb);
    s.noise_seed = 9;
    s.chip = &chip;
    int agree = 0;
    for (int i = 0; i < n; ++i)
      agree += argmax(inet.run(x.data() + i * k.net.input.elements(), s, i).logits) == ref[i];
    CAPTURE(lsb);
    CHECK(agree <= last);
    last = agree;
  }
  CHECK(last < n);
}
