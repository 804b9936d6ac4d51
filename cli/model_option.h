#pragma once
// --model calibrated|odimo-compat and --calibration FILE, shared by the
// commands that evaluate the analytic cost model (cost, validate).
#include <memory>

#include "cli/args.h"
#include "hw/soc_description.h"
#include "mapper/cost/cost_model.h"

namespace odimo::cli {

std::unique_ptr<cost::CostModel> make_model(const Args& args, const SocDescription& soc);

}  // namespace odimo::cli
