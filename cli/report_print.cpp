#include "cli/report_print.h"

#include "cli/table.h"

namespace odimo::cli {
namespace {

std::string cu_cycles(const proto::LayerReport& l) {
  std::string s;
  for (const auto& c : l.cu()) {
    s += (s.empty() ? "" : " ") + c.cu() + ":" + std::to_string(c.channels()) + "ch/" +
         grouped(c.busy_cycles());
  }
  return s;
}

}  // namespace

void print_report(const proto::Report& r, std::ostream& out) {
  out << r.network() << " on " << r.soc().name() << " (" << r.model() << "), input " << r.input()
      << ", mapping " << r.mapping() << "\n\n";
  Table t({"#", "layer", "op", "CU:channels/busy cycles", "cycles", "stall", "bytes", "energy uJ", "note"},
          {true, false, false, false, true, true, true, true, false});
  int i = 0;
  for (const auto& l : r.layers()) {
    if (!l.fused_into().empty()) {
      t.add({std::to_string(i++), l.name(), l.op(), "", "", "", "", "", "fused into " + l.fused_into()});
      continue;
    }
    t.add({std::to_string(i++), l.name(), l.op(), cu_cycles(l), grouped(l.cycles()),
           grouped(l.stall_cycles()), grouped(l.bytes_moved()), fixed(l.energy_uj(), 3), l.note()});
  }
  const auto& tot = r.total();
  t.separator();
  t.add({"", "total", "", "", grouped(tot.cycles()), grouped(tot.stall_cycles()), grouped(tot.bytes_moved()),
         fixed(tot.energy_uj(), 3), ""});
  t.print(out);
  out << "\n"
      << grouped(tot.cycles()) << " cycles = " << fixed(tot.latency_us(), 1) << " us at " << tot.clock_mhz()
      << " MHz, " << fixed(tot.energy_uj(), 2) << " uJ, " << si(double(tot.macs())) << "MAC, "
      << fixed(tot.tops_per_w(), 2) << " TOP/s/W effective\n";
}

}  // namespace odimo::cli
