#pragma once
// `odimo calibrate`: simulate a layer suite in one elaboration and fit the
// calibrated cost model's coefficients (mapper/cost/calibrated_model.h) by
// non-negative least squares on relative errors.
#include <string>
#include <vector>

#include "proto/calibration.pb.h"
#include "sim/simulator.h"
#include "validation/suite.h"

namespace odimo::validation {

// Simulates every point (one job each) on `simulator`, in suite order.
std::vector<sim::JobResult> simulate_points(sim::Simulator& simulator, const std::vector<SuitePoint>& points);

// Fits on the points that are not held out; records fit errors on both parts.
proto::Calibration fit_calibration(const SocDescription& soc, const std::vector<SuitePoint>& points,
                                   const std::vector<sim::JobResult>& results,
                                   const std::string& suite_origin);

// Relative-error summary of a model against the simulator on some points.
struct ErrorStats {
  int samples = 0;
  double mean = 0;  // mean |pred - sim| / sim
  double max = 0;
  std::string worst;  // point with the largest error
  void add(double predicted, double simulated, const std::string& name);
};

}  // namespace odimo::validation
