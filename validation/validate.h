#pragma once
// `odimo validate`: analytic (calibrated and odimo-compat) vs simulated latency
// and energy, per suite point and per whole network under several mappings.
#include <string>
#include <vector>

#include "hw/mapping.h"
#include "mapper/cost/cost_model.h"
#include "sim/simulator.h"
#include "validation/calibrate.h"
#include "validation/suite.h"

namespace odimo::validation {

struct PointCheck {
  std::string name;
  std::string group;  // "digital/conv2d", "split/conv2d", ...
  bool holdout = false;
  double sim_cycles = 0, sim_energy_uj = 0;
  double cal_cycles = 0, cal_energy_uj = 0;
  double compat_cycles = 0, compat_energy_uj = 0;
};

std::vector<PointCheck> check_points(const SocDescription& soc, const std::vector<SuitePoint>& points,
                                     const std::vector<sim::JobResult>& results,
                                     const cost::CostModel& calibrated, const cost::CostModel& compat);

// The mappings a network is validated under: all on each accelerator, a
// balanced split between the two accelerators wherever both can run a layer,
// and `random_splits` seeded random splits.
std::vector<ResolvedMapping> validation_mappings(const Network& net, const SocDescription& soc,
                                                 int random_splits);

struct NetworkCheck {
  std::string network, mapping;
  double sim_cycles = 0, sim_energy_uj = 0;
  double cal_cycles = 0, cal_energy_uj = 0;
  double compat_cycles = 0, compat_energy_uj = 0;
};

NetworkCheck check_network(sim::Simulator& simulator, const Network& net, const ResolvedMapping& mapping,
                           const cost::CostModel& calibrated, const cost::CostModel& compat);

double rel_error(double predicted, double simulated);

}  // namespace odimo::validation
