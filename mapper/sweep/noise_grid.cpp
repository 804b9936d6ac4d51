#include "mapper/sweep/noise_grid.h"

#include <cstdlib>
#include <set>
#include <sstream>

#include "hw/cu/analog_nonideality.h"
#include "mapper/search_files/search_config.h"
#include "mapper/sweep/plan.h"
#include "proto/error.h"

namespace odimo::sweep {
namespace {

constexpr const char* kNoisePrefix = "noise=";
constexpr const char* kNoiseSuffix = "lsb";

[[noreturn]] void bad(const std::string& file, const std::string& field, const std::string& what) {
  throw Error((file.empty() ? "" : file + ": ") + "field '" + field + "': " + what);
}

std::string lsb_range() {
  return "[0, " + format_number(kMaxNoiseLsb) + "] (sigma in ADC LSBs)";
}

// The training noise in LSBs, and both units of it not given at once.
void check_training_noise(const proto::SweepSpec& s, const std::string& path) {
  if (!(s.adc_noise_lsb() >= 0 && s.adc_noise_lsb() <= kMaxNoiseLsb))
    bad(path, "adc_noise_lsb", format_number(s.adc_noise_lsb()) + " must be in " + lsb_range());
  if (s.adc_noise_lsb() > 0 && !s.adc_aware())
    bad(path, "adc_noise_lsb", format_number(s.adc_noise_lsb()) + " needs adc_aware: true");
  if (s.adc_noise_lsb() > 0 && s.adc_noise() > 0)
    bad(path, "adc_noise_lsb",
        format_number(s.adc_noise_lsb()) + ": adc_noise is set too (give the training noise in one unit)");
}

// The grid's levels, and what may not be given beside them.
void check_levels(const proto::SweepSpec& s, const std::string& path) {
  std::set<double> seen;
  for (double v : s.aimc_noise_lsb()) {
    if (!(v >= 0 && v <= kMaxNoiseLsb))
      bad(path, "aimc_noise_lsb", "'" + format_number(v) + "': expected a level in " + lsb_range());
    if (!seen.insert(v).second) bad(path, "aimc_noise_lsb", format_number(v) + " is listed twice");
  }
  if (s.aimc_noise_lsb().empty()) return;
  if (s.deploy_aimc_noise() > 0)
    bad(path, "aimc_noise_lsb",
        "deploy_aimc_noise is " + format_number(s.deploy_aimc_noise()) +
            " too: give the deployment's read noise in one unit (the levels, in LSBs)");
  if (s.adc_aware() && (s.adc_noise() > 0 || s.adc_noise_lsb() > 0))
    bad(path, "aimc_noise_lsb",
        "with adc_aware every level is also the training noise: remove adc_noise and adc_noise_lsb");
  if (s.has_deploy() && !s.deploy() && !s.adc_aware() && s.noise_aware_lambda().empty())
    bad(path, "aimc_noise_lsb",
        "deploy: false and no noise-aware search: the levels would change nothing (deploy the points, or "
        "set adc_aware or noise_aware_lambda)");
}

void check_noise_aware_lambdas(const proto::SweepSpec& s, const std::string& path) {
  if (s.noise_aware_lambda().empty()) return;
  if (s.aimc_noise_lsb().empty())
    bad(path, "noise_aware_lambda", "needs aimc_noise_lsb: the levels its searches train at");
  if (s.adc_aware())
    bad(path, "noise_aware_lambda",
        "adc_aware: true already makes every point noise-aware (list these lambdas under lambda)");
  const search::ConfigField& f = search::config_field("lambda");
  std::set<double> seen;
  for (double l : s.noise_aware_lambda()) {
    if (!(l >= f.min && l <= f.max))
      bad(path, "noise_aware_lambda",
          "'" + format_number(l) + "': expected a number in [" + format_number(f.min) + ", " +
              format_number(f.max) + "]");
    if (!seen.insert(l).second) bad(path, "noise_aware_lambda", format_number(l) + " is listed twice");
  }
}

}  // namespace

void check_noise(const proto::SweepSpec& s, const std::string& path) {
  check_training_noise(s, path);
  check_levels(s, path);
  check_noise_aware_lambdas(s, path);
}

std::vector<std::optional<double>> noise_levels(const proto::SweepSpec& s) {
  if (s.aimc_noise_lsb().empty()) return {std::nullopt};
  return {s.aimc_noise_lsb().begin(), s.aimc_noise_lsb().end()};
}

std::string noise_word(const std::optional<double>& level) {
  return level ? std::string(" ") + kNoisePrefix + format_number(*level) + kNoiseSuffix : "";
}

namespace {

// The level of one label word, if it is a noise word.
std::optional<double> word_level(const std::string& w) {
  const std::string prefix = kNoisePrefix, suffix = kNoiseSuffix;
  if (w.size() <= prefix.size() + suffix.size() || w.rfind(prefix, 0) != 0 ||
      w.compare(w.size() - suffix.size(), suffix.size(), suffix) != 0)
    return std::nullopt;
  const std::string number = w.substr(prefix.size(), w.size() - prefix.size() - suffix.size());
  char* end = nullptr;
  const double v = std::strtod(number.c_str(), &end);
  if (*end != '\0') return std::nullopt;
  return v;
}

}  // namespace

std::optional<double> label_noise(const std::string& label) {
  std::istringstream words(label);
  for (std::string w; words >> w;)
    if (auto level = word_level(w)) return level;
  return std::nullopt;
}

std::string label_without_noise(const std::string& label) {
  std::string out;
  std::istringstream words(label);
  for (std::string w; words >> w;)
    if (!word_level(w)) out += (out.empty() ? "" : " ") + w;
  return out;
}

void set_training_noise(proto::SearchConfig& c, const proto::SweepSpec& s, const proto::SweepPoint& p,
                        bool noise_aware) {
  c.set_adc_aware(s.adc_aware()), c.set_adc_noise(s.adc_noise());
  if (s.adc_noise_lsb() > 0) c.clear_adc_noise(), c.set_adc_noise_lsb(s.adc_noise_lsb());
  if (!p.has_aimc_noise_lsb() || !noise_aware) return;
  c.set_adc_aware(true);
  c.clear_adc_noise(), c.set_adc_noise_lsb(p.aimc_noise_lsb());
}

}  // namespace odimo::sweep
