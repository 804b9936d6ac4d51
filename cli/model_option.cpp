#include "cli/model_option.h"

#include "mapper/cost/calibrated_model.h"
#include "proto/error.h"

namespace odimo::cli {

std::unique_ptr<cost::CostModel> make_model(const Args& args, const SocDescription& soc) {
  const std::string name = args.get("model").value_or("calibrated");
  if (name == "odimo-compat") {
    if (args.get("calibration"))
      throw Error("odimo " + args.command() + ": --calibration applies to --model calibrated only");
    return cost::make_compat_model(soc);
  }
  if (name != "calibrated") {
    throw Error("odimo " + args.command() + ": --model '" + name +
                "': available models: calibrated, odimo-compat");
  }
  std::string origin;
  const proto::Calibration cal = cost::load_calibration(args.get("calibration").value_or(""), soc, &origin);
  return std::make_unique<cost::CalibratedModel>(soc, cal, origin);
}

}  // namespace odimo::cli
