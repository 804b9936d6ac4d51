// odimo simulate --soc SOC --net NET [--input CxHxW] [--mapping FILE|all:CU]
//                [--report out.json] [--trace out.json] [--vcd out.vcd]
// Runs a mapped network on the SystemC virtual SoC in one elaboration.
#include <iostream>
#include <map>

#include "cli/args.h"
#include "cli/registry.h"
#include "cli/table.h"
#include "hw/mapping.h"
#include "hw/soc_description.h"
#include "proto/error.h"
#include "proto/proto_io.h"
#include "sim/network_run.h"
#include "sim/simulator.h"
#include "sim/trace_writer.h"
#include "workloads/network.h"

// libsystemc.so references sc_main; odimo's own main() (cli/main.cpp) is the entry.
extern "C" int sc_main(int, char**) {
  return 0;
}

namespace odimo::cli {
namespace {

constexpr const char* kUsage =
    "odimo simulate --soc SOC --net NET [--input CxHxW] [--mapping FILE|all:CU] [--report out.json] "
    "[--trace out.json] [--vcd out.vcd]";

void print_help() {
  std::cout << "usage: " << kUsage
            << "\n\nSimulates NET (a .pbtxt path or shipped workload) mapped onto SOC (a .pbtxt path or\n"
               "a shipped SoC: diana, darkside, diana-aimc2304) on the cycle-approximate SystemC model.\n"
               "  --mapping FILE   per-layer channel split (proto/mapping.proto, text format)\n"
               "  --mapping all:CU every layer on CU where it can run; others fall back (noted)\n"
               "                   (default: each layer on the SoC's default CU)\n"
               "  --report F       JSON report (layers, total: cycles, latency_us, energy_uj)\n"
               "  --trace F        trace-event JSON, opens in ui.perfetto.dev (one track per CU, DMA, host)\n"
               "  --vcd F          VCD waveform of the same intervals (GTKWave)\n"
               "See hw/README.md for the models, their numbers and their limits.\n";
}

std::string cu_list(const proto::LayerReport& l) {
  std::string s;
  for (const auto& c : l.cu()) s += (s.empty() ? "" : " ") + c.cu() + ":" + std::to_string(c.channels());
  return s;
}

void print_report(const proto::Report& r, const SocDescription& soc) {
  std::cout << "odimo simulate: " << r.network() << " (input " << r.input() << ") on " << soc.name() << " ("
            << soc.origin << "), mapping " << r.mapping() << "\n\n";
  std::vector<std::string> header = {"#", "layer", "op", "channels"};
  std::vector<bool> numeric = {true, false, false, false};
  for (const auto& cu : soc.soc.cu()) {
    header.push_back(cu.name() + " cyc");
    numeric.push_back(true);
  }
  for (const char* h : {"layer cyc", "stall cyc", "bytes", "energy uJ"}) {
    header.push_back(h);
    numeric.push_back(true);
  }
  header.push_back("note");
  numeric.push_back(false);
  Table t(header, numeric);
  int hidden = 0;
  for (int i = 0; i < r.layers_size(); ++i) {
    const proto::LayerReport& l = r.layers(i);
    if (l.cu_size() == 0) {
      ++hidden;
      continue;
    }
    std::vector<std::string> row = {std::to_string(i), l.name(), l.op(), cu_list(l)};
    for (const auto& cu : soc.soc.cu()) {
      std::string cell;
      for (const auto& c : l.cu())
        if (c.cu() == cu.name()) cell = grouped(c.busy_cycles());
      row.push_back(cell);
    }
    row.insert(row.end(), {grouped(l.cycles()), grouped(l.stall_cycles()), grouped(l.bytes_moved()),
                           fixed(l.energy_uj(), 3), l.note()});
    t.add(row);
  }
  t.print(std::cout);
  const proto::Total& tot = r.total();
  std::cout << "\n(" << hidden << " layers fused into the previous layer's output stage or views: 0 cycles)\n"
            << "total: " << grouped(tot.cycles()) << " cycles = " << fixed(tot.latency_us(), 1) << " us at "
            << fixed(tot.clock_mhz(), 0) << " MHz, " << fixed(tot.energy_uj(), 3) << " uJ, "
            << grouped(tot.stall_cycles()) << " stall cycles, " << grouped(tot.bytes_moved())
            << " bytes moved, " << si(double(tot.macs())) << "MAC, " << fixed(tot.tops_per_w(), 3)
            << " TOP/s/W effective\n";
}

int run_simulate(int argc, char** argv) {
  Args args("simulate", argc, argv, {"soc", "net", "input", "mapping", "report", "trace", "vcd"}, {"help"});
  if (args.flag("help")) {
    print_help();
    return 0;
  }
  args.expect_positional(0, 0, kUsage);
  const SocDescription soc = load_soc(args.require("soc"));
  std::optional<Shape> input;
  if (auto s = args.get("input")) input = parse_shape(*s, "--input");
  const Network net = load_network(args.require("net"), input);
  const ResolvedMapping mapping = resolve_mapping(net, soc, args.get("mapping").value_or(""));

  sim::Options options;
  options.record_trace = args.get("trace") || args.get("vcd");
  sim::Simulator simulator(soc, options);
  const proto::Report report = sim::simulate_network(simulator, net, mapping, ODIMO_VERSION);
  print_report(report, soc);
  if (auto path = args.get("report")) {
    write_json(*path, report);
    std::cout << "wrote " << *path << "\n";
  }
  const std::string title = net.name + " on " + soc.name();
  if (auto path = args.get("trace")) {
    write_file_atomic(*path, sim::perfetto_json(simulator.trace(), soc.clock_mhz(), title));
    std::cout << "wrote " << *path << " (open in ui.perfetto.dev)\n";
  }
  if (auto path = args.get("vcd")) {
    write_file_atomic(*path, sim::vcd(simulator.trace(), soc.clock_mhz()));
    std::cout << "wrote " << *path << "\n";
  }
  return 0;
}

}  // namespace

static const Registration kSimulate({"simulate", run_simulate,
                                     "run a mapped network on the SystemC virtual SoC (DIANA, Darkside)",
                                     20});

}  // namespace odimo::cli
