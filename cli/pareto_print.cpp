#include "cli/pareto_print.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "cli/table.h"
#include "mapper/sweep/pareto_quality.h"
#include "proto/proto_io.h"

namespace odimo::cli {
namespace {

// "84.55 %" for one seed, "84.55 ± 0.21 %" for several.
std::string mean_std(const sweep::Stat& s, size_t runs, double scale, int decimals, const std::string& unit) {
  std::string t = fixed(scale * s.mean, decimals);
  if (runs > 1) t += " ± " + fixed(scale * s.std, decimals);
  return t + unit;
}

// Channels per CU over the searchable layers, averaged over the seeds.
std::string channels(const sweep::ResultPoint& p) {
  std::map<std::string, double> sum;
  for (const auto& r : p.runs)
    for (const auto& [cu, n] : r.channels()) sum[cu] += double(n);
  std::string ch;
  for (const auto& [cu, n] : sum)
    ch += (ch.empty() ? "" : " ") + cu + ":" + fixed(n / double(p.runs.size()), p.runs.size() > 1 ? 1 : 0);
  return ch;
}

// The largest |analytic - simulated| / simulated latency over the seeds (%), or -1.
double worst_error(const sweep::ResultPoint& p) {
  double worst = -1;
  for (const auto& r : p.runs)
    if (r.replayed() && r.simulated().cycles() > 0)
      worst =
          std::max(worst, std::abs(100.0 * (double(r.analytic().cycles()) - double(r.simulated().cycles())) /
                                   double(r.simulated().cycles())));
  return worst;
}

}  // namespace

void print_sweep(const std::vector<sweep::ResultPoint>& pts, std::ostream& out) {
  // Both accuracies once a point has been deployed (odimo deploy), else the one.
  const bool deployed = std::any_of(pts.begin(), pts.end(), [](const auto& p) { return p.has_deployed; });
  // On chip instances: their count, spread (sample std over every seed's instances) and worst.
  const bool chips = std::any_of(pts.begin(), pts.end(), [](const auto& p) { return p.chips > 0; });
  std::vector<std::string> head = {"point", "kind", "seeds", "test acc"};
  std::vector<bool> right = {false, false, true, true};
  if (deployed) head.back() = "trained acc", head.push_back("deployed acc"), right.push_back(true);
  if (chips)
    for (const char* h : {"chips", "chip std", "worst chip"}) head.push_back(h), right.push_back(true);
  for (const char* h : {"latency us", "energy uJ", "analytic us", "|err|", "channels", "front"})
    head.push_back(h);
  for (bool r : {true, true, true, true, false, false}) right.push_back(r);
  Table t(head, right);
  for (const auto& p : pts) {
    const auto& r = p.report();
    const size_t n = p.runs.size();
    double analytic = 0;
    for (const auto& run : p.runs) analytic += run.analytic().latency_us() / double(n);
    const double err = worst_error(p);
    std::vector<std::string> row = {p.label, r.kind(), std::to_string(n),
                                    mean_std(p.trained, n, 100, 2, " %")};
    if (deployed) row.push_back(p.has_deployed ? mean_std(p.deployed, n, 100, 2, " %") : "-");
    if (chips && p.chips > 0)
      row.insert(row.end(), {std::to_string(p.chips), fixed(100 * p.chip.std, 2) + " %",
                             fixed(100 * p.worst_chip, 2) + " %"});
    else if (chips)
      row.insert(row.end(), {"-", "-", "-"});
    for (std::string cell :
         {mean_std(p.latency, n, 1, 1, r.replayed() ? "" : " (analytic)"), mean_std(p.energy, n, 1, 2, ""),
          fixed(analytic, 1), err >= 0 ? fixed(err, 2) + " %" : "-", channels(p),
          std::string(p.front_latency ? "latency " : "") + (p.front_energy ? "energy" : "")})
      row.push_back(cell);
    t.add(row);
  }
  t.print(out);
}

void print_quality(const std::vector<sweep::ResultPoint>& pts, std::ostream& out) {
  for (bool energy : {false, true}) {
    const sweep::Quality q = sweep::pareto_quality(pts, energy);
    const std::string unit = energy ? "uJ" : "us", axis = energy ? "energy" : "latency";
    out << "\n"
        << axis << ": hypervolume search " << fixed(100 * q.search, 2) << ", baselines "
        << fixed(100 * q.baselines, 2);
    if (q.baselines > 0) out << " (ratio " << fixed(q.search / q.baselines, 3) << ")";
    out << " [accuracy points x " << unit << " above " << fixed(100 * q.ref.accuracy, 2) << " % and below "
        << fixed(q.ref.cost, energy ? 2 : 1) << " " << unit
        << ": least accurate point - 1, most expensive x 1.1]\n";
    int heuristics = 0, beaten = 0;
    for (const auto& [b, by] : q.dominated_by) {
      out << "  " << b->label << ": ";
      if (by)
        out << "dominated by " << by->label << " (" << fixed(100 * by->acc.mean, 2) << " % vs "
            << fixed(100 * b->acc.mean, 2) << " %, " << fixed(by->cost(energy), energy ? 2 : 1) << " vs "
            << fixed(b->cost(energy), energy ? 2 : 1) << " " << unit << ")\n";
      else
        out << "not dominated\n";
      heuristics += sweep::is_heuristic(*b), beaten += sweep::is_heuristic(*b) && by;
    }
    if (heuristics > 0)
      out << "  "
          << (beaten == heuristics
                  ? "every heuristic baseline is"
                  : std::to_string(beaten) + " of " + std::to_string(heuristics) + " heuristic baselines are")
          << " dominated by a search point in accuracy-" << axis << "\n";
  }
}

void print_fronts(const std::vector<std::string>& outs, std::ostream& out, sweep::AccuracyKind kind) {
  const sweep::Fronts fronts = sweep::collect_fronts(outs, kind);
  const bool several = fronts.groups.size() > 1;
  if (kind == sweep::AccuracyKind::kDeployed)
    out << "fronts, hypervolumes and dominance on the deployed accuracy (odimo deploy: the integer "
           "pipelines)\n\n";
  for (const auto& [key, pts] : fronts.groups) {
    if (several) out << "== " << key.name() << "\n";
    print_sweep(pts, out);
    print_quality(pts, out);
    const std::string svg = fronts.svg_path(key);
    write_file_atomic(svg, sweep::pareto_svg(pts, sweep::plot_title(pts, kind, key.noise_lsb)));
    out << "\nwrote " << svg << "\n";
    if (several) out << "\n";
  }
  if (!fronts.missing.empty()) out << "\n";
  for (const auto& line : fronts.missing) out << line << "\n";
}

}  // namespace odimo::cli
