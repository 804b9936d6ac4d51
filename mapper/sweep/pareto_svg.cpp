// The SVG of a sweep's Pareto fronts: two panels (accuracy vs latency, vs energy),
// ticks at round values (1-2-5 steps), error bars of one standard deviation over
// the seeds (the deployed accuracy on chip instances: over every seed's instances, pooled),
// and point labels placed so that no two overlap.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "mapper/sweep/pareto.h"

namespace odimo::sweep {
namespace {

std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) o += c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '&' ? "&amp;" : std::string(1, c);
  return o;
}

// The round step (1, 2 or 5 times a power of ten) that cuts `range` into about `parts`.
double nice_step(double range, int parts) {
  const double raw = std::max(range, 1e-12) / parts;
  const double p10 = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0})
    if (m * p10 >= raw * (1 - 1e-9)) return m * p10;
  return 10 * p10;
}

struct Axis {
  double lo, hi, step;
};

// An axis covering [lo, hi] plus a margin, its ends on multiples of a round step.
Axis round_axis(double lo, double hi, double min_pad, double floor_at, double ceil_at) {
  const double pad = std::max(min_pad, (hi - lo) * 0.08);
  lo = std::max(floor_at, lo - pad), hi = std::min(ceil_at, hi + pad);
  if (hi <= lo) hi = lo + 1;
  const double step = nice_step(hi - lo, 5);
  return {std::max(floor_at, std::floor(lo / step) * step), std::min(ceil_at, std::ceil(hi / step) * step),
          step};
}

