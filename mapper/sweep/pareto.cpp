#include "mapper/sweep/pareto.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <ostream>
#include <sstream>

#include "mapper/sweep/plan.h"
#include "mapper/sweep/search_report.h"
#include "proto/error.h"
#include "proto/proto_io.h"

namespace odimo::sweep {

double latency_us(const proto::SearchReport& r) {
  return r.replayed() ? r.simulated().latency_us() : r.analytic().latency_us();
}
double energy_uj(const proto::SearchReport& r) {
  return r.replayed() ? r.simulated().energy_uj() : r.analytic().energy_uj();
}

namespace {

// A point is on the front when no other point is at least as accurate and at least
// as cheap, and strictly better in one of the two.
void mark_front(std::vector<ResultPoint>& pts, double (*cost)(const proto::SearchReport&),
                bool ResultPoint::*flag) {
  for (auto& p : pts) {
    bool dominated = false;
    for (const auto& q : pts) {
      const double pa = p.report.test_accuracy(), qa = q.report.test_accuracy();
      const double pc = cost(p.report), qc = cost(q.report);
      if (qa >= pa && qc <= pc && (qa > pa || qc < pc)) dominated = true;
    }
    p.*flag = !dominated;
  }
}

std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) o += c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '&' ? "&amp;" : std::string(1, c);
  return o;
}

// One panel at (x0, y0) of size w x h: x = cost, y = accuracy (%).
void panel(std::ostringstream& s, const std::vector<ResultPoint>& pts,
           double (*cost)(const proto::SearchReport&), bool ResultPoint::*front, const std::string& xlabel,
           double x0, double y0, double w, double h) {
  double xmin = 1e300, xmax = -1e300, ymin = 100, ymax = 0;
  for (const auto& p : pts) {
    xmin = std::min(xmin, cost(p.report)), xmax = std::max(xmax, cost(p.report));
    ymin = std::min(ymin, 100 * p.report.test_accuracy()),
    ymax = std::max(ymax, 100 * p.report.test_accuracy());
  }
  const double xpad = std::max(1e-9, (xmax - xmin) * 0.08), ypad = std::max(0.5, (ymax - ymin) * 0.08);
  xmin = std::max(0.0, xmin - xpad), xmax += xpad, ymin = std::max(0.0, ymin - ypad),
  ymax = std::min(100.0, ymax + ypad);
  if (ymax <= ymin) ymin = ymax - 1;
  auto X = [&](double v) { return x0 + 60 + (v - xmin) / (xmax - xmin) * (w - 80); };
  auto Y = [&](double v) { return y0 + h - 40 - (v - ymin) / (ymax - ymin) * (h - 60); };
  s << "<rect x='" << x0 + 60 << "' y='" << y0 + 20 << "' width='" << w - 80 << "' height='" << h - 60
    << "' fill='none' stroke='#888'/>\n";
  for (int i = 0; i <= 4; ++i) {
    const double xv = xmin + (xmax - xmin) * i / 4, yv = ymin + (ymax - ymin) * i / 4;
    char xt[32];
    char yt[32];
    std::snprintf(xt, sizeof xt, "%.4g", xv);
    std::snprintf(yt, sizeof yt, "%.1f", yv);
    s << "<text x='" << X(xv) << "' y='" << y0 + h - 22 << "' font-size='11' text-anchor='middle'>" << xt
      << "</text>\n<text x='" << x0 + 55 << "' y='" << Y(yv) + 4 << "' font-size='11' text-anchor='end'>"
      << yt << "</text>\n";
  }
  s << "<text x='" << x0 + w / 2 << "' y='" << y0 + h - 4 << "' font-size='13' text-anchor='middle'>"
    << esc(xlabel) << "</text>\n<text x='" << x0 + 14 << "' y='" << y0 + h / 2
    << "' font-size='13' text-anchor='middle' "
    << "transform='rotate(-90 " << x0 + 14 << " " << y0 + h / 2 << ")'>test accuracy (%)</text>\n";
  std::vector<const ResultPoint*> fr;
  for (const auto& p : pts)
    if (p.*front) fr.push_back(&p);
  std::sort(fr.begin(), fr.end(), [&](auto* a, auto* b) { return cost(a->report) < cost(b->report); });
  s << "<polyline fill='none' stroke='#d62728' stroke-width='1.5' points='";
  for (auto* p : fr) s << X(cost(p->report)) << "," << Y(100 * p->report.test_accuracy()) << " ";
  s << "'/>\n";
  for (const auto& p : pts) {
    const double px = X(cost(p.report)), py = Y(100 * p.report.test_accuracy());
    if (p.report.kind() == "baseline")
      s << "<rect x='" << px - 5 << "' y='" << py - 5 << "' width='10' height='10' fill='#1f77b4'/>\n";
    else
      s << "<circle cx='" << px << "' cy='" << py << "' r='5' fill='" << (p.*front ? "#d62728" : "#ff9896")
        << "'/>\n";
    s << "<text x='" << px + 7 << "' y='" << py - 6 << "' font-size='10'>" << esc(p.report.label())
      << "</text>\n";
  }
}

}  // namespace

