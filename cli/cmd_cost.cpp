// odimo cost: the analytic cost model's per-layer latency and energy of a
// mapped network, in the same table and JSON layout as `odimo simulate`.
#include <iostream>

#include "cli/command_line.h"
#include "cli/mapped_network.h"
#include "cli/model_option.h"
#include "cli/registry.h"
#include "cli/report_print.h"
#include "hw/mapping.h"
#include "mapper/cost/calibrated_model.h"
#include "mapper/cost/cost_report.h"
#include "proto/error.h"
#include "proto/output_file.h"
#include "proto/proto_io.h"

namespace odimo::cli {
namespace {

struct CostOptions {
  MappedNetworkChoice network;
  ModelChoice model;
  std::string report;
};

int run_cost(const CostOptions& o) {
  std::vector<InputFile> inputs = network_inputs(o.network);
  inputs.push_back({"--calibration", o.model.calibration});
  check_output_files({{"--report", o.report}}, inputs);
  const SocDescription soc = load_soc(o.network.soc);
  const auto model = make_model(o.model, soc);
  const Network net = load_network(o.network.net, input_shape(o.network.input));
  const ResolvedMapping mapping = resolve_mapping(net, soc, o.network.mapping);
  const proto::Report report = cost::predict_network(net, soc, mapping, *model, ODIMO_VERSION);
  print_report(report, std::cout);
  if (!o.report.empty()) {
    write_json(o.report, report);
    std::cout << "wrote " << o.report << "\n";
  }
  return 0;
}

Action define_cost(CLI::App& app) {
  auto o = std::make_shared<CostOptions>();
  add_mapped_network_options(app, o->network);
  add_model_options(app, o->model);
  app.add_option("--report", o->report, "JSON report, the layout of odimo simulate --report");
  app.footer(
      "Predicts per-layer latency (cycles) and energy of NET mapped on SOC with the analytic\n"
      "cost model, without simulating. Same options and output layout as `odimo simulate`.\n"
      "Models: calibrated (coefficients fitted on the simulator by `odimo calibrate`, shipped as\n"
      "hw/socs/<soc>.calibration.pbtxt) and odimo-compat (the original ODiMO formulas and constants).");
  return [o] { return run_cost(*o); };
}

}  // namespace

static const Registration kCost({"cost", "analytic latency and energy of a mapped network", 30, define_cost});

}  // namespace odimo::cli
