// The search configuration (mapper/search_files/search_config.h): one table of defaults, ranges and
// help, the checks' one-line errors, files over the defaults, the engine's view of a config.
#include <doctest/doctest.h>

#include <google/protobuf/descriptor.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include "mapper/search/search_run.h"
#include "mapper/search_files/search_config.h"
#include "proto/error.h"

using namespace odimo;

namespace {

proto::SearchConfig valid_config() {
  proto::SearchConfig c = search::default_search_config();
  c.set_soc("diana");
  c.set_net("tiny");
  c.set_lambda(1);
  return c;
}

}  // namespace

TEST_CASE("config table: one row per field of proto::SearchConfig, each with help") {
  const auto* d = proto::SearchConfig::descriptor();
  std::set<std::string> rows;
  for (const auto& f : search::config_fields()) {
    CHECK_MESSAGE(d->FindFieldByName(f.name) != nullptr, f.name);
    CHECK(*f.help != '\0');
    CHECK(rows.insert(f.name).second);
  }
  for (int i = 0; i < d->field_count(); ++i)
    CHECK_MESSAGE(rows.count(d->field(i)->name()), d->field(i)->name());
  CHECK_THROWS_AS(search::config_field("no_such_field"), std::logic_error);
}

TEST_CASE("config defaults: the engine's configuration starts at them") {
  const proto::SearchConfig d = search::default_search_config();
  CHECK(d.batch() == 128);
  CHECK(d.warmup_epochs() == 1);
  CHECK(d.search_epochs() == 2);
  CHECK(d.finetune_epochs() == 1);
  CHECK(d.target() == "latency");
  CHECK(d.model() == "calibrated");
  CHECK(d.refine());
  CHECK(!d.has_lambda());
  CHECK(!d.has_soc());
  const search::SearchConfig engine;
  CHECK(engine.batch == d.batch());
  CHECK(engine.threads == d.threads());
  CHECK(engine.seed == d.seed());
  CHECK(engine.lr == d.lr());
  CHECK(engine.arch_lr == d.arch_lr());
  CHECK(engine.dataset == d.dataset());
  CHECK(engine.refine == d.refine());
  CHECK(engine.finetune_epochs == d.finetune_epochs());
}

TEST_CASE("check_search_config: the first problem as one line naming the field and the value") {
  CHECK_NOTHROW(search::check_search_config(valid_config(), ""));
  auto fails = [](proto::SearchConfig c, const std::string& message) {
    CHECK_THROWS_WITH_AS(search::check_search_config(c, "p.pbtxt"), message.c_str(), Error);
  };
  proto::SearchConfig c = valid_config();
  c.set_batch(0);
  fails(c, "p.pbtxt: field 'batch': 0 must be in [1, 65536]");
  c = valid_config();
  c.set_finetune_epochs(0);
  fails(c, "p.pbtxt: field 'finetune_epochs': 0 must be in [1, 100000]");
  c = valid_config();
  c.set_lr(0);
  fails(c, "p.pbtxt: field 'lr': 0 must be in [1e-09, 10000]");
  c = valid_config();
  c.set_conv_branch_threshold(-0.5);
  fails(c, "p.pbtxt: field 'conv_branch_threshold': -0.5 must be in [0, 1]");
  c.set_conv_branch_threshold(std::nan(""));
  fails(c, "p.pbtxt: field 'conv_branch_threshold': nan must be in [0, 1]");
  c.set_conv_branch_threshold(1.5);
  fails(c, "p.pbtxt: field 'conv_branch_threshold': 1.5 must be in [0, 1]");
  c = valid_config();
  c.set_target("speed");
  fails(c, "p.pbtxt: field 'target': 'speed': expected latency or energy");
  c = valid_config();
  c.set_baseline("greedy");
  fails(c, "p.pbtxt: field 'baseline': 'greedy': a baseline has no lambda (set one of them)");
  c.clear_lambda();
  CHECK_NOTHROW(search::check_search_config(c, ""));
  c.set_baseline("all:");
  fails(c,
        "p.pbtxt: field 'baseline': 'all:': expected all:CU, policy, greedy, minlat or "
        "sensitivity[:macs|:measured]");
  c.clear_baseline();
  fails(c, "p.pbtxt: field 'lambda': missing: a search needs lambda >= 0 (or a baseline)");
  c = valid_config();
  c.set_adc_noise(0.1);
  fails(c, "p.pbtxt: field 'adc_noise': 0.1 needs adc_aware: true");
  c = valid_config();
  c.clear_soc();
  CHECK_THROWS_WITH_AS(search::check_search_config(c, ""),
                       "field 'soc': missing: a SoC is required (e.g. \"diana\")", Error);
}