std::vector<ResultPoint> read_sweep(const std::string& dir) {
  std::vector<ResultPoint> pts;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) throw Error(dir + ": not a directory");
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))  // an unreadable DIR: no points
    if (e.is_directory(ec) && file_exists(e.path() / "report.json"))
      pts.push_back({e.path().string(), read_search_report(e.path().string())});
  if (pts.empty())
    throw Error(dir + ": no */report.json (run odimo sweep or odimo search --out " + dir + "/NAME)");
  mark_fronts(pts);
  return pts;
}

void mark_fronts(std::vector<ResultPoint>& pts) {
  std::sort(pts.begin(), pts.end(), [](const auto& a, const auto& b) {
    return std::make_pair(a.report.kind(), a.report.label()) <
           std::make_pair(b.report.kind(), b.report.label());
  });
  mark_front(pts, latency_us, &ResultPoint::front_latency);
  mark_front(pts, energy_uj, &ResultPoint::front_energy);
}

std::string pareto_svg(const std::vector<ResultPoint>& pts, const std::string& title) {
  std::ostringstream s;
  const double w = 520, h = 380;
  s << "<svg xmlns='http://www.w3.org/2000/svg' width='" << 2 * w << "' height='" << h + 50
    << "' font-family='sans-serif'>\n<rect width='100%' height='100%' fill='white'/>\n"
    << "<text x='" << w << "' y='22' font-size='15' text-anchor='middle'>" << esc(title) << "</text>\n";
  panel(s, pts, latency_us, &ResultPoint::front_latency, "latency (us, simulated)", 0, 30, w, h);
  panel(s, pts, energy_uj, &ResultPoint::front_energy, "energy (uJ, simulated)", w, 30, w, h);
  s << "<text x='70' y='" << h + 44
    << "' font-size='11'>circles: ODiMO search points (dark: on the Pareto front); "
    << "squares: baselines; line: Pareto front</text>\n</svg>\n";
  return s.str();
}

std::string plot_title(const std::vector<ResultPoint>& pts) {
  const auto& r = pts.front().report;
  return r.network() + " on " + r.soc() + ", " + r.dataset() + " (target " + r.target() + ")";
}

std::string Fronts::svg_path(const std::string& soc) const {
  return svg_dir + (by_soc.size() > 1 ? "/pareto-" + soc + ".svg" : "/pareto.svg");
}

namespace {

// "OUT: 2 of 6 points have no complete result yet: point-001 point-004", or "".
std::string missing_points(const std::string& out) {
  if (!file_exists(out + "/plan.pbtxt")) return "";
  proto::SweepPlan plan;
  read_text_proto(out + "/plan.pbtxt", &plan);
  std::vector<std::string> m;
  for (int i = 0; i < plan.points(); ++i)
    if (!point_complete(out + "/" + point_name(plan, i))) m.push_back(point_name(plan, i));
  if (m.empty()) return "";
  std::string line = out + ": " + std::to_string(m.size()) + " of " + std::to_string(plan.points()) +
                     " points have no complete result yet:";
  for (const auto& x : m) line += " " + x;
  return line;
}

}  // namespace

Fronts collect_fronts(const std::vector<std::string>& outs) {
  Fronts f;
  f.svg_dir = outs.at(0);
  for (const auto& out : outs) {
    if (auto line = missing_points(out); !line.empty()) f.missing.push_back(line);
    for (auto& p : read_sweep(out)) f.by_soc[p.report.soc()].push_back(p);
  }
  for (auto& [soc, pts] : f.by_soc) mark_fronts(pts);
  return f;
}

}  // namespace odimo::sweep
