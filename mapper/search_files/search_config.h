#pragma once
// The configuration of one search (proto::SearchConfig, proto/search.proto): every field's
// default, range and help in one table, shared by `odimo search` (its options), the sweep
// planner (point files), `odimo demo` and the search itself. Depends on no training code, so
// that the sweep library can plan and check searches without linking the engine.
#include <string>
#include <vector>

#include "hw/cu/analog_nonideality.h"
#include "proto/search.pb.h"

namespace odimo::search {

// One field of proto::SearchConfig.
struct ConfigField {
  const char* name;      // the proto field
  const char* fallback;  // its default as text; "" for none (strings: empty; lambda: required)
  double min, max;       // numbers: the accepted range; strings and flags: both 0
  const char* help;
  // Set only with this baseline ("sensitivity"): default_search_config leaves the field out
  // (so other configurations and their files do not carry it) and a configuration of another
  // kind may not set it; sensitivity_options gives its default.
  const char* only_with_baseline = "";
};

const std::vector<ConfigField>& config_fields();
// The row of `name`; a name not in the table is a programming error (std::logic_error).
const ConfigField& config_field(const std::string& name);

// Every field with a default set to it (lambda and the empty strings stay unset).
proto::SearchConfig default_search_config();

// Checks a filled configuration; the first problem is an Error "<origin>: field 'F': <value>
// <what was expected>" (without "<origin>: " when origin is empty).
void check_search_config(const proto::SearchConfig& config, const std::string& origin);

// The fields `given` sets over the defaults, checked (errors start with `origin`).
proto::SearchConfig complete_search_config(const proto::SearchConfig& given, const std::string& origin);
// A text-format file (a bare SearchConfig) over the defaults, checked.
proto::SearchConfig read_search_config(const std::string& path);

// Whether `baseline` names the sensitivity baseline ("sensitivity", "sensitivity:macs",
// "sensitivity:measured"; mapper/deploy/sensitivity.h).
bool is_sensitivity_baseline(const std::string& baseline);

// The sensitivity baseline's settings of a checked configuration, the table's defaults where
// the fields are unset.
struct SensitivityOptions {
  std::string ranking;  // "macs" or "measured"
  double threshold;     // accuracy points
  ReadNoise noise;      // read noise of the decisions
  int chips;            // chip instances (0: the ideal chip)
  int images;           // validation images per instance (0: all)
};
SensitivityOptions sensitivity_options(const proto::SearchConfig& config);

// The shortest decimal text that reads back as the same double ("0.1", "30").
std::string number_text(double x);

}  // namespace odimo::search
