// odimo validate: the analytic cost models against the simulator, per layer
// of a suite and per whole network under several mappings.
#include <algorithm>
#include <iostream>
#include <map>

#include "cli/command_line.h"
#include "cli/mapped_network.h"
#include "cli/model_option.h"
#include "cli/registry.h"
#include "cli/table.h"
#include "proto/error.h"
#include "validation/traces.h"
#include "validation/validate.h"

namespace odimo::cli {
namespace {

using validation::ErrorStats;
using validation::PointCheck;

// Thresholds are percentages of error: 1e6 % is already a model 10,000 times off.
constexpr double kMaxPercent = 1e6;

struct ValidateOptions {
  std::string soc, suite, input, traces;
  ModelChoice model;  // --calibration only: both models are always compared
  std::vector<std::string> nets;
  int random_splits = 2;
  double max_mape = -1, max_err = -1, max_net_err = -1;  // percent; < 0: no threshold
  bool points = false;
};

std::string pct(double x) {
  return fixed(100 * x, 2) + " %";
}

// Per group: mean/max relative error of both models on latency and energy.
void print_suite(const std::vector<PointCheck>& checks, bool holdout) {
  struct Row {
    ErrorStats cal_t, cmp_t, cal_e, cmp_e;
  };
  std::map<std::string, Row> rows;
  for (const auto& c : checks) {
    if (c.holdout != holdout) continue;
    for (const std::string& g : {std::string("all"), c.group}) {
      Row& r = rows[g];
      r.cal_t.add(c.cal_cycles, c.sim_cycles, c.name);
      r.cmp_t.add(c.compat_cycles, c.sim_cycles, c.name);
      r.cal_e.add(c.cal_energy_uj, c.sim_energy_uj, c.name);
      r.cmp_e.add(c.compat_energy_uj, c.sim_energy_uj, c.name);
    }
  }
  std::cout << (holdout ? "held-out" : "fitted") << " suite points: relative error vs the simulator "
            << "(mean / max)\n";
  Table t({"group", "points", "latency calibrated", "latency odimo-compat", "energy calibrated",
           "energy odimo-compat"},
          {false, true, true, true, true, true});
  for (const auto& [g, r] : rows)
    t.add({g, std::to_string(r.cal_t.samples), pct(r.cal_t.mean) + " / " + pct(r.cal_t.max),
           pct(r.cmp_t.mean) + " / " + pct(r.cmp_t.max), pct(r.cal_e.mean) + " / " + pct(r.cal_e.max),
           pct(r.cmp_e.mean) + " / " + pct(r.cmp_e.max)});
  t.print(std::cout);
  std::cout << "\n";
}

void print_points(std::vector<PointCheck> checks, size_t limit) {
  std::stable_sort(checks.begin(), checks.end(), [](const auto& a, const auto& b) {
    return validation::rel_error(a.cal_cycles, a.sim_cycles) >
           validation::rel_error(b.cal_cycles, b.sim_cycles);
  });
  if (checks.size() > limit) checks.resize(limit);
  std::cout << (limit < 1000000 ? "worst points (calibrated latency):\n" : "every point:\n");
  Table t({"point", "group", "held out", "sim cycles", "calibrated", "err", "odimo-compat", "err"},
          {false, false, false, true, true, true, true, true});
  for (const auto& c : checks)
    t.add({c.name, c.group, c.holdout ? "yes" : "", grouped(int64_t(c.sim_cycles)),
           grouped(int64_t(c.cal_cycles)), pct(validation::rel_error(c.cal_cycles, c.sim_cycles)),
           grouped(int64_t(c.compat_cycles)), pct(validation::rel_error(c.compat_cycles, c.sim_cycles))});
  t.print(std::cout);
  std::cout << "\n";
}

// The whole-network table; adds every network's latency error to `nets_err`.
void check_networks(const std::vector<Network>& nets, int random_splits, const SocDescription& soc,
                    sim::Simulator& simulator, const cost::CostModel& calibrated,
                    const cost::CostModel& compat, ErrorStats& nets_err) {
  if (nets.empty()) return;
  Table t({"network", "mapping", "sim cycles", "calibrated", "err", "odimo-compat", "err", "sim uJ",
           "calibrated", "err", "odimo-compat", "err"},
          {false, false, true, true, true, true, true, true, true, true, true, true});
  for (const Network& net : nets) {
    for (const auto& m : validation::validation_mappings(net, soc, random_splits)) {
      const auto c = validation::check_network(simulator, net, m, calibrated, compat);
      nets_err.add(c.cal_cycles, c.sim_cycles, c.network + " " + c.mapping);
      t.add({c.network, c.mapping, grouped(int64_t(c.sim_cycles)), grouped(int64_t(c.cal_cycles)),
             pct(validation::rel_error(c.cal_cycles, c.sim_cycles)), grouped(int64_t(c.compat_cycles)),
             pct(validation::rel_error(c.compat_cycles, c.sim_cycles)), fixed(c.sim_energy_uj, 2),
             fixed(c.cal_energy_uj, 2), pct(validation::rel_error(c.cal_energy_uj, c.sim_energy_uj)),
             fixed(c.compat_energy_uj, 2), pct(validation::rel_error(c.compat_energy_uj, c.sim_energy_uj))});
    }
  }
  std::cout << "whole networks (latency in cycles, energy in uJ):\n";
  t.print(std::cout);
  std::cout << "\n";
}

// The thresholds on the calibrated latency: `layers` (what `--max-mape`/`--max-err`
// judge, described as `what`) and `nets`; 1 when one is exceeded.
int check_thresholds(const ValidateOptions& o, const ErrorStats& layers, const ErrorStats& nets,
                     const std::string& what) {
  int failed = 0;
  auto limit = [&](const char* opt, double max, double value, const std::string& which) {
    if (max >= 0 && 100 * value > max) {
      std::cout << "FAIL: " << which << " " << pct(value) << " exceeds --" << opt << " " << max << " %\n";
      ++failed;
    }
  };
  limit("max-mape", o.max_mape, layers.mean, "mean " + what + " latency error");
  limit("max-err", o.max_err, layers.max, "worst " + what + " latency error (" + layers.worst + ")");
  limit("max-net-err", o.max_net_err, nets.max, "worst network latency error (" + nets.worst + ")");
  if (!failed) std::cout << "calibrated model within the given thresholds\n";
  return failed ? 1 : 0;
}

// Per group and per network of measured rows: how far the simulator and both cost
// models are from the measurements (the "how far is our virtual SoC from your chip" table).
int run_validate_traces(const ValidateOptions& o, const SocDescription& soc,
                        const cost::CostModel& calibrated, const cost::CostModel& compat) {
  const std::vector<validation::TraceRow> rows = validation::read_traces(o.traces, soc);
  const auto points = validation::trace_points(rows);
  const auto measured = validation::trace_results(soc, rows);
  sim::Simulator simulator(soc);
  const auto simulated = validation::simulate_points(simulator, points);
  const auto checks = validation::check_points(soc, points, measured, calibrated, compat);
  struct Sums {
    ErrorStats sim, cal, cmp;
    double measured = 0, sim_sum = 0, cal_sum = 0, cmp_sum = 0;
  };
  std::map<std::string, Sums> groups, nets;
  for (size_t i = 0; i < checks.size(); ++i) {
    const PointCheck& c = checks[i];
    const double s = double(simulated[i].cycles);
    for (const std::string& g : {std::string("all"), c.group}) {
      groups[g].sim.add(s, c.sim_cycles, c.name);
      groups[g].cal.add(c.cal_cycles, c.sim_cycles, c.name);
      groups[g].cmp.add(c.compat_cycles, c.sim_cycles, c.name);
    }
    Sums& n = nets[rows[i].network().empty() ? "(rows without a network)" : rows[i].network()];
    n.measured += c.sim_cycles;
    n.sim_sum += s;
    n.cal_sum += c.cal_cycles;
    n.cmp_sum += c.compat_cycles;
  }
  std::cout << soc.name() << ": " << rows.size() << " measured rows of " << o.traces << "\n\n"
            << "layer latency vs the measurements, relative error (mean / max):\n";
  Table t({"group", "rows", "simulator", "calibrated", "odimo-compat"}, {false, true, true, true, true});
  for (const auto& [g, r] : groups)
    t.add({g, std::to_string(r.sim.samples), pct(r.sim.mean) + " / " + pct(r.sim.max),
           pct(r.cal.mean) + " / " + pct(r.cal.max), pct(r.cmp.mean) + " / " + pct(r.cmp.max)});
  t.print(std::cout);
  std::cout << "\nnetworks (sums of their rows, cycles):\n";
  Table nt({"network", "measured", "simulator", "err", "calibrated", "err", "odimo-compat", "err"},
           {false, true, true, true, true, true, true, true});
  ErrorStats net_err;
  for (const auto& [name, n] : nets) {
    net_err.add(n.cal_sum, n.measured, name);
    nt.add({name, grouped(int64_t(n.measured)), grouped(int64_t(n.sim_sum)),
            pct(validation::rel_error(n.sim_sum, n.measured)), grouped(int64_t(n.cal_sum)),
            pct(validation::rel_error(n.cal_sum, n.measured)), grouped(int64_t(n.cmp_sum)),
            pct(validation::rel_error(n.cmp_sum, n.measured))});
  }
  nt.print(std::cout);
  std::cout << "\n";
  return check_thresholds(o, groups["all"].cal, net_err, "layer");
}

int run_validate(const ValidateOptions& o) {
  const SocDescription soc = load_soc(o.soc);
  const auto calibrated = make_model(o.model, soc);
  const auto compat = cost::make_compat_model(soc);
  std::vector<Network> nets;
  for (const auto& n : o.nets) nets.push_back(load_network(n, input_shape(o.input)));
  if (o.random_splits < 0) throw Error("--random-splits must be >= 0");
  if (!o.traces.empty()) {
    if (!o.nets.empty() || !o.suite.empty()) throw Error("--traces replaces --suite and --net");
    return run_validate_traces(o, soc, *calibrated, *compat);
  }

  std::string origin;
  const proto::Suite suite = validation::load_suite(o.suite, soc, &origin);
  const auto points = validation::expand_suite(suite, soc, origin);
  sim::Simulator simulator(soc);
  const auto results = validation::simulate_points(simulator, points);
  const auto checks = validation::check_points(soc, points, results, *calibrated, *compat);
  std::cout << soc.name() << ": " << points.size() << " points of " << origin << "\n\n";
  print_suite(checks, false);
  print_suite(checks, true);
  print_points(checks, o.points ? 1000000 : 10);

  ErrorStats hold, nets_err;
  for (const auto& c : checks)
    if (c.holdout) hold.add(c.cal_cycles, c.sim_cycles, c.name);
  check_networks(nets, o.random_splits, soc, simulator, *calibrated, *compat, nets_err);
  return check_thresholds(o, hold, nets_err, "held-out layer");
}

Action define_validate(CLI::App& app) {
  auto o = std::make_shared<ValidateOptions>();
  add_soc_option(app, o->soc)->required();
  add_calibration_option(app, o->model);
  app.add_option("--suite", o->suite, "layer suite (default: validation/suites/<soc>.pbtxt)");
  app.add_option("--net", o->nets, "a network to check whole (repeat for several)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false)
      ->default_str("");
  add_input_option(app, o->input);
  app.add_option("--random-splits", o->random_splits, "seeded random split mappings per network")
      ->check(count_range(0, 1000));
  app.add_option("--max-mape", o->max_mape, "threshold: mean held-out layer latency error (percent)")
      ->default_str("none")
      ->check(finite_range(0, kMaxPercent));
  app.add_option("--max-err", o->max_err, "threshold: worst held-out layer latency error (percent)")
      ->default_str("none")
      ->check(finite_range(0, kMaxPercent));
  app.add_option("--max-net-err", o->max_net_err, "threshold: worst network latency error (percent)")
      ->default_str("none")
      ->check(finite_range(0, kMaxPercent));
  app.add_flag("--points", o->points, "list every suite point, not the 10 worst");
  app.add_option(
      "--traces", o->traces,
      "measured layers (CSV, validation/README.md): compare the simulator and both models with them");
  app.footer(
      "Simulates the suite and every --net under all-on-each-CU, balanced and seeded random\n"
      "split mappings, and compares the calibrated and odimo-compat models with the simulated\n"
      "cycles and energy. Thresholds are on the calibrated latency; exit status 1 when one is exceeded.");
  return [o] { return run_validate(*o); };
}

}  // namespace

static const Registration kValidate({"validate",
                                     "compare the cost models with the simulator, per layer and network", 60,
                                     define_validate});

}  // namespace odimo::cli
