// odimo validate: the analytic cost models against the simulator, per layer
// of a suite and per whole network under several mappings.
#include <algorithm>
#include <iostream>
#include <map>

#include "cli/args.h"
#include "cli/model_option.h"
#include "cli/registry.h"
#include "cli/table.h"
#include "proto/error.h"
#include "validation/validate.h"

namespace odimo::cli {
namespace {

using validation::ErrorStats;
using validation::PointCheck;

constexpr const char* kUsage =
    "odimo validate --soc SOC [--calibration FILE] [--suite FILE] [--net NET ...] [--input CxHxW]\n"
    "               [--random-splits N] [--max-mape PCT] [--max-err PCT] [--max-net-err PCT] [--points]";

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

int run_validate(int argc, char** argv) {
  Args args("validate", argc, argv,
            {"soc", "calibration", "suite", "net", "input", "random-splits", "max-mape", "max-err",
             "max-net-err", "model"},
            {"help", "points"});
  if (args.flag("help")) {
    std::cout << "usage: " << kUsage
              << "\n\nSimulates the suite (default validation/suites/<soc>.pbtxt) and every --net under\n"
                 "all-on-each-CU, balanced and seeded random split mappings, and compares the\n"
                 "calibrated and odimo-compat models with the simulated cycles and energy.\n"
                 "Thresholds (percent, on the calibrated latency): --max-mape for the mean over\n"
                 "held-out suite points, --max-err for the worst held-out point, --max-net-err for\n"
                 "the worst network. Exit status 1 when one is exceeded.\n";
    return 0;
  }
  args.expect_positional(0, 0, kUsage);
  if (args.get("model")) throw Error("odimo validate: both models are always compared; drop --model");
  const SocDescription soc = load_soc(args.require("soc"));
  const auto calibrated = make_model(args, soc);
  const auto compat = cost::make_compat_model(soc);
  std::optional<Shape> input;
  if (auto s = args.get("input")) input = parse_shape(*s, "--input");
  std::vector<Network> nets;
  for (const auto& n : args.all("net")) nets.push_back(load_network(n, input));
  const int random_splits = args.get_int("random-splits", 2);
  if (random_splits < 0) throw Error("odimo validate: --random-splits must be >= 0");

  std::string origin;
  const proto::Suite suite = validation::load_suite(args.get("suite").value_or(""), soc, &origin);
  const auto points = validation::expand_suite(suite, soc, origin);
  sim::Simulator simulator(soc);
  const auto results = validation::simulate_points(simulator, points);
  const auto checks = validation::check_points(soc, points, results, *calibrated, *compat);
  std::cout << soc.name() << ": " << points.size() << " points of " << origin << "\n\n";
  print_suite(checks, false);
  print_suite(checks, true);
  print_points(checks, args.flag("points") ? 1000000 : 10);

  ErrorStats hold, nets_err;
  for (const auto& c : checks)
    if (c.holdout) hold.add(c.cal_cycles, c.sim_cycles, c.name);
  if (!nets.empty()) {
    Table t({"network", "mapping", "sim cycles", "calibrated", "err", "odimo-compat", "err", "sim uJ",
             "calibrated", "err", "odimo-compat", "err"},
            {false, false, true, true, true, true, true, true, true, true, true, true});
    for (const Network& net : nets) {
      for (const auto& m : validation::validation_mappings(net, soc, random_splits)) {
        const auto c = validation::check_network(simulator, net, m, *calibrated, *compat);
        nets_err.add(c.cal_cycles, c.sim_cycles, c.network + " " + c.mapping);
        t.add({c.network, c.mapping, grouped(int64_t(c.sim_cycles)), grouped(int64_t(c.cal_cycles)),
               pct(validation::rel_error(c.cal_cycles, c.sim_cycles)), grouped(int64_t(c.compat_cycles)),
               pct(validation::rel_error(c.compat_cycles, c.sim_cycles)), fixed(c.sim_energy_uj, 2),
               fixed(c.cal_energy_uj, 2), pct(validation::rel_error(c.cal_energy_uj, c.sim_energy_uj)),
               fixed(c.compat_energy_uj, 2),
               pct(validation::rel_error(c.compat_energy_uj, c.sim_energy_uj))});
      }
    }
    std::cout << "whole networks (latency in cycles, energy in uJ):\n";
    t.print(std::cout);
    std::cout << "\n";
  }
  int failed = 0;
  auto limit = [&](const char* opt, double value, const std::string& what) {
    if (auto v = args.get(opt); v && 100 * value > args.get_double(opt, 0)) {
      std::cout << "FAIL: " << what << " " << pct(value) << " exceeds --" << opt << " " << *v << " %\n";
      ++failed;
    }
  };
  limit("max-mape", hold.mean, "mean held-out layer latency error");
  limit("max-err", hold.max, "worst held-out layer latency error (" + hold.worst + ")");
  limit("max-net-err", nets_err.max, "worst network latency error (" + nets_err.worst + ")");
  if (!failed) std::cout << "calibrated model within the given thresholds\n";
  return failed ? 1 : 0;
}

}  // namespace

static const Registration kValidate({"validate", run_validate,
                                     "compare the cost models with the simulator, per layer and network",
                                     60});

}  // namespace odimo::cli
