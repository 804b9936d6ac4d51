// odimo simulate --soc SOC --net NET [--input CxHxW] [--mapping FILE|all:CU]
//                [--report out.json] [--trace out.json] [--vcd out.vcd]:
// runs a mapped network on the SystemC virtual SoC in one elaboration.
#include <iostream>
#include <map>

#include "cli/command_line.h"
#include "cli/mapped_network.h"
#include "cli/registry.h"
#include "cli/table.h"
#include "hw/mapping.h"
#include "hw/soc_description.h"
#include "proto/error.h"
#include "proto/output_file.h"
#include "proto/proto_io.h"
#include "sim/network_run.h"
#include "sim/simulator.h"
#include "sim/trace_writer.h"
#include "validation/traces.h"
#include "workloads/network.h"

// libsystemc.so references sc_main; odimo's own main() (cli/main.cpp) is the entry.
extern "C" int sc_main(int, char**) {
  return 0;
}

namespace odimo::cli {
namespace {

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

struct SimulateOptions {
  MappedNetworkChoice network;
  std::string report, trace, vcd, trace_csv;
};

int run_simulate(const SimulateOptions& o) {
  check_output_files(
      {{"--report", o.report}, {"--trace", o.trace}, {"--vcd", o.vcd}, {"--trace-csv", o.trace_csv}},
      network_inputs(o.network));
  const SocDescription soc = load_soc(o.network.soc);
  const Network net = load_network(o.network.net, input_shape(o.network.input));
  const ResolvedMapping mapping = resolve_mapping(net, soc, o.network.mapping);
  if (!o.trace_csv.empty()) validation::check_trace_names(net);  // before the work

  sim::Options options;
  options.record_trace = !o.trace.empty() || !o.vcd.empty();
  sim::Simulator simulator(soc, options);
  const proto::Report report = sim::simulate_network(simulator, net, mapping, ODIMO_VERSION);
  print_report(report, soc);
  if (!o.report.empty()) {
    write_json(o.report, report);
    std::cout << "wrote " << o.report << "\n";
  }
  const std::string title = net.name + " on " + soc.name();
  if (!o.trace.empty()) {
    write_file_atomic(o.trace, sim::perfetto_json(simulator.trace(), soc.clock_mhz(), title));
    std::cout << "wrote " << o.trace << " (open in ui.perfetto.dev)\n";
  }
  if (!o.vcd.empty()) {
    write_file_atomic(o.vcd, sim::vcd(simulator.trace(), soc.clock_mhz()));
    std::cout << "wrote " << o.vcd << "\n";
  }
  if (!o.trace_csv.empty()) {
    write_file_atomic(o.trace_csv, validation::trace_rows(net, mapping, report));
    std::cout << "wrote " << o.trace_csv << " (measured-layer rows, validation/README.md)\n";
  }
  return 0;
}

Action define_simulate(CLI::App& app) {
  auto o = std::make_shared<SimulateOptions>();
  add_mapped_network_options(app, o->network);
  app.add_option("--report", o->report, "JSON report (layers, total: cycles, latency_us, energy_uj)");
  app.add_option("--trace", o->trace,
                 "trace-event JSON, opens in ui.perfetto.dev (one track per CU, DMA, host)");
  app.add_option("--vcd", o->vcd, "VCD waveform of the same intervals (GTKWave)");
  app.add_option(
      "--trace-csv", o->trace_csv,
      "every simulated layer as a row of the measured-layer CSV (odimo calibrate/validate --traces)");
  app.footer(
      "Simulates NET mapped onto SOC (shipped: diana, darkside, diana-aimc2304) on the\n"
      "cycle-approximate SystemC model. See hw/README.md for the models, their numbers and their limits.");
  return [o] { return run_simulate(*o); };
}

}  // namespace

static const Registration kSimulate({"simulate",
                                     "run a mapped network on the SystemC virtual SoC (DIANA, Darkside)", 20,
                                     define_simulate});

}  // namespace odimo::cli
