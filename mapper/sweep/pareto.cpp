#include "mapper/sweep/pareto.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <ostream>
#include <set>
#include <sstream>
#include <tuple>

#include "mapper/search_files/search_report.h"
#include "mapper/sweep/noise_grid.h"
#include "mapper/sweep/plan.h"
#include "proto/error.h"
#include "proto/proto_io.h"

namespace odimo::sweep {

double latency_us(const proto::SearchReport& r) {
  return r.replayed() ? r.simulated().latency_us() : r.analytic().latency_us();
}
double energy_uj(const proto::SearchReport& r) {
  return r.replayed() ? r.simulated().energy_uj() : r.analytic().energy_uj();
}
AccuracyKind parse_accuracy(const std::string& text, const std::string& option) {
  if (text == "trained") return AccuracyKind::kTrained;
  if (text == "deployed") return AccuracyKind::kDeployed;
  throw Error(option + ": '" + text + "': expected trained or deployed");
}

double accuracy(const proto::SearchReport& r, AccuracyKind kind) {
  if (kind == AccuracyKind::kTrained) return r.test_accuracy();
  if (!r.has_deployed())
    throw Error("point '" + r.label() +
                "' has not been deployed (odimo deploy DIR, or sweep run again with deploy on)");
  return r.deployed().test_accuracy();
}

Stat stat_of(const std::vector<double>& v) {
  Stat s;
  if (v.empty()) return s;
  for (double x : v) s.mean += x;
  s.mean /= double(v.size());
  if (v.size() < 2) return s;
  double ss = 0;
  for (double x : v) ss += (x - s.mean) * (x - s.mean);
  s.std = std::sqrt(ss / double(v.size() - 1));
  return s;
}

std::string label_without_seed(const std::string& label) {
  std::string out;
  std::istringstream words(label);
  for (std::string w; words >> w;)
    if (w.rfind("seed=", 0) != 0) out += (out.empty() ? "" : " ") + w;
  return out;
}

namespace {

// The chip statistics of a deployed point: none when its runs ran on the ideal chip.
void fill_chip_stats(ResultPoint& p) {
  const std::vector<std::string>& dirs = p.dirs;
  std::vector<double> all;
  for (size_t i = 0; i < p.runs.size(); ++i) {
    const proto::DeployReport& d = p.runs[i].deployed();
    if ((d.chips() > 0) != (p.runs.front().deployed().chips() > 0))
      throw Error(dirs[i] + "/report.json: field 'deployed.chips': " + std::to_string(d.chips()) + " but " +
                  dirs.front() + "/report.json has " + std::to_string(p.runs.front().deployed().chips()) +
                  ": point '" + p.label +
                  "' mixes deployments on chip instances and on the ideal chip (deploy them alike)");
    p.chips = std::max(p.chips, d.chips());
    all.insert(all.end(), d.chip_test_accuracy().begin(), d.chip_test_accuracy().end());
  }
  if (p.chips == 0 || all.empty()) return;
  p.chip = stat_of(all);
  p.worst_chip = *std::min_element(all.begin(), all.end());
}

// Means and standard deviations over the seeds, the compared accuracy and its error bar.
void fill_stats(ResultPoint& p, AccuracyKind kind) {
  std::vector<double> trained, deployed, lat, en;
  p.has_deployed = true;
  for (const auto& r : p.runs) {
    trained.push_back(accuracy(r, AccuracyKind::kTrained));
    p.has_deployed = p.has_deployed && r.has_deployed();
    if (r.has_deployed()) deployed.push_back(accuracy(r, AccuracyKind::kDeployed));
    lat.push_back(latency_us(r));
    en.push_back(energy_uj(r));
  }
  p.trained = stat_of(trained), p.latency = stat_of(lat), p.energy = stat_of(en);
  if (p.has_deployed) p.deployed = stat_of(deployed), fill_chip_stats(p);
  p.acc = kind == AccuracyKind::kDeployed ? p.deployed : p.trained;
  p.acc_err_over_chips = kind == AccuracyKind::kDeployed && p.chips > 0;
  p.acc_err = p.acc_err_over_chips ? p.chip.std : p.acc.std;
}

}  // namespace

std::vector<ResultPoint> group_runs(const std::vector<std::pair<std::string, proto::SearchReport>>& runs,
                                    AccuracyKind kind) {
  auto sorted = runs;  // seed order within each point
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second.seed() < b.second.seed(); });
  // kind, lambda (search points in lambda order), label, SoC
  std::map<std::tuple<std::string, double, std::string, std::string>, ResultPoint> groups;
  // Points on one front must be comparable: the same SoC, network, input, data set and target.
  using Field = const std::string& (proto::SearchReport::*)() const;
  const std::pair<const char*, Field> same[] = {{"soc", &proto::SearchReport::soc},
                                                {"network", &proto::SearchReport::network},
                                                {"input", &proto::SearchReport::input},
                                                {"dataset", &proto::SearchReport::dataset},
                                                {"target", &proto::SearchReport::target}};
  for (const auto& [dir, r] : sorted) {
    const auto& [first_dir, first] = sorted.front();
    for (const auto& [field, get] : same)
      if ((r.*get)() != (first.*get)())
        throw Error(dir + "/report.json: field '" + field + "': '" + (r.*get)() + "' but " + first_dir +
                    "/report.json has '" + (first.*get)() +
                    "': one front compares points of one SoC, network, input, data set and target (give "
                    "the results of each to its own odimo pareto)");
    if (kind == AccuracyKind::kDeployed && !r.has_deployed())
      throw Error(dir + "/report.json: field 'deployed': missing: point '" + r.label() +
                  "' has not been deployed; --accuracy deployed needs every point deployed (odimo deploy " +
                  dir + ", or sweep run again with deploy on)");
    ResultPoint& p =
        groups[{r.kind(), r.kind() == "search" ? r.lambda() : 0.0, label_without_seed(r.label()), r.soc()}];
    p.label = label_without_seed(r.label());
    // Runs of one point are its seeds: the same seed twice would count one run as two.
    for (size_t i = 0; i < p.runs.size(); ++i)
      if (p.runs[i].seed() == r.seed())
        throw Error(dir + "/report.json: point '" + p.label + "' seed " + std::to_string(r.seed()) +
                    " is also " + p.dirs[i] + ": each run once (label and seed name a run)");
    p.dirs.push_back(dir);
    p.runs.push_back(r);
  }
  std::vector<ResultPoint> out;
  for (auto& [key, p] : groups) {
    fill_stats(p, kind);
    out.push_back(std::move(p));
  }
  mark_fronts(out);
  return out;
}

