#include "cli/replay.h"

#include <iostream>

#include "cli/table.h"
#include "hw/mapping.h"
#include "mapper/search_files/search_report.h"
#include "proto/error.h"
#include "proto/output_file.h"
#include "proto/proto_io.h"
#include "sim/network_run.h"
#include "sim/simulator.h"

namespace odimo::cli {

void replay_point(const std::string& dir) {
  proto::SearchReport rep = search::read_search_report(dir);
  // Both outputs checked before simulating.
  check_output_files({{"DIR", dir + "/simulation.json"}, {"DIR", dir + "/report.json"}},
                     {{"DIR", dir + "/" + rep.mapping_file()},
                      {"the report's soc_file", search::soc_source(rep)},
                      {"the report's network_file", search::network_source(rep)}});
  if (rep.mapping_file().empty())
    throw Error(dir + "/report.json: field 'mapping_file' is empty: nothing to replay");
  const SocDescription soc = load_soc(search::soc_source(rep));
  const Network net = load_network(search::network_source(rep),
                                   parse_shape(rep.input(), dir + "/report.json: field 'input'"));
  search::check_loaded_names(rep, dir + "/report.json", soc.name(), net.name);
  const ResolvedMapping mapping = resolve_mapping(net, soc, dir + "/" + rep.mapping_file());
  sim::Simulator simulator(soc);
  proto::Report sim = sim::simulate_network(simulator, net, mapping, ODIMO_VERSION);
  auto* s = rep.mutable_simulated();
  s->set_cycles(sim.total().cycles());
  s->set_latency_us(sim.total().latency_us());
  s->set_energy_uj(sim.total().energy_uj());
  rep.set_replayed(true);
  sim.set_mapping(rep.mapping_file());  // relative to DIR: results must not depend on where DIR is
  write_json(dir + "/simulation.json", sim);
  search::update_search_report(dir, [&](proto::SearchReport& now) {  // keeps a concurrent deploy's
    *now.mutable_simulated() = rep.simulated();
    now.set_replayed(true);
  });
  const double err = rep.analytic().cycles() > 0
                         ? 100.0 * double(rep.analytic().cycles() - s->cycles()) / double(s->cycles())
                         : 0.0;
  std::cout << "replay " << dir << ": simulated " << grouped(s->cycles()) << " cycles ("
            << fixed(s->latency_us(), 1) << " us), " << fixed(s->energy_uj(), 2) << " uJ; analytic "
            << grouped(rep.analytic().cycles()) << " cycles (" << (err >= 0 ? "+" : "") << fixed(err, 2)
            << " %)\n";
}

}  // namespace odimo::cli
