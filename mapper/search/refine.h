#pragma once
// Split refinement: odimo's addition to the ODiMO search, not in the paper
// (mapper/search/README.md, "Split refinement"). Run once, after the last search epoch and
// before the fine-tune, on the discretised mapping.
//
// Why: the search prices a layer at real-valued channel counts. A CU's fixed cost (host
// launch, synchronisation, weight load) is paid as soon as it gets any channel, so a small
// share on a second CU costs more than it saves; gradient descent on the relaxation stays at
// a layer's corner (all channels on one CU) even where a split is cheaper.
//
// What: per searchable layer with two options, the learned split (k channels on option 0) is
// replaced by the split k' minimising the search's own loss, discretely, to first order:
//   J(k') = weight * (R(k') - R(k)) + max(0, dCE(k')),      weight = lambda / R_ref
// R: the cost model's layer cost at integer counts with the hard max over CUs (what the
// report and the simulator see); dCE: the estimated change of the cross-entropy from moving
// the channels between k and k' (sum of their switch losses, LayerArch::mean_mix_gradient);
// an estimated fall counts as 0. k' replaces k only if R(k') < R(k) and J(k') < 0: the
// refinement never raises the cost, and lambda = 0 leaves the learned mapping as it is.
// Checked: when a probe is given, each proposed split is then measured as it will be used:
// the validation loss and accuracy of the network with that layer at k' (hard assignments
// everywhere, batch-norm statistics re-estimated for the mapping: search_run.cpp), minus the
// same measurement before the move. The split is kept only if
// weight * (R(k') - R(k)) + max(0, measured loss change) < 0 as well; otherwise the layer keeps
// its learned split. Layers are measured in network order, each on top of the splits already
// taken, so the last measurement is the refined network's. The first-order estimate proposes,
// the measurement decides.
// Which channels: option 0 takes the first k' of `order`, the channels by decreasing learned
// preference for it (channel softmax: alpha_0 - alpha_1; thermometric: channel index, the
// split rule's contiguous prefix), so the learned ranking is kept.
#include <functional>
#include <vector>

#include "mapper/search/arch.h"
#include "mapper/search/network_cost.h"

namespace odimo::search {

struct SplitChoice {
  int learned = 0;                      // channels on option 0, learned
  int refined = 0;                      // after the refinement (learned, or proposed if taken)
  double cost_change = 0;               // R(refined) - R(learned), cycles or uJ
  double loss_change = 0;               // estimated change of the cross-entropy at the proposal (first order)
  int proposed = 0;                     // the first-order proposal
  double measured_change = 0;           // the probe's loss change at the proposal (0: not measured)
  double measured_accuracy_change = 0;  // the probe's accuracy change at the proposal (fraction)
  double proposed_cost_change = 0;      // R(proposed) - R(learned)
};

// One layer. order: a permutation of the channels, option 0 takes a prefix of it;
// learned: that prefix's length in the learned mapping; switch_loss[c]: the estimated change
// of the loss if channel c leaves its learned option; layer_cost(k): R with the first k
// channels of order on option 0. Ties: the k' closest to learned, then the smaller.
SplitChoice refine_split(const std::vector<int>& order, int learned, const std::vector<double>& switch_loss,
                         const std::function<double(int)>& layer_cost, double weight);

// Option index per channel: the first k of order on option 0, the rest on option 1.
std::vector<int> split_assignment(const std::vector<int>& order, int k);

// The channels by decreasing learned preference for option 0 (see above); ties by index.
std::vector<int> preference_order(const LayerArch& arch);

// Switch loss per channel from the arch's switch statistics and its learned assignment.
std::vector<double> switch_losses(const LayerArch& arch);

struct Refinement {
  std::vector<std::vector<int>> assignments;  // per searchable layer
  std::vector<SplitChoice> layers;            // per searchable layer (learned == refined: unchanged)
};

// What the probe measures of the network as the architecture logits stand now.
struct Measurement {
  double loss = 0, accuracy = 0;
};
// The validation of the mapping as it stands (search_run.cpp); it must leave the model as it
// found it.
using Probe = std::function<Measurement()>;

// Every searchable layer of cost.space() (archs in the same order); layers with other than
// two options keep their learned assignment. With a probe, each proposal is checked (above):
// a taken split stays forced into its arch's logits, a refused one's logits are put back.
// Without one the archs are not touched. Deterministic: a function of its inputs only.
Refinement refine_mapping(const NetworkCost& cost, const std::vector<LayerArch*>& archs, double weight,
                          const Probe& probe = {});

}  // namespace odimo::search
