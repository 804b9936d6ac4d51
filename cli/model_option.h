#pragma once
// --model calibrated|odimo-compat and --calibration FILE, shared by the commands
// that evaluate the analytic cost model (cost, search, sweep).
#include <memory>
#include <string>

#include "hw/soc_description.h"
#include "mapper/cost/cost_model.h"

namespace CLI {
class App;
}

namespace odimo::cli {

struct ModelChoice {
  std::string model = "calibrated";
  std::string calibration;  // empty: the SoC's shipped calibration
};

// --model and --calibration; --calibration alone (validate compares both models).
void add_model_options(CLI::App& app, ModelChoice& choice);
void add_calibration_option(CLI::App& app, ModelChoice& choice);
std::unique_ptr<cost::CostModel> make_model(const ModelChoice& choice, const SocDescription& soc);

}  // namespace odimo::cli