namespace {

// A point is on the front when no other point is at least as accurate and at least
// as cheap, and strictly better in one of the two (on the means over seeds).
void mark_front(std::vector<ResultPoint>& pts, bool energy_axis, bool ResultPoint::*flag) {
  for (auto& p : pts) {
    bool dominated = false;
    for (const auto& q : pts) {
      const double pa = p.acc.mean, qa = q.acc.mean, pc = p.cost(energy_axis), qc = q.cost(energy_axis);
      if (qa >= pa && qc <= pc && (qa > pa || qc < pc)) dominated = true;
    }
    p.*flag = !dominated;
  }
}

}  // namespace

std::vector<std::pair<std::string, proto::SearchReport>> read_sweep(const std::string& dir) {
  std::vector<std::pair<std::string, proto::SearchReport>> runs;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) throw Error(dir + ": not a directory");
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))  // an unreadable DIR: no points
    if (e.is_directory(ec) && file_exists(e.path() / "report.json") &&
        !is_pretraining_result(e.path().string()))
      runs.emplace_back(e.path().string(), search::read_search_report(e.path().string()));
  if (runs.empty())
    throw Error(dir + ": no */report.json (run odimo sweep or odimo search --out " + dir + "/NAME)");
  return runs;
}

void mark_fronts(std::vector<ResultPoint>& pts) {
  mark_front(pts, false, &ResultPoint::front_latency);
  mark_front(pts, true, &ResultPoint::front_energy);
}

std::string plot_title(const std::vector<ResultPoint>& pts, AccuracyKind kind,
                       const std::optional<double>& noise_lsb) {
  const auto& r = pts.front().report();
  int chips = 0;
  for (const auto& p : pts) chips = std::max(chips, p.chips);
  return r.network() + " on " + r.soc() + ", " + r.dataset() + " (target " + r.target() + ")" +
         (noise_lsb ? ", AIMC read noise " + format_number(*noise_lsb) + " LSB" : "") +
         (kind == AccuracyKind::kDeployed ? ", deployed accuracy (integer pipelines)" : "") +
         (kind == AccuracyKind::kDeployed && chips > 0
              ? ", mean of " + std::to_string(chips) + " chip instances"
              : "");
}

bool FrontKey::operator<(const FrontKey& o) const {
  return std::tie(soc, noise_lsb) < std::tie(o.soc, o.noise_lsb);
}

std::string FrontKey::name() const {
  return soc + noise_word(noise_lsb);
}

std::string Fronts::svg_path(const FrontKey& key) const {
  std::set<std::string> socs;
  std::set<std::optional<double>> levels;
  for (const auto& [k, pts] : groups) socs.insert(k.soc), levels.insert(k.noise_lsb);
  std::string file = "/pareto";
  if (socs.size() > 1) file += "-" + key.soc;
  if (levels.size() > 1 && key.noise_lsb) file += "-noise" + format_number(*key.noise_lsb) + "lsb";
  return svg_dir + file + ".svg";
}

namespace {

// "OUT: 2 of 6 points have no complete result yet: point-001 point-004", or "".
std::string missing_points(const std::string& out) {
  if (!file_exists(out + "/plan.pbtxt")) return "";
  proto::SweepPlan plan;
  read_text_proto(out + "/plan.pbtxt", &plan);
  std::vector<std::string> m;
  for (int i = 0; i < plan.points(); ++i)
    if (!point_complete(out + "/" + point_name(plan, i), plan.spec())) m.push_back(point_name(plan, i));
  if (m.empty()) return "";
  std::string line = out + ": " + std::to_string(m.size()) + " of " + std::to_string(plan.points()) +
                     " points have no complete result yet:";
  for (const auto& x : m) line += " " + x;
  return line;
}

}  // namespace

Fronts collect_fronts(const std::vector<std::string>& outs, AccuracyKind kind) {
  Fronts f;
  f.accuracy = kind;
  f.svg_dir = outs.at(0);
  for (const auto& out : outs) {
    if (auto line = missing_points(out); !line.empty()) f.missing.push_back(line);
  }
  std::map<FrontKey, std::vector<std::pair<std::string, proto::SearchReport>>> runs;
  for (const auto& out : outs)
    for (auto& run : read_sweep(out))
      runs[{run.second.soc(), label_noise(run.second.label())}].push_back(std::move(run));
  for (const auto& [key, r] : runs) {
    std::vector<ResultPoint> pts = group_runs(r, kind);
    if (key.noise_lsb)  // the level names the front: the points' labels without it
      for (auto& p : pts) p.label = label_without_noise(p.label);
    f.groups[key] = std::move(pts);
  }
  return f;
}

}  // namespace odimo::sweep