std::string tick_text(double v, double step) {
  char buf[32];
  const int decimals = std::max(0, -int(std::floor(std::log10(step) + 1e-9)));
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

struct Box {
  double x0, y0, x1, y1;
  bool overlaps(const Box& b) const { return x0 < b.x1 && b.x0 < x1 && y0 < b.y1 && b.y0 < y1; }
};

// Places a label of `chars` characters (font size 10) near (px, py): the first
// candidate spot that overlaps no placed label or mark and stays in `area`.
// Returns the text anchor position and whether it is left of the point.
struct Placed {
  double x, y;
  bool left;
};
Placed place_label(double px, double py, size_t chars, const Box& area, std::vector<Box>& taken) {
  const double w = 5.8 * double(chars) + 2, h = 11;
  const double dys[] = {-6, 14, -18, 26, -30, 38, -42, 50};
  Placed best{px + 7, py - 6, false};
  for (double dy : dys)
    for (bool left : {false, true}) {
      const double x = left ? px - 7 : px + 7, y = py + dy;
      const Box b{left ? x - w : x, y - h + 2, left ? x : x + w, y + 2};
      if (b.x0 < area.x0 || b.x1 > area.x1 || b.y0 < area.y0 || b.y1 > area.y1) continue;
      if (std::any_of(taken.begin(), taken.end(), [&](const Box& t) { return t.overlaps(b); })) continue;
      taken.push_back(b);
      return {x, y, left};
    }
  return best;  // crowded: the default spot
}

void error_bars(std::ostringstream& s, double px, double py, double dx, double dy) {
  if (dy > 0.5)
    s << "<path d='M" << px << "," << py - dy << "V" << py + dy << "M" << px - 3 << "," << py - dy << "h6M"
      << px - 3 << "," << py + dy << "h6' stroke='#555' fill='none'/>\n";
  if (dx > 0.5)
    s << "<path d='M" << px - dx << "," << py << "H" << px + dx << "M" << px - dx << "," << py - 3 << "v6M"
      << px + dx << "," << py - 3 << "v6' stroke='#555' fill='none'/>\n";
}

struct Frame {
  Axis xa, ya;
  double x0, y0, w, h;
  double x(double v) const { return x0 + 60 + (v - xa.lo) / (xa.hi - xa.lo) * (w - 80); }
  double y(double v) const { return y0 + h - 40 - (v - ya.lo) / (ya.hi - ya.lo) * (h - 60); }
};

void axes(std::ostringstream& s, const Frame& f, const std::string& xlabel) {
  const Axis &xa = f.xa, &ya = f.ya;
  const double x0 = f.x0, y0 = f.y0, w = f.w, h = f.h;
  s << "<rect x='" << x0 + 60 << "' y='" << y0 + 20 << "' width='" << w - 80 << "' height='" << h - 60
    << "' fill='none' stroke='#888'/>\n";
  for (double v = xa.lo; v <= xa.hi + xa.step * 1e-6; v += xa.step)
    s << "<text x='" << f.x(v) << "' y='" << y0 + h - 22 << "' font-size='11' text-anchor='middle'>"
      << tick_text(v, xa.step) << "</text>\n";
  for (double v = ya.lo; v <= ya.hi + ya.step * 1e-6; v += ya.step)
    s << "<text x='" << x0 + 55 << "' y='" << f.y(v) + 4 << "' font-size='11' text-anchor='end'>"
      << tick_text(v, ya.step) << "</text>\n";
  s << "<text x='" << x0 + w / 2 << "' y='" << y0 + h - 4 << "' font-size='13' text-anchor='middle'>"
    << esc(xlabel) << "</text>\n<text x='" << x0 + 14 << "' y='" << y0 + h / 2
    << "' font-size='13' text-anchor='middle' "
    << "transform='rotate(-90 " << x0 + 14 << " " << y0 + h / 2 << ")'>test accuracy (%)</text>\n";
}

// One panel at (x0, y0) of size w x h: x = cost, y = accuracy (%).
void panel(std::ostringstream& s, const std::vector<ResultPoint>& pts, bool energy_axis,
           bool ResultPoint::*front, const std::string& xlabel, double x0, double y0, double w, double h) {
  double xmin = 1e300, xmax = -1e300, ymin = 100, ymax = 0;
  for (const auto& p : pts) {
    const Stat& c = energy_axis ? p.energy : p.latency;
    xmin = std::min(xmin, c.mean - c.std), xmax = std::max(xmax, c.mean + c.std);
    ymin = std::min(ymin, 100 * (p.acc.mean - p.acc_err)),
    ymax = std::max(ymax, 100 * (p.acc.mean + p.acc_err));
  }
  const Frame f{round_axis(xmin, xmax, 1e-9, 0, 1e300), round_axis(ymin, ymax, 0.5, 0, 100), x0, y0, w, h};
  axes(s, f, xlabel);
  std::vector<const ResultPoint*> fr;
  for (const auto& p : pts)
    if (p.*front) fr.push_back(&p);
  std::sort(fr.begin(), fr.end(),
            [&](auto* a, auto* b) { return a->cost(energy_axis) < b->cost(energy_axis); });
  s << "<polyline fill='none' stroke='#d62728' stroke-width='1.5' points='";
  for (auto* p : fr) s << f.x(p->cost(energy_axis)) << "," << f.y(100 * p->acc.mean) << " ";
  s << "'/>\n";
  std::vector<Box> taken;  // marks first, so that no label covers a point
  for (const auto& p : pts) {
    const double px = f.x(p.cost(energy_axis)), py = f.y(100 * p.acc.mean);
    taken.push_back({px - 5, py - 5, px + 5, py + 5});
  }
  const Box area{x0 + 60, y0 + 20, x0 + w - 20, y0 + h - 40};
  for (const auto& p : pts) {
    const Stat& c = energy_axis ? p.energy : p.latency;
    const double px = f.x(c.mean), py = f.y(100 * p.acc.mean);
    error_bars(s, px, py, f.x(c.mean + c.std) - px, py - f.y(100 * (p.acc.mean + p.acc_err)));
    if (!p.is_search())
      s << "<rect x='" << px - 5 << "' y='" << py - 5 << "' width='10' height='10' fill='#1f77b4'/>\n";
    else
      s << "<circle cx='" << px << "' cy='" << py << "' r='5' fill='" << (p.*front ? "#d62728" : "#ff9896")
        << "'/>\n";
    const Placed at = place_label(px, py, p.label.size(), area, taken);
    if (std::abs(at.y - (py - 6)) > 12)  // moved away from its point: a leader line
      s << "<line x1='" << px << "' y1='" << py << "' x2='" << at.x << "' y2='" << at.y - 4
        << "' stroke='#bbb'/>\n";
    s << "<text x='" << at.x << "' y='" << at.y << "' font-size='10'" << (at.left ? " text-anchor='end'" : "")
      << ">" << esc(p.label) << "</text>\n";
  }
}

}  // namespace

std::string pareto_svg(const std::vector<ResultPoint>& pts, const std::string& title) {
  std::ostringstream s;
  const double w = 520, h = 380;
  const bool over_chips =
      std::any_of(pts.begin(), pts.end(), [](const auto& p) { return p.acc_err_over_chips; });
  s << "<svg xmlns='http://www.w3.org/2000/svg' width='" << 2 * w << "' height='" << h + 50
    << "' font-family='sans-serif'>\n<rect width='100%' height='100%' fill='white'/>\n"
    << "<text x='" << w << "' y='22' font-size='15' text-anchor='middle'>" << esc(title) << "</text>\n";
  panel(s, pts, false, &ResultPoint::front_latency, "latency (us, simulated)", 0, 30, w, h);
  panel(s, pts, true, &ResultPoint::front_energy, "energy (uJ, simulated)", w, 30, w, h);
  s << "<text x='70' y='" << h + 44
    << "' font-size='11'>circles: ODiMO search points (dark: on the Pareto front); "
    << "squares: baselines; line: Pareto front; bars: ±1 std "
    << (over_chips ? "(cost: over seeds; accuracy: over all chip instances)" : "over seeds")
    << "</text>\n</svg>\n";
  return s.str();
}

}  // namespace odimo::sweep
