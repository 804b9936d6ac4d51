#include "python/calibration_binding.h"

#include <pybind11/stl.h>

#include <sstream>

#include "mapper/cost/calibrated_model.h"
#include "proto/error.h"
#include "proto/proto_io.h"
#include "python/simulation_process.h"
#include "validation/calibrate.h"
#include "validation/traces.h"
#include "validation/validate.h"

namespace py = pybind11;

namespace odimo::python {
namespace {

// (calibration text, its JSON): the fit on the rows of `traces` not held out, with the
// coefficients no row informs kept from `base` ("" = the SoC's shipped calibration).
std::pair<std::string, std::string> calibrate_traces(const SocDescription& soc, const std::string& traces,
                                                     double holdout_fraction, const std::string& base) {
  if (!(holdout_fraction >= 0 && holdout_fraction < 1))
    throw Error("holdout_fraction " + std::to_string(holdout_fraction) + ": must be in [0, 1)");
  std::vector<validation::TraceRow> rows = validation::read_traces(traces, soc);
  validation::hold_out(rows, holdout_fraction);
  std::string base_origin;
  const proto::Calibration base_cal = cost::load_calibration(base, soc, &base_origin);
  proto::Calibration cal =
      validation::fit_calibration(soc, validation::trace_points(rows), validation::trace_results(soc, rows),
                                  traces, &base_cal, /*fit_tile_rates=*/true);
  cal.set_simulator_version("measured: " + traces);
  return {to_text_proto(cal), to_json(cal)};
}

// Simulated cycles of every point, from a forked child (one elaboration per process).
std::vector<double> simulated_cycles(const SocDescription& soc,
                                     const std::vector<validation::SuitePoint>& points) {
  const std::string text = run_in_child([&] {
    sim::Simulator simulator(soc);
    std::ostringstream out;
    for (const auto& r : validation::simulate_points(simulator, points)) out << r.cycles << ' ';
    return out.str();
  });
  std::istringstream in(text);
  std::vector<double> cycles;
  for (double c; in >> c;) cycles.push_back(c);
  if (cycles.size() != points.size())
    throw std::runtime_error("validate: the simulation returned too few points");
  return cycles;
}

// One dict per measured row: measured, simulated, calibrated and odimo-compat latency (cycles)
// and energy (uJ; measured energy < 0 when the row has none).
py::list validate_traces(const SocDescription& soc, const std::string& traces,
                         const std::string& calibration) {
  const std::vector<validation::TraceRow> rows = validation::read_traces(traces, soc);
  const auto points = validation::trace_points(rows);
  const auto calibrated = cost::make_model("calibrated", calibration, soc);
  const auto compat = cost::make_model("odimo-compat", "", soc);
  const auto checks =
      validation::check_points(soc, points, validation::trace_results(soc, rows), *calibrated, *compat);
  std::vector<double> simulated;
  {
    py::gil_scoped_release unlocked;
    simulated = simulated_cycles(soc, points);
  }
  py::list out;
  for (size_t i = 0; i < checks.size(); ++i) {
    const auto& c = checks[i];
    py::dict d;
    d["name"] = c.name;
    d["network"] = rows[i].network();
    d["group"] = c.group;
    d["measured_cycles"] = c.sim_cycles;
    d["simulated_cycles"] = simulated[i];
    d["calibrated_cycles"] = c.cal_cycles;
    d["compat_cycles"] = c.compat_cycles;
    d["measured_energy_uj"] = rows[i].energy_uj;
    d["calibrated_energy_uj"] = c.cal_energy_uj;
    d["compat_energy_uj"] = c.compat_energy_uj;
    out.append(d);
  }
  return out;
}

}  // namespace

void define_calibration(py::module_& m) {
  m.def("calibrate_traces", &calibrate_traces);
  m.def("validate_traces", &validate_traces);
}

}  // namespace odimo::python
