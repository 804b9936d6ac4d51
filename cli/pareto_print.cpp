#include "cli/pareto_print.h"

#include <map>

#include "cli/table.h"
#include "proto/proto_io.h"

namespace odimo::cli {

void print_sweep(const std::vector<sweep::ResultPoint>& pts, std::ostream& out) {
  Table t({"point", "kind", "test acc", "latency us", "energy uJ", "analytic us", "err", "channels", "front"},
          {false, false, true, true, true, true, true, false, false});
  for (const auto& p : pts) {
    const auto& r = p.report;
    std::string ch;
    for (const auto& [cu, n] : std::map<std::string, int64_t>(r.channels().begin(), r.channels().end()))
      ch += (ch.empty() ? "" : " ") + cu + ":" + std::to_string(n);
    const double err = r.replayed() && r.simulated().cycles() > 0
                           ? 100.0 * (double(r.analytic().cycles()) - double(r.simulated().cycles())) /
                                 double(r.simulated().cycles())
                           : 0.0;
    t.add({r.label(), r.kind(), fixed(100 * r.test_accuracy(), 2) + " %",
           fixed(sweep::latency_us(r), 1) + (r.replayed() ? "" : " (analytic)"),
           fixed(sweep::energy_uj(r), 2), fixed(r.analytic().latency_us(), 1),
           r.replayed() ? fixed(err, 2) + " %" : "-", ch,
           std::string(p.front_latency ? "latency " : "") + (p.front_energy ? "energy" : "")});
  }
  t.print(out);
}

void print_fronts(const std::vector<std::string>& outs, std::ostream& out) {
  const sweep::Fronts fronts = sweep::collect_fronts(outs);
  const bool several = fronts.by_soc.size() > 1;
  for (const auto& [soc, pts] : fronts.by_soc) {
    if (several) out << "== " << soc << "\n";
    print_sweep(pts, out);
    const std::string svg = fronts.svg_path(soc);
    write_file_atomic(svg, sweep::pareto_svg(pts, sweep::plot_title(pts)));
    out << "\nwrote " << svg << "\n";
    if (several) out << "\n";
  }
  if (!fronts.missing.empty()) out << "\n";
  for (const auto& line : fronts.missing) out << line << "\n";
}

}  // namespace odimo::cli
