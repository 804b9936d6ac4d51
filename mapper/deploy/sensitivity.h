#pragma once
// The sensitivity baseline (`odimo search --baseline sensitivity[:macs|:measured]`), after
// LionHeart (Lammie et al., IEEE TETC 2025, arXiv:2401.09420): starting from the network trained
// all-digital, the searchable layers are ranked and converted from the digital CU to the analog
// one, one at a time; a conversion is kept when the accuracy deployed bit-true under the analog
// non-idealities (read noise, the chip instances' column mismatch) stays within a threshold of
// the all-digital accuracy, else the layer goes back to the digital CU. The assignment reached
// is then fine-tuned like every baseline. Differences from LionHeart, stated: no retraining
// between conversions (each decision is measured on the same all-digital weights, with the
// batch-norm statistics re-estimated for the candidate mapping), the validation split's images
// deployed on the integer pipelines instead of a drifting PCM model, and the ranking may be
// measured ("measured": each layer converted alone, least sensitive first) instead of by MACs.
// Decisions need both the search's model and the integer pipelines, hence this room.
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "mapper/cost/cost_model.h"
#include "mapper/search/search_run.h"
#include "mapper/search_files/search_config.h"
#include "proto/search.pb.h"

namespace odimo::deploy {

// ---- The rule, on any evaluator ----------------------------------------------------------------

// A layer the baseline may convert.
struct SensitivityCandidate {
  std::string layer;
  int64_t macs = 0;
};

// Candidate indices by MAC count, largest first; equal counts in network order (LionHeart's order).
std::vector<int> rank_by_macs(const std::vector<SensitivityCandidate>& candidates);
// Candidate indices by the accuracy with that layer alone converted, highest first (least
// sensitive first); equal accuracies in network order.
std::vector<int> rank_by_accuracy(const std::vector<double>& alone_accuracy);

// The accuracy (0..1) of the network with candidate i on the analog CU where analog[i].
using SensitivityEvaluator = std::function<double(const std::vector<bool>& analog)>;

struct SensitivityStep {
  int candidate = 0;
  double accuracy = 0;  // with it and every kept candidate before it analog
  bool kept = false;
};

struct SensitivityResult {
  std::vector<bool> analog;            // per candidate: kept on the analog CU
  std::vector<SensitivityStep> steps;  // in `order`
  double accuracy = 0;                 // of the kept set (`reference` when none was kept)
};

// The greedy conversion: for each candidate in `order`, evaluate it added to the kept set; keep
// it when 100 * (reference - accuracy) <= threshold_points (accuracies 0..1, the threshold in
// points; compared with a 1e-9 point tolerance so that equal rationals are equal).
SensitivityResult convert_greedily(int candidates, const std::vector<int>& order, double reference,
                                   double threshold_points, const SensitivityEvaluator& evaluate);

// ---- The baseline ------------------------------------------------------------------------------

// Writes a finished report into a folder (the caller's: it stamps the tool version and files).
using ReportWriter = std::function<void(const std::string& dir, proto::SearchReport& report)>;

// Runs the baseline described by `cfg` (the engine's view of the configuration; no `fixed`
// assignment) and `options`: the all-digital training (unless cfg.init gives the weights: then
// the decisions are made on them) into cfg.out_dir/all-digital/ (a complete baseline folder,
// written with `write`), the decisions, and the fine-tune of the assignment reached (from the
// same weights) into cfg.out_dir. Returns that fine-tune's report with its `sensitivity` record.
proto::SearchReport run_sensitivity_baseline(const search::SearchConfig& cfg,
                                             const search::SensitivityOptions& options,
                                             const SocDescription& soc, const cost::CostModel& cost,
                                             const cost::CostModel& compat, const ReportWriter& write,
                                             std::ostream& log);

}  // namespace odimo::deploy
