#include "cli/model_option.h"

#include <CLI/CLI.hpp>

#include "mapper/cost/calibrated_model.h"
#include "proto/error.h"

namespace odimo::cli {

void add_calibration_option(CLI::App& app, ModelChoice& c) {
  app.add_option("--calibration", c.calibration,
                 "coefficients of the calibrated model (default: hw/socs/<soc>.calibration.pbtxt)");
}

void add_model_options(CLI::App& app, ModelChoice& c) {
  app.add_option("--model", c.model, "cost model: calibrated or odimo-compat (the original ODiMO formulas)");
  add_calibration_option(app, c);
}

std::unique_ptr<cost::CostModel> make_model(const ModelChoice& c, const SocDescription& soc) {
  if (c.model == "odimo-compat" && !c.calibration.empty())
    throw Error("--calibration applies to --model calibrated only");
  if (c.model != "calibrated" && c.model != "odimo-compat")
    throw Error("--model '" + c.model + "': available models: calibrated, odimo-compat");
  return cost::make_model(c.model, c.calibration, soc);
}

}  // namespace odimo::cli
