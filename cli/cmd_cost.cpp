// odimo cost: the analytic cost model's per-layer latency and energy of a
// mapped network, in the same table and JSON layout as `odimo simulate`.
#include <iostream>

#include "cli/args.h"
#include "cli/model_option.h"
#include "cli/registry.h"
#include "cli/report_print.h"
#include "hw/mapping.h"
#include "mapper/cost/calibrated_model.h"
#include "mapper/cost/cost_report.h"
#include "proto/error.h"
#include "proto/proto_io.h"

namespace odimo::cli {
namespace {

constexpr const char* kUsage =
    "odimo cost --soc SOC --net NET [--input CxHxW] [--mapping FILE|all:CU] [--model "
    "calibrated|odimo-compat]\n"
    "           [--calibration FILE] [--report out.json]";

int run_cost(int argc, char** argv) {
  Args args("cost", argc, argv, {"soc", "net", "input", "mapping", "model", "report", "calibration"},
            {"help"});
  if (args.flag("help")) {
    std::cout << "usage: " << kUsage
              << "\n\nPredicts per-layer latency (cycles) and energy of NET mapped on SOC with the analytic\n"
                 "cost model, without simulating. Same options and output layout as `odimo simulate`.\n"
                 "Models: calibrated (default; coefficients fitted on the simulator by `odimo calibrate`,\n"
                 "shipped as hw/socs/<soc>.calibration.pbtxt) and odimo-compat (the original ODiMO\n"
                 "formulas and constants).\n";
    return 0;
  }
  args.expect_positional(0, 0, kUsage);
  const SocDescription soc = load_soc(args.require("soc"));
  const auto model = make_model(args, soc);
  std::optional<Shape> input;
  if (auto s = args.get("input")) input = parse_shape(*s, "--input");
  const Network net = load_network(args.require("net"), input);
  const ResolvedMapping mapping = resolve_mapping(net, soc, args.get("mapping").value_or(""));
  const proto::Report report = cost::predict_network(net, soc, mapping, *model, ODIMO_VERSION);
  print_report(report, std::cout);
  if (auto path = args.get("report")) {
    write_json(*path, report);
    std::cout << "wrote " << *path << "\n";
  }
  return 0;
}

}  // namespace

static const Registration kCost({"cost", run_cost, "analytic latency and energy of a mapped network", 30});

}  // namespace odimo::cli
