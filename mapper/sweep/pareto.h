#pragma once
// The results of a sweep: every point's report, the points grouped over seeds
// (mean and standard deviation), the Pareto fronts on the means (accuracy vs
// simulated latency and vs simulated energy), and an SVG plot of both.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "proto/search.pb.h"

namespace odimo::sweep {

// The point's cost: simulated when replayed, else analytic (us, uJ).
double latency_us(const proto::SearchReport& r);
double energy_uj(const proto::SearchReport& r);
// Which accuracy a sweep compares: the training engine's test accuracy (`odimo search`,
// fake-quantized) or the integer pipelines' (`odimo deploy`, report.json's `deployed`).
enum class AccuracyKind { kTrained, kDeployed };
// "trained" / "deployed" -> the kind; anything else is an Error naming `option`.
AccuracyKind parse_accuracy(const std::string& text, const std::string& option);
// The accuracy (0..1): the one place it is read from a report. kDeployed on a report
// without a deployment is an Error.
double accuracy(const proto::SearchReport& r, AccuracyKind kind = AccuracyKind::kTrained);

struct Stat {
  double mean = 0, std = 0;  // std: sample standard deviation over the seeds (0 for one seed)
};
Stat stat_of(const std::vector<double>& values);

// One point of the table and the plot: one run, or the same run over several seeds.
struct ResultPoint {
  std::string label;                      // without " seed=N"
  std::vector<std::string> dirs;          // one per seed
  std::vector<proto::SearchReport> runs;  // one per seed, in seed order
  Stat acc, latency, energy;              // the compared accuracy (0..1), us, uJ
  Stat trained, deployed;                 // both accuracies (0..1); deployed when every run has one
  bool has_deployed = false;
  // Deployed on chip instances (`odimo deploy --chips N`, N > 0 in every run): the accuracy of
  // every instance of every seed pooled; the deployed accuracy above is their mean.
  int chips = 0;          // instances per run (the most any run has); 0: the ideal chip
  Stat chip;              // mean and sample std over all the instances
  double worst_chip = 0;  // the least accurate instance
  // The error bar of `acc`: +- chip.std when it is the deployed accuracy on chip instances
  // (then acc_err_over_chips), else +- acc.std (over the seeds).
  double acc_err = 0;
  bool acc_err_over_chips = false;
  bool front_latency = false, front_energy = false;

  const proto::SearchReport& report() const { return runs.front(); }  // SoC, kind, network, ...
  bool is_search() const { return report().kind() == "search"; }
  double cost(bool energy_axis) const { return energy_axis ? energy.mean : latency.mean; }
};

// "lambda=0.5 seed=2 soc=diana" -> "lambda=0.5 soc=diana".
std::string label_without_seed(const std::string& label);
// Groups runs (each with its folder) by SoC and label without seed, fills the
// statistics; ordered by kind and label. Fronts on `kind`: with kDeployed, a run without
// a deployment is an Error naming its folder. Runs deployed on chip instances, all of them,
// give the point its chip statistics; a mix of chip counts is an Error naming the folder.
std::vector<ResultPoint> group_runs(const std::vector<std::pair<std::string, proto::SearchReport>>& runs,
                                    AccuracyKind kind = AccuracyKind::kTrained);

// Every DIR/*/report.json. Points without a replay use their analytic cost.
std::vector<std::pair<std::string, proto::SearchReport>> read_sweep(const std::string& dir);
// (Re)marks both fronts among `points`, on the means.
void mark_fronts(std::vector<ResultPoint>& points);
// Two panels, accuracy vs latency and vs energy; search points and baselines
// in different marks, error bars of one standard deviation, the front joined by a line.
std::string pareto_svg(const std::vector<ResultPoint>& points, const std::string& title);
// "resnet8 on diana, fashion-mnist (target latency)": the plot's title.
// With kDeployed: "..., deployed accuracy".
// With a noise level: ", AIMC read noise 1 LSB"; on the deployed accuracy over chip
// instances: ", mean of N chip instances".
std::string plot_title(const std::vector<ResultPoint>& points, AccuracyKind kind = AccuracyKind::kTrained,
                       const std::optional<double>& noise_lsb = std::nullopt);

// One front: the points of one SoC at one read-noise level of a sweep's grid (noise_grid.h;
// unset without a grid), ordered by SoC, then level.
struct FrontKey {
  std::string soc;
  std::optional<double> noise_lsb;
  bool operator<(const FrontKey& o) const;
  std::string name() const;  // "diana", "diana noise=1lsb"
};

// The results in several OUT folders together, one group per SoC and noise level (labels
// without their noise word) with its fronts marked, and for each folder holding a plan the
// points without a complete result.
struct Fronts {
  std::map<FrontKey, std::vector<ResultPoint>> groups;
  std::vector<std::string> missing;  // "OUT: 2 of 6 points have no complete result yet: ..."
  std::string svg_dir;               // the first folder: where the SVGs go
  AccuracyKind accuracy = AccuracyKind::kTrained;
  // OUT/pareto.svg; with several SoCs OUT/pareto-<soc>.svg, with several noise levels
  // OUT/pareto[-<soc>]-noise<N>lsb.svg.
  std::string svg_path(const FrontKey& key) const;
};
Fronts collect_fronts(const std::vector<std::string>& outs, AccuracyKind kind = AccuracyKind::kTrained);

}  // namespace odimo::sweep