TEST_CASE("the sensitivity baseline's fields: only on such a point, in range, defaults where unset") {
  proto::SearchConfig c = valid_config();
  c.clear_lambda();
  c.set_baseline("sensitivity:measured");
  CHECK_NOTHROW(search::check_search_config(c, ""));
  CHECK_FALSE(search::default_search_config().has_sensitivity_threshold());  // other files do not carry it
  search::SensitivityOptions o = search::sensitivity_options(c);
  CHECK(o.ranking == "measured");
  CHECK(o.threshold == 1);
  CHECK(o.chips == 5);
  CHECK(o.images == 2000);
  CHECK(o.noise.none());
  c.set_aimc_noise_lsb(0.5);
  c.set_sensitivity_threshold(2);
  o = search::sensitivity_options(c);
  CHECK(o.noise == ReadNoise::lsb(0.5));
  CHECK(o.threshold == 2);
  auto fails = [](proto::SearchConfig bad, const std::string& message) {
    CHECK_THROWS_WITH_AS(search::check_search_config(bad, "p.pbtxt"), message.c_str(), Error);
  };
  for (double t : {-1.0, 100.5, std::nan("")}) {
    proto::SearchConfig bad = c;
    bad.set_sensitivity_threshold(t);
    fails(bad, "p.pbtxt: field 'sensitivity_threshold': " + search::number_text(t) + " must be in [0, 100]");
  }
  proto::SearchConfig both = c;
  both.set_aimc_noise(0.1);
  fails(both, "p.pbtxt: field 'aimc_noise_lsb': 0.5: aimc_noise is set too (give the noise as one of them)");
  proto::SearchConfig other = c;
  other.set_baseline("greedy");
  fails(other,
        "p.pbtxt: field 'sensitivity_threshold': set, but only the sensitivity baseline uses it "
        "(baseline: 'greedy')");
  CHECK(search::sensitivity_options(valid_config()).ranking == "macs");
}

TEST_CASE("read_search_config: the file's fields over the defaults; errors name the file") {
  const std::string path =
      (std::filesystem::temp_directory_path() / "odimo-test-search-config.pbtxt").string();
  std::ofstream(path) << "soc: \"diana\"\nnet: \"tiny\"\nbaseline: \"policy\"\nbatch: 16\nrefine: false\n";
  const proto::SearchConfig c = search::read_search_config(path);
  CHECK(c.batch() == 16);
  CHECK(!c.refine());  // an explicit false is kept, not taken for unset
  CHECK(c.steps_per_epoch() == 0);
  CHECK(c.lr() == search::default_search_config().lr());
  std::ofstream(path) << "soc: \"diana\"\nnet: \"tiny\"\nlambda: 1\nthreads: 0\n";
  CHECK_THROWS_WITH_AS(search::read_search_config(path),
                       (path + ": field 'threads': 0 must be in [1, 256]").c_str(), Error);
  std::remove(path.c_str());
}

TEST_CASE("engine_config: input and target parsed, the label defaulted") {
  proto::SearchConfig c = valid_config();
  c.set_lambda(0.5);
  c.set_input("1x28x28");
  c.set_target("energy");
  search::SearchConfig e = search::engine_config(c);
  CHECK(e.label == "lambda=0.5");
  CHECK(e.lambda == 0.5);
  REQUIRE(e.input);
  CHECK(e.input->str() == "1x28x28");
  CHECK(e.target == search::Target::kEnergy);
  c.clear_lambda();
  c.set_baseline("minlat");
  CHECK(search::engine_config(c).label == "minlat");
  c.set_label("mine");
  CHECK(search::engine_config(c).label == "mine");
}

TEST_CASE("read noise: adc_noise (a fraction) or adc_noise_lsb, at most one; the engine's ReadNoise") {
  auto fails = [](const proto::SearchConfig& c, const std::string& message) {
    CHECK_THROWS_WITH_AS(search::check_search_config(c, "p.pbtxt"), message.c_str(), Error);
  };
  proto::SearchConfig given = valid_config();
  given.clear_adc_noise();
  given.set_adc_aware(true);
  given.set_adc_noise_lsb(3.2);
  proto::SearchConfig c = search::complete_search_config(given, "p.pbtxt");  // the default's 0 gives way
  CHECK(!c.has_adc_noise());
  search::SearchConfig e = search::engine_config(c);
  CHECK(e.adc_noise == ReadNoise::lsb(3.2));
  const std::string lsb_line = search::search_fingerprint(e, "diana", "calibrated");
  CHECK(lsb_line.find(" adc_noise=3.2000000000000002lsb fixed=") != std::string::npos);
  c.set_adc_noise(0.1);
  fails(c, "p.pbtxt: field 'adc_noise_lsb': 3.2: adc_noise is set too (give the noise as one of them)");
  c.clear_adc_noise();
  c.set_adc_noise_lsb(2000);
  fails(c, "p.pbtxt: field 'adc_noise_lsb': 2000 must be in [0, 1024]");
  c.set_adc_noise_lsb(1);
  c.set_adc_aware(false);
  fails(c, "p.pbtxt: field 'adc_noise_lsb': 1 needs adc_aware: true");
  // The fraction: a ReadNoise of that fraction, the fingerprint's bytes those of the double.
  c = valid_config();
  c.set_adc_aware(true);
  c.set_adc_noise(0.05);
  e = search::engine_config(c);
  CHECK(e.adc_noise == ReadNoise(0.05));
  const std::string line = search::search_fingerprint(e, "diana", "calibrated");
  CHECK(line.find(" adc_aware=1 adc_noise=0.050000000000000003 fixed=") != std::string::npos);
}
