#include "mapper/sweep/plan.h"

#include <google/protobuf/util/message_differencer.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>

#include "hw/soc_description.h"
#include "mapper/cost/calibrated_model.h"
#include "mapper/search_files/search_config.h"
#include "mapper/search_files/search_report.h"
#include "mapper/sweep/deploy_step.h"
#include "mapper/sweep/noise_grid.h"
#include "mapper/tensor/limits.h"
#include "proto/error.h"
#include "proto/proto_io.h"
#include "workloads/network.h"

namespace odimo::sweep {
namespace fs = std::filesystem;

std::string format_number(double x) {
  return search::number_text(x);
}

namespace {

// A file reference in a spec (contains '/' or ends in .pbtxt) is relative to the
// spec's folder; a bare name is a shipped SoC or workload.
std::string resolve(const std::string& value, const fs::path& spec_dir) {
  const auto ext = fs::path(value).extension();
  const bool is_path = value.find('/') != std::string::npos || ext == ".pbtxt" || ext == ".onnx";
  if (!is_path || fs::path(value).is_absolute()) return value;
  return fs::absolute(spec_dir / value).lexically_normal().string();
}

[[noreturn]] void bad(const std::string& file, const std::string& field, const std::string& what) {
  throw Error((file.empty() ? "" : file + ": ") + "field '" + field + "': " + what);
}

std::vector<std::string> cus_of(const SocDescription& soc) {
  std::vector<std::string> out;
  for (const auto& cu : soc.soc.cu())
    if (!soc.unit(cu.name()).is_host()) out.push_back(cu.name());
  return out;
}

}  // namespace

proto::SweepSpec read_spec(const std::string& path) {
  proto::SweepSpec s;
  read_text_proto(path, &s);
  const fs::path dir = fs::absolute(path).parent_path();
  if (s.name().empty()) {
    std::string stem = fs::path(path).filename().string();
    for (const char* ext : {".pbtxt", ".sweep"})
      if (stem.size() > std::strlen(ext) &&
          stem.compare(stem.size() - std::strlen(ext), std::string::npos, ext) == 0)
        stem.resize(stem.size() - std::strlen(ext));
    s.set_name(stem);
  }
  for (int i = 0; i < s.soc_size(); ++i) s.set_soc(i, resolve(s.soc(i), dir));
  s.set_net(resolve(s.net(), dir));
  if (!s.calibration().empty()) s.set_calibration(resolve(s.calibration(), dir));
  if (!s.init().empty()) s.set_init(fs::absolute(dir / s.init()).lexically_normal().string());
  check_spec(s, path);
  return s;
}

namespace {

// Loads every SoC of the spec once (for every check that needs them).
std::vector<SocDescription> check_socs(const proto::SweepSpec& s, const std::string& path) {
  if (s.soc().empty()) bad(path, "soc", "at least one SoC is required (e.g. soc: \"diana\")");
  std::vector<SocDescription> socs;
  std::set<std::string> soc_names;
  for (int i = 0; i < s.soc_size(); ++i) {
    try {
      socs.push_back(load_soc(s.soc(i)));
    } catch (const Error& e) {
      bad(path, "soc[" + std::to_string(i) + "]", e.what());
    }
    if (!soc_names.insert(socs.back().name()).second)
      bad(path, "soc", "SoC '" + socs.back().name() + "' is listed twice");
  }
  return socs;
}

// The network loads, the data set's images fit its input, the target is known.
void check_data(proto::SweepSpec& s, const std::string& path) {
  if (s.net().empty()) bad(path, "net", "a network is required (e.g. net: \"resnet8\")");
  Shape net_input;
  try {
    std::optional<Shape> input;
    if (!s.input().empty()) input = parse_shape(s.input(), "input");
    net_input = load_network(s.net(), input).input;
  } catch (const Error& e) {
    bad(path, s.input().empty() ? "net" : "net/input", e.what());
  }
  if (s.dataset().empty()) s.set_dataset("fashion-mnist");
  const std::string& d = s.dataset();
  auto starts = [&](const char* prefix) { return d.rfind(prefix, 0) == 0; };
  const bool fashion = d == "fashion-mnist" || starts("fashion-mnist:");
  if (!fashion && d != "synthetic" && !starts("cifar10:") && !starts("cifar100:") && !starts("imagefolder:"))
    bad(path, "dataset",
        "'" + d +
            "': expected fashion-mnist, fashion-mnist:DIR, synthetic, cifar10:DIR, cifar100:DIR or "
            "imagefolder:DIR");
  // The image shape of the fixed-size sets is known: a mismatch would fail every point
  // (image folders are cropped to the network's input).
  const Shape images = fashion ? Shape{1, 28, 28} : Shape{3, 32, 32};
  if (d != "synthetic" && !starts("imagefolder:") && net_input != images)
    bad(path, "dataset",
        d + " has " + images.str() + " images but the network takes " + net_input.str() + " (set input: \"" +
            images.str() + "\")");
  if (s.target().empty()) s.set_target("latency");
  if (s.target() != "latency" && s.target() != "energy")
    bad(path, "target", "'" + s.target() + "': expected latency or energy");
}

// The spec field `name` within the range of odimo search's option of the same name.
void check_config_range(const std::string& path, const char* name, double value,
                        const std::string& unit = "") {
  const search::ConfigField& f = search::config_field(name);
  if (!(value >= f.min && value <= f.max))
    bad(path, name,
        format_number(value) + " must be in [" + format_number(f.min) + ", " + format_number(f.max) + "]" +
            unit);
}

// The sensitivity baseline's threshold: in its range, and only with that baseline.
void check_sensitivity_threshold(const proto::SweepSpec& s, const std::string& path) {
  if (!s.has_sensitivity_threshold()) return;
  const double t = s.sensitivity_threshold();
  check_config_range(path, "sensitivity_threshold", t, " (points)");
  if (std::none_of(s.baseline().begin(), s.baseline().end(), search::is_sensitivity_baseline))
    bad(path, "sensitivity_threshold", format_number(t) + ": the spec has no sensitivity baseline");
}

// The conv branch's threshold: in its range (the one of odimo search's option).
void check_conv_branch_threshold(const proto::SweepSpec& s, const std::string& path) {
  if (s.has_conv_branch_threshold())
    check_config_range(path, "conv_branch_threshold", s.conv_branch_threshold());
}

// Lambdas, baselines (their CU on every SoC) and seeds.
void check_points(proto::SweepSpec& s, const std::vector<SocDescription>& socs, const std::string& path) {
  std::set<double> lambdas;
  for (double l : s.lambda()) {
    const search::ConfigField& f = search::config_field("lambda");
    if (!(l >= f.min && l <= f.max))
      bad(path, "lambda",
          "'" + format_number(l) + "': expected a number in [" + format_number(f.min) + ", " +
              format_number(f.max) + "]");
    if (!lambdas.insert(l).second) bad(path, "lambda", format_number(l) + " is listed twice");
  }
  for (const auto& b : s.baseline()) {
    if (b == "all" || b == "greedy" || b == "minlat" || search::is_sensitivity_baseline(b)) continue;
    if (b == "policy") {
      for (const auto& soc : socs)
        if (!soc.soc.has_policy())
          bad(path, "baseline", "'policy': SoC '" + soc.name() + "' has no deployment policy");
      continue;
    }
    if (b.rfind("all:", 0) != 0)
      bad(path, "baseline",
          "'" + b + "': expected all, all:CU, policy, greedy, minlat or sensitivity[:macs|:measured]");
    for (const auto& soc : socs) {
      const auto cus = cus_of(soc);
      if (std::find(cus.begin(), cus.end(), b.substr(4)) == cus.end())
        bad(path, "baseline", "'" + b + "': SoC '" + soc.name() + "' has no such compute unit");
    }
  }
  if (s.lambda().empty() && s.noise_aware_lambda().empty() && s.baseline().empty())
    bad(path, "lambda", "the spec has no lambda and no baseline: nothing to run");
  check_sensitivity_threshold(s, path);
  check_conv_branch_threshold(s, path);
  if (s.seed().empty()) s.add_seed(1);
  std::set<uint64_t> seeds(s.seed().begin(), s.seed().end());
  if (int(seeds.size()) != s.seed_size()) bad(path, "seed", "a seed is listed twice");
  // A point runs `odimo train|search --seed N`, whose seed is 32 bits: a larger one would be
  // refused by every point at run time, after the plan was written.
  for (uint64_t seed : s.seed())
    if (seed > 4294967295ULL) bad(path, "seed", std::to_string(seed) + " must be in [0, 4294967295]");
}

// Epochs, batch, threads, learning rates: defaults filled, ranges checked.
void check_training(proto::SweepSpec& s, const std::string& path) {
  if (!s.has_warmup_epochs()) s.set_warmup_epochs(1);
  if (!s.has_search_epochs()) s.set_search_epochs(2);
  if (!s.has_finetune_epochs()) s.set_finetune_epochs(1);
  // A count in [lo, hi] (mapper/tensor/limits.h), or `bad` names the field, the value and the range.
  auto count = [&](const char* field, int64_t v, int64_t lo, int64_t hi) {
    if (v < lo || v > hi)
      bad(path, field,
          std::to_string(v) + " must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  };
  // The ranges of the search configuration's fields (search_config.h); 0 means the default
  // for batch and threads here.
  auto config_count = [&](const char* field, int64_t v, bool zero_is_default = false) {
    const search::ConfigField& f = search::config_field(field);
    count(field, v, zero_is_default ? 0 : int64_t(f.min), int64_t(f.max));
  };
  config_count("warmup_epochs", s.warmup_epochs());
  config_count("search_epochs", s.search_epochs());
  config_count("finetune_epochs", s.finetune_epochs());
  config_count("steps_per_epoch", s.steps_per_epoch());
  config_count("batch", s.batch(), true);
  if (s.batch() == 0) s.set_batch(search::default_search_config().batch());
  config_count("threads", s.threads(), true);  // 0: one
  if (s.threads() == 0) s.set_threads(1);
  count("pretrain_epochs", s.pretrain_epochs(), 0, mapper::kMaxEpochs);
  if (!s.init().empty() && !file_exists(s.init())) bad(path, "init", "'" + s.init() + "': no such file");
  const search::ConfigField& noise = search::config_field("adc_noise");
  if (!(s.adc_noise() >= noise.min && s.adc_noise() <= noise.max))
    bad(path, "adc_noise",
        format_number(s.adc_noise()) + " must be in [" + format_number(noise.min) + ", " +
            format_number(noise.max) + "]");
  if (s.adc_noise() > 0 && !s.adc_aware())
    bad(path, "adc_noise", format_number(s.adc_noise()) + " needs adc_aware: true");
  for (auto [field, lr] : {std::pair{"lr", s.lr()}, {"arch_lr", s.arch_lr()}}) {  // 0: the search's default
    const search::ConfigField& f = search::config_field(field);
    if (!(lr == 0 || (lr >= f.min && lr <= f.max)))
      bad(path, field,
          format_number(lr) + " must be 0 (the default) or in [" + format_number(f.min) + ", " +
              format_number(f.max) + "]");
  }
}

// The cost model, and every SoC's calibration (fail now, not once per point).
void check_model(const proto::SweepSpec& s, const std::vector<SocDescription>& socs,
                 const std::string& path) {
  if (!s.model().empty() && s.model() != "calibrated" && s.model() != "odimo-compat")
    bad(path, "model", "'" + s.model() + "': expected calibrated or odimo-compat");
  if (!s.calibration().empty() && (s.soc_size() != 1 || s.model() == "odimo-compat"))
    bad(path, "calibration", "applies to a spec with one SoC and the calibrated model");
  if (s.model() != "odimo-compat")
    for (int i = 0; i < s.soc_size(); ++i) try {
        std::string origin;
        cost::load_calibration(s.calibration(), socs[size_t(i)], &origin);
      } catch (const Error& e) {
        bad(path, s.calibration().empty() ? "soc[" + std::to_string(i) + "]" : "calibration", e.what());
      }
}

}  // namespace

void check_spec(proto::SweepSpec& s, const std::string& path) {
  for (char c : s.name())
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      bad(path, "name", "'" + s.name() + "' may hold only letters, digits, '-', '_' and '.'");
  const std::vector<SocDescription> socs = check_socs(s, path);
  check_data(s, path);
  check_points(s, socs, path);
  check_training(s, path);
  check_noise(s, path);
  check_model(s, socs, path);
  check_deploy(s, socs, path);
}

namespace {

// The float pretraining point of one seed: `odimo train`, resumable (--resume).
proto::SweepPoint pretrain_point(const proto::SweepSpec& s, uint64_t seed, int index) {
  proto::SweepPoint p;
  p.set_index(index);
  p.set_kind("pretrain");
  p.set_command("train");
  p.set_seed(seed);
  p.set_label("pretrain" + (s.seed_size() > 1 ? " seed=" + std::to_string(seed) : std::string()));
  std::vector<std::string> a = {"--net", s.net()};
  if (!s.input().empty()) a.insert(a.end(), {"--input", s.input()});
  a.insert(a.end(), {"--dataset", s.dataset(), "--epochs", std::to_string(s.pretrain_epochs()), "--seed",
                     std::to_string(seed), "--threads", std::to_string(s.threads()), "--batch",
                     std::to_string(s.batch()), "--steps-per-epoch", std::to_string(s.steps_per_epoch()),
                     "--resume", "--quiet"});
  if (!s.init().empty()) a.insert(a.end(), {"--init", s.init()});
  for (auto& x : a) p.add_search_args(x);
  return p;
}

}  // namespace

namespace {

// The search a point of `s` runs on `soc` with `seed`: the spec's fields over the search's
// defaults. A baseline gets the same training budget as a search point, all of it with the
// mapping fixed; a point with a pretraining point gets its init at run time (run_here);
// a point at a noise level trains with it when `noise_aware` or the spec's adc_aware.
proto::SearchConfig point_config(const proto::SweepSpec& s, const proto::SweepPoint& p, bool noise_aware) {
  proto::SearchConfig c = search::default_search_config();
  c.set_soc(p.soc());
  c.set_net(s.net());
  if (!s.input().empty()) c.set_input(s.input());
  c.set_dataset(s.dataset());
  c.set_target(s.target());
  if (p.kind() == "search") {
    c.set_lambda(p.lambda());
    c.set_warmup_epochs(s.warmup_epochs()), c.set_search_epochs(s.search_epochs());
    c.set_finetune_epochs(s.finetune_epochs());
  } else {
    c.set_baseline(p.baseline());
    c.set_warmup_epochs(0), c.set_search_epochs(0);
    c.set_finetune_epochs(s.warmup_epochs() + s.search_epochs() + s.finetune_epochs());
  }
  c.set_seed(p.seed());
  c.set_threads(s.threads()), c.set_batch(s.batch()), c.set_steps_per_epoch(s.steps_per_epoch());
  if (s.lr() > 0) c.set_lr(s.lr());
  if (s.arch_lr() > 0) c.set_arch_lr(s.arch_lr());
  if (!s.model().empty()) c.set_model(s.model());
  if (!s.calibration().empty()) c.set_calibration(s.calibration());
  c.set_compat(s.compat());
  set_training_noise(c, s, p, noise_aware || s.adc_aware());
  if (!s.init().empty() && !p.has_init_from()) c.set_init(s.init());
  if (search::is_sensitivity_baseline(p.baseline())) {  // decided as the point is deployed
    if (s.has_sensitivity_threshold()) c.set_sensitivity_threshold(s.sensitivity_threshold());
    if (p.has_aimc_noise_lsb())
      c.set_aimc_noise_lsb(p.aimc_noise_lsb());
    else if (s.deploy_aimc_noise() > 0)
      c.set_aimc_noise(s.deploy_aimc_noise());
    if (s.deploy_chips() > 0) c.set_chips(s.deploy_chips());
  }
  if (s.has_conv_branch_threshold()) c.set_conv_branch_threshold(s.conv_branch_threshold());
  c.set_label(p.label());
  return c;
}

}  // namespace

namespace {

// The baselines of `soc`: "all" expanded to all:CU for each CU.
std::vector<std::string> baselines_of(const proto::SweepSpec& s, const SocDescription& soc) {
  std::vector<std::string> baselines;
  for (const auto& b : s.baseline()) {
    if (b == "all")
      for (const auto& cu : cus_of(soc)) baselines.push_back("all:" + cu);
    else
      baselines.push_back(b);
  }
  return baselines;
}

}  // namespace

std::vector<proto::SweepPoint> expand(const proto::SweepSpec& s) {
  std::vector<proto::SweepPoint> points;
  std::map<uint64_t, int> pretrained;  // seed -> its pretraining point, numbered first
  if (s.pretrain_epochs() > 0)
    for (uint64_t seed : s.seed()) {
      pretrained[seed] = int(points.size());
      points.push_back(pretrain_point(s, seed, int(points.size())));
    }
  for (const auto& soc_spec : s.soc()) {
    const SocDescription soc = load_soc(soc_spec);
    const std::vector<std::string> baselines = baselines_of(s, soc);
    std::map<std::string, int> first_level;  // a noise-blind point's label without level -> its first point
    for (const std::optional<double>& level : noise_levels(s))
      for (uint64_t seed : s.seed()) {
        auto add = [&](proto::SweepPoint p, const std::string& label, bool noise_aware) {
          p.set_index(int(points.size()));
          p.set_soc(soc_spec);
          p.set_seed(seed);
          if (level) p.set_aimc_noise_lsb(*level);
          if (pretrained.count(seed)) p.set_init_from(pretrained.at(seed));
          const std::string tail = (s.seed_size() > 1 ? " seed=" + std::to_string(seed) : std::string()) +
                                   (s.soc_size() > 1 ? " soc=" + soc.name() : std::string());
          p.set_label(label + noise_word(level) + tail);
          *p.mutable_config() = point_config(s, p, noise_aware);
          // the same search at every level, except the sensitivity baseline's (decided under the level)
          if (level && !noise_aware && !s.adc_aware() && !search::is_sensitivity_baseline(p.baseline())) {
            const auto [it, first] = first_level.emplace(label + tail, p.index());
            if (!first) p.set_search_from(it->second);
          }
          points.push_back(p);
        };
        auto search = [](double lambda) {
          proto::SweepPoint p;
          p.set_kind("search");
          p.set_lambda(lambda);
          return p;
        };
        for (double l : s.lambda()) add(search(l), "lambda=" + format_number(l), false);
        for (double l : s.noise_aware_lambda()) add(search(l), "lambda=" + format_number(l) + " aware", true);
        for (const auto& b : baselines) {
          proto::SweepPoint p;
          p.set_kind("baseline");
          p.set_baseline(b);
          add(p, b, false);
        }
      }
  }
  return points;
}

std::string point_name(const proto::SweepPlan& plan, int index) {
  const int width = std::max<int>(3, int(std::to_string(std::max(0, plan.points() - 1)).size()));
  char buf[32];
  std::snprintf(buf, sizeof buf, "point-%0*d", width, index);
  return buf;
}

void write_plan(const std::string& dir, const proto::SweepSpec& spec,
                const std::vector<proto::SweepPoint>& points) {
  proto::SweepPlan plan;
  *plan.mutable_spec() = spec;
  plan.set_points(int(points.size()));
  plan.set_tool_version(ODIMO_VERSION);
  const fs::path file = fs::path(dir) / "plan.pbtxt";
  if (file_exists(file)) {
    proto::SweepPlan old;
    read_text_proto(file.string(), &old);
    old.clear_tool_version();
    proto::SweepPlan cmp = plan;
    cmp.clear_tool_version();
    if (!google::protobuf::util::MessageDifferencer::Equals(old, cmp))
      throw Error(file.string() + ": holds a different plan; write the new one to another folder or delete " +
                  dir);
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error(dir + ": cannot create the plan folder: " + ec.message());
  for (const auto& p : points)
    write_text_proto((fs::path(dir) / (point_name(plan, p.index()) + ".pbtxt")).string(), p);
  write_text_proto(file.string(), plan);  // last: its presence marks a complete plan
}

proto::SweepPlan read_plan(const std::string& dir) {
  const std::string file = dir + "/plan.pbtxt";
  if (!file_exists(file))
    throw Error(file + ": cannot open (make a plan with: odimo sweep plan SPEC -o " + dir + ")");
  proto::SweepPlan plan;
  read_text_proto(file, &plan);
  if (plan.points() < 1)
    throw Error(file + ": field 'points': " + std::to_string(plan.points()) + " must be >= 1");
  return plan;
}

proto::SweepPoint read_point(const std::string& dir, const proto::SweepPlan& plan, int index) {
  if (index < 0 || index >= plan.points())
    throw Error(dir + ": point " + std::to_string(index) + " does not exist: the plan has points 0.." +
                std::to_string(plan.points() - 1));
  const std::string file = dir + "/" + point_name(plan, index) + ".pbtxt";
  proto::SweepPoint p;
  read_text_proto(file, &p);
  if (p.index() != index)
    throw Error(file + ": field 'index': " + std::to_string(p.index()) + ", expected " +
                std::to_string(index));
  if (p.command() == "train") {
    if (p.search_args().empty()) throw Error(file + ": field 'search_args': empty, nothing to run");
    return p;
  }
  if (!p.has_config())
    throw Error(file +
                ": field 'config': missing (a point file of an older odimo holds command-line words; " +
                "plan the spec again: odimo sweep plan SPEC -o DIR)");
  *p.mutable_config() = search::complete_search_config(p.config(), file + ": config");
  return p;
}

bool is_pretraining_result(const std::string& result_dir) {
  return (file_exists(result_dir + "/checkpoint.pb") || file_exists(result_dir + "/report.json")) &&
         !file_exists(result_dir + "/mapping.pbtxt");
}

bool point_replayed(const std::string& result_dir) {
  if (!file_exists(result_dir + "/report.json")) return false;
  if (is_pretraining_result(result_dir)) return true;  // odimo train writes report.json last
  try {
    return search::read_search_report(result_dir).replayed();
  } catch (const Error&) {
    return false;  // a half-written point is run again
  }
}

bool point_complete(const std::string& result_dir, const proto::SweepSpec& spec) {
  if (!point_replayed(result_dir)) return false;
  if (is_pretraining_result(result_dir)) return true;
  return !awaits_deployment(spec, search::read_search_report(result_dir));
}

}  // namespace odimo::sweep
