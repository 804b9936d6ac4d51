// odimo cost: the analytic cost model's per-layer latency and energy of a
// mapped network, in the same table and JSON layout as `odimo simulate`.
#include <iostream>

#include "cli/args.h"
#include "cli/registry.h"
#include "cli/report_print.h"
#include "hw/mapping.h"
#include "mapper/cost/cost_model.h"
#include "proto/error.h"
#include "proto/proto_io.h"

namespace odimo::cli {
namespace {

constexpr const char* kUsage =
    "odimo cost --soc SOC --net NET [--input CxHxW] [--mapping FILE|all:CU] [--model odimo-compat]\n"
    "           [--report out.json]";

proto::Report cost_report(const Network& net, const SocDescription& soc, const ResolvedMapping& m,
                          const cost::CostModel& model) {
  proto::Report r;
  r.set_tool_version(ODIMO_VERSION);
  r.set_model(model.name());
  r.set_network(net.name);
  r.set_input(net.input.str());
  r.set_mapping(m.spec);
  *r.mutable_soc() = soc.soc;
  auto* tot = r.mutable_total();
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& layer = net.layers[i];
    const LayerSplit& split = m.layers[i];
    auto* lr = r.add_layers();
    lr->set_name(layer.name);
    lr->set_op(op_name(layer.op));
    lr->set_macs(layer.macs);
    lr->set_note(split.note);
    if (split.fused_into >= 0) lr->set_fused_into(net.layers[split.fused_into].name);
    std::vector<double> n(model.cu_count(), 0.0);
    for (const auto& s : split.shares) n[soc.cu_index(s.cu)] = s.channels;
    const cost::LayerCost c = model.layer_cost(layer, n);
    for (const auto& s : split.shares) {
      auto* cr = lr->add_cu();
      cr->set_cu(s.cu);
      cr->set_channels(s.channels);
      cr->set_op(op_name(s.op));
      cr->set_variant(s.variant);
      cr->set_busy_cycles(int64_t(c.cu_cycles[soc.cu_index(s.cu)] + 0.5));
    }
    lr->set_cycles(int64_t(c.cycles + 0.5));
    lr->set_energy_uj(c.energy_uj);
    tot->set_cycles(tot->cycles() + lr->cycles());
    tot->set_energy_uj(tot->energy_uj() + c.energy_uj);
    tot->set_macs(tot->macs() + layer.macs);
  }
  tot->set_clock_mhz(soc.clock_mhz());
  tot->set_latency_us(double(tot->cycles()) / soc.clock_mhz());
  // 2 ops per MAC; ops/uJ / 1e6 = TOP/s/W
  tot->set_tops_per_w(tot->energy_uj() > 0 ? 2.0 * double(tot->macs()) / tot->energy_uj() / 1e6 : 0.0);
  return r;
}

int run_cost(int argc, char** argv) {
  Args args("cost", argc, argv, {"soc", "net", "input", "mapping", "model", "report", "calibration"},
            {"help"});
  if (args.flag("help")) {
    std::cout << "usage: " << kUsage
              << "\n\nPredicts per-layer latency (cycles) and energy of NET mapped on SOC with the analytic\n"
                 "cost model, without simulating. Same options and output layout as `odimo simulate`.\n"
                 "Models: odimo-compat (the original ODiMO formulas and constants).\n";
    return 0;
  }
  args.expect_positional(0, 0, kUsage);
  const std::string model_name = args.get("model").value_or("odimo-compat");
  if (model_name != "odimo-compat") {
    throw Error("odimo cost: --model '" + model_name + "': available models: odimo-compat");
  }
  if (args.get("calibration")) throw Error("odimo cost: --calibration applies to --model calibrated only");
  const SocDescription soc = load_soc(args.require("soc"));
  std::optional<Shape> input;
  if (auto s = args.get("input")) input = parse_shape(*s, "--input");
  const Network net = load_network(args.require("net"), input);
  const ResolvedMapping mapping = resolve_mapping(net, soc, args.get("mapping").value_or(""));
  const auto model = cost::make_compat_model(soc);
  const proto::Report report = cost_report(net, soc, mapping, *model);
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
