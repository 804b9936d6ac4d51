#include "mapper/search_files/search_config.h"

#include <google/protobuf/descriptor.h>

#include <charconv>
#include <cstdint>
#include <stdexcept>

#include "hw/cu/analog_nonideality.h"
#include "mapper/tensor/limits.h"
#include "proto/error.h"
#include "proto/proto_io.h"
#include "workloads/network.h"

namespace odimo::search {
namespace {

using google::protobuf::FieldDescriptor;
using mapper::kMaxEpochs, mapper::kMaxBatch, mapper::kMaxSteps, mapper::kMaxThreads;
using mapper::kMinLr, mapper::kMaxLr, mapper::kMaxLambda;

constexpr double kMaxSeed = 4294967295.0;  // seeds are 32 bits (the data order's generators)
constexpr double kMaxChips = 1000;         // chip instances, as odimo deploy --chips
constexpr double kMaxImages = 10000000;    // validation images

const std::vector<ConfigField> kFields = {
    {"soc", "", 0, 0, "the SoC: a shipped name (odimo socs) or a SoC .pbtxt file"},
    {"net", "", 0, 0, "the network: a shipped name, a .pbtxt or a .onnx file"},
    {"input", "", 0, 0, "CxHxW: the network's input shape (default: its own)"},
    {"dataset", "fashion-mnist", 0, 0,
     "fashion-mnist, fashion-mnist:DIR, cifar10:DIR, cifar100:DIR, imagefolder:DIR or synthetic"},
    {"target", "latency", 0, 0, "the cost searched for: latency or energy"},
    {"lambda", "", 0, kMaxLambda, "weight of cost / cost(all on the default CU) in the loss (>= 0)"},
    {"baseline", "", 0, 0,
     "fine-tune a fixed mapping instead of searching: all:CU, policy (the SoC's own deployment\n"
     "rule), greedy (per-layer best split on the cost model), minlat (ODiMO's min-latency\n"
     "heuristic) or sensitivity[:macs|:measured] (layers converted to the analog CU one at a\n"
     "time while the deployed accuracy stays within a threshold of all-digital, LionHeart's rule)"},
    {"warmup_epochs", "1", 0, kMaxEpochs, "epochs training the weights only"},
    {"search_epochs", "2", 0, kMaxEpochs, "epochs learning weights, quantizers and the mapping"},
    {"finetune_epochs", "1", 1, kMaxEpochs, "epochs with the discretised mapping frozen"},
    {"batch", "128", 1, kMaxBatch, "images per step"},
    {"steps_per_epoch", "0", 0, kMaxSteps, "cut every epoch after N steps (0: whole epochs)"},
    {"threads", "2", 1, kMaxThreads, "the batch is split over this many threads"},
    {"seed", "1", 0, kMaxSeed, "seed of initialisation, data order and the search"},
    {"lr", "0.05", kMinLr, kMaxLr, "learning rate of the weights (SGD)"},
    {"arch_lr", "0.05", kMinLr, kMaxLr, "learning rate of the architecture logits (Adam)"},
    {"model", "calibrated", 0, 0, "the cost model: calibrated or odimo-compat"},
    {"calibration", "", 0, 0, "the calibrated model's fit (default: the SoC's shipped one)"},
    {"compat", "false", 0, 0, "ODiMO's quirks (temperature e^-0.045/epoch, sign(0) = 0)"},
    {"refine", "true", 0, 0,
     "refine each layer's split on the discrete cost after the search (odimo's addition,\n"
     "mapper/search/README.md)"},
    {"adc_aware", "false", 0, 0,
     "model the AIMC's ADC (row-tile column sums, power-of-two gain, clip) in training\n"
     "(mapper/nn/adc.h); the gains go into the weights as <layer>.adc_shift for odimo deploy"},
    {"adc_noise", "0", 0, kMaxNoiseFraction,
     "with adc_aware: training-time Gaussian noise on each column sum, sigma as a fraction\n"
     "of the ADC full scale (as odimo deploy --aimc-noise)"},
    {"adc_noise_lsb", "", 0, kMaxNoiseLsb,
     "instead of adc_noise: the same sigma in ADC LSBs (hw/cu/analog_nonideality.h); at most\n"
     "one of the two is set"},
    {"init", "", 0, 0,
     "FILE: pretrained float weights the search starts from: DIR/checkpoint.pb of odimo\n"
     "train, W.pb of odimo import --weights, or a .onnx with initializers"},
    {"label", "", 0, 0, "the point's name in reports (default: lambda=L or the baseline)"},
    {"conv_branch_threshold", "0.001", 0, 1,
     "Darkside's thermometric layers: output channels whose weight on the conv branch (the\n"
     "mask m_c) is below this skip that branch where the search does not need its output\n"
     "(the same mapping and gradients up to float rounding, mapper/search/README.md); 0: the\n"
     "conv branch in full on every channel"},
    {"sensitivity_threshold", "1", 0, 100,
     "sensitivity baseline: a layer stays on the analog CU if the deployed validation accuracy\n"
     "(mean over the chip instances) is at most this many points below all-digital",
     "sensitivity"},
    {"aimc_noise", "0", 0, kMaxNoiseFraction,
     "sensitivity baseline: read noise of the decisions' deployments, sigma as a fraction of the\n"
     "ADC full scale (as odimo deploy --aimc-noise)",
     "sensitivity"},
    {"aimc_noise_lsb", "", 0, kMaxNoiseLsb, "instead of aimc_noise: the same sigma in ADC LSBs",
     "sensitivity"},
    {"chips", "5", 0, kMaxChips,
     "sensitivity baseline: chip instances (the SoC file's column mismatch, seeded by the seed)\n"
     "each decision is deployed on; 0: the ideal chip",
     "sensitivity"},
    {"sensitivity_images", "2000", 0, kMaxImages,
     "sensitivity baseline: the first N validation images each decision is deployed on (0: all)",
     "sensitivity"},
};

[[noreturn]] void bad(const std::string& origin, const std::string& field, const std::string& what) {
  throw Error((origin.empty() ? "" : origin + ": ") + "field '" + field + "': " + what);
}

const FieldDescriptor& descriptor_of(const std::string& name) {
  const FieldDescriptor* f = proto::SearchConfig::descriptor()->FindFieldByName(name);
  if (!f) throw std::logic_error("proto::SearchConfig has no field " + name);
  return *f;
}

void set_from_text(proto::SearchConfig& c, const FieldDescriptor& f, const std::string& text) {
  const auto* r = c.GetReflection();
  switch (f.cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      r->SetString(&c, &f, text);
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      r->SetBool(&c, &f, text == "true");
      break;
    case FieldDescriptor::CPPTYPE_INT32:
      r->SetInt32(&c, &f, std::stoi(text));
      break;
    case FieldDescriptor::CPPTYPE_UINT64:
      r->SetUInt64(&c, &f, std::stoull(text));
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      r->SetDouble(&c, &f, std::stod(text));
      break;
    default:
      throw std::logic_error("proto::SearchConfig." + f.name() + ": no default of its type");
  }
}

// A number field's value, as a double (every int32 and 32-bit seed is exact).
double number_of(const proto::SearchConfig& c, const FieldDescriptor& f) {
  const auto* r = c.GetReflection();
  switch (f.cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return r->GetInt32(c, &f);
    case FieldDescriptor::CPPTYPE_UINT64:
      return double(r->GetUInt64(c, &f));
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return r->GetDouble(c, &f);
    default:
      throw std::logic_error("proto::SearchConfig." + f.name() + " is not a number");
  }
}

void check_ranges(const proto::SearchConfig& c, const std::string& origin) {
  for (const auto& row : kFields) {
    if (row.min == 0 && row.max == 0) continue;
    const FieldDescriptor& f = descriptor_of(row.name);
    if (!c.GetReflection()->HasField(c, &f)) continue;
    const double v = number_of(c, f);
    // Counts as integers ("100000"), rates as the shortest round trip ("1e-09").
    const bool count = f.cpp_type() != FieldDescriptor::CPPTYPE_DOUBLE;
    auto text = [count](double x) { return count ? std::to_string(int64_t(x)) : number_text(x); };
    if (!(v >= row.min && v <= row.max))
      bad(origin, row.name, text(v) + " must be in [" + text(row.min) + ", " + text(row.max) + "]");
  }
}

void check_choice(const std::string& origin, const char* field, const std::string& value,
                  std::initializer_list<const char*> allowed, const std::string& expected) {
  for (const char* a : allowed)
    if (value == a) return;
  bad(origin, field, "'" + value + "': expected " + expected);
}

// Exactly one of lambda and baseline, the baseline's form.
void check_point(const proto::SearchConfig& c, const std::string& origin) {
  if (c.has_lambda() && !c.baseline().empty())
    bad(origin, "baseline", "'" + c.baseline() + "': a baseline has no lambda (set one of them)");
  if (!c.has_lambda() && c.baseline().empty())
    bad(origin, "lambda", "missing: a search needs lambda >= 0 (or a baseline)");
  const std::string& b = c.baseline();
  if (!b.empty() && b != "policy" && b != "greedy" && b != "minlat" && !is_sensitivity_baseline(b) &&
      (b.rfind("all:", 0) != 0 || b.size() == 4))
    bad(origin, "baseline",
        "'" + b + "': expected all:CU, policy, greedy, minlat or sensitivity[:macs|:measured]");
}

// The sensitivity baseline's fields: only on such a point, the noise in one of its forms.
void check_sensitivity(const proto::SearchConfig& c, const std::string& origin) {
  for (const auto& row : kFields) {
    if (!*row.only_with_baseline || !c.GetReflection()->HasField(c, &descriptor_of(row.name))) continue;
    if (!is_sensitivity_baseline(c.baseline()))
      bad(origin, row.name,
          "set, but only the sensitivity baseline uses it (baseline: '" + c.baseline() + "')");
  }
  if (c.has_aimc_noise() && c.has_aimc_noise_lsb())
    bad(origin, "aimc_noise_lsb",
        number_text(c.aimc_noise_lsb()) + ": aimc_noise is set too (give the noise as one of them)");
}

// The read noise: one of its two forms, and only with the ADC in training.
void check_noise(const proto::SearchConfig& c, const std::string& origin) {
  if (c.has_adc_noise() && c.has_adc_noise_lsb())
    bad(origin, "adc_noise_lsb",
        number_text(c.adc_noise_lsb()) + ": adc_noise is set too (give the noise as one of them)");
  if (c.adc_noise() > 0 && !c.adc_aware())
    bad(origin, "adc_noise", number_text(c.adc_noise()) + " needs adc_aware: true");
  if (c.adc_noise_lsb() > 0 && !c.adc_aware())
    bad(origin, "adc_noise_lsb", number_text(c.adc_noise_lsb()) + " needs adc_aware: true");
}

}  // namespace

std::string number_text(double x) {
  char buf[40];
  const auto r = std::to_chars(buf, buf + sizeof buf, x);  // shortest round trip: "100", "0.1", "1e-07"
  return std::string(buf, r.ptr);
}

const std::vector<ConfigField>& config_fields() {
  return kFields;
}

const ConfigField& config_field(const std::string& name) {
  for (const auto& row : kFields)
    if (name == row.name) return row;
  throw std::logic_error("proto::SearchConfig has no field " + name + " in the table");
}

proto::SearchConfig default_search_config() {
  proto::SearchConfig c;
  for (const auto& row : kFields)
    if (*row.fallback && !*row.only_with_baseline) set_from_text(c, descriptor_of(row.name), row.fallback);
  return c;
}

bool is_sensitivity_baseline(const std::string& b) {
  return b == "sensitivity" || b == "sensitivity:macs" || b == "sensitivity:measured";
}

SensitivityOptions sensitivity_options(const proto::SearchConfig& c) {
  proto::SearchConfig d;  // the table's defaults of the baseline's fields
  for (const auto& row : kFields)
    if (*row.fallback && *row.only_with_baseline) set_from_text(d, descriptor_of(row.name), row.fallback);
  d.MergeFrom(c);
  SensitivityOptions o;
  o.ranking = c.baseline() == "sensitivity:measured" ? "measured" : "macs";
  o.threshold = d.sensitivity_threshold();
  o.noise = c.has_aimc_noise_lsb() ? ReadNoise::lsb(c.aimc_noise_lsb()) : ReadNoise(d.aimc_noise());
  o.chips = d.chips();
  o.images = d.sensitivity_images();
  return o;
}

void check_search_config(const proto::SearchConfig& c, const std::string& origin) {
  if (c.soc().empty()) bad(origin, "soc", "missing: a SoC is required (e.g. \"diana\")");
  if (c.net().empty()) bad(origin, "net", "missing: a network is required (e.g. \"resnet8\")");
  if (c.dataset().empty()) bad(origin, "dataset", "missing: " + std::string(config_field("dataset").help));
  check_choice(origin, "target", c.target(), {"latency", "energy"}, "latency or energy");
  check_choice(origin, "model", c.model(), {"calibrated", "odimo-compat"}, "calibrated or odimo-compat");
  if (!c.input().empty()) parse_shape(c.input(), (origin.empty() ? "" : origin + ": ") + "field 'input'");
  check_ranges(c, origin);
  check_point(c, origin);
  check_noise(c, origin);
  check_sensitivity(c, origin);
}

proto::SearchConfig complete_search_config(const proto::SearchConfig& given, const std::string& origin) {
  proto::SearchConfig c = default_search_config();
  if (given.has_adc_noise_lsb()) c.clear_adc_noise();  // the noise's form given replaces the default's
  c.MergeFrom(given);  // the fields `given` sets (explicit presence) over the defaults
  check_search_config(c, origin);
  return c;
}

proto::SearchConfig read_search_config(const std::string& path) {
  proto::SearchConfig file;
  read_text_proto(path, &file);
  return complete_search_config(file, path);
}

}  // namespace odimo::search
