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
// `results` are simulated or measured (validation/traces.h): a busy count < 0 or
// a NaN memory energy means "not measured", and that row is left out of its fit;
// a group of coefficients with no rows at all keeps `base`'s values (if given).
// `fit_tile_rates`: also fit each CU's tile rates (cost::TileRates) — for measurements of a
// chip, which may compute or transfer at other rates than its SoC file says; the simulator of
// the SoC file runs at the file's rates by construction, so a fit on it leaves them out (1).
proto::Calibration fit_calibration(const SocDescription& soc, const std::vector<SuitePoint>& points,
                                   const std::vector<sim::JobResult>& results,
                                   const std::string& suite_origin, const proto::Calibration* base = nullptr,
                                   bool fit_tile_rates = false);

// A coefficient of `fitted` against the same one in `base`, largest moves first
// (by |log(fitted / base)|; a coefficient that appears or vanishes counts as largest).
struct CoefficientMove {
  std::string cu, name;  // cu "(layer)" for the layer-level terms
  double base = 0, fitted = 0;
};
std::vector<CoefficientMove> coefficient_moves(const proto::Calibration& fitted,
                                               const proto::Calibration& base);

// Relative-error summary of a model against the simulator on some points.
struct ErrorStats {
  int samples = 0;
  double mean = 0;  // mean |pred - sim| / sim
  double max = 0;
  std::string worst;  // point with the largest error
  void add(double predicted, double simulated, const std::string& name);
};

}  // namespace odimo::validation
