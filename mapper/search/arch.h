#pragma once
// The learned part of the ODiMO search for one layer (odimo-method.md §4):
//  - ChannelSoftmax (DIANA): logits alpha[option][channel]; s = softmax over the
//    options of alpha/T per channel; expected channels n_i = sum_c s_ic.
//  - Thermometric (Darkside): logits alpha[channel]; theta_c = sum_{j>=c} |alpha_j|;
//    mask m_c = 1[theta_c > 0.5] (first k channels on option 0); k = sum_c m_c.
//    Straight-through: dm_c/dtheta_c = 1, so dk/dalpha_j = (j+1) * sign(alpha_j).
// Both give the cost model real channel counts and take its gradient dR/dn back.
#include <cstdint>
#include <string>
#include <vector>

#include "mapper/search/search_space.h"
#include "mapper/tensor/tensor.h"

namespace odimo::search {

class LayerArch {
 public:
  // `compat`: reproduce the original's quirks (Darkside: d|a|/da = 0 at a = 0,
  // so the 'half' init freezes the zero entries; see odimo-method.md §10.4).
  LayerArch(const SearchableLayer& layer, const std::string& name, bool compat);

  const SearchableLayer& layer() const { return m_layer; }
  int options() const { return int(m_layer.cus.size()); }
  int channels() const { return m_layer.channels; }
  mapper::Parameter& alpha() { return m_alpha; }
  const mapper::Parameter& alpha() const { return m_alpha; }

  void set_temperature(double t) { m_temperature = t; }
  double temperature() const { return m_temperature; }

  // Per-channel weights of each option, [option * channels + c]: softmax
  // probabilities (ChannelSoftmax) or the 0/1 mask and its complement (Thermometric).
  // Frozen layers return the discrete one-hot assignment.
  const std::vector<float>& mix();
  // Expected channels per option (real valued during the search).
  std::vector<double> expected_channels();
  // alpha.grad += scale * dR/dalpha for a cost gradient dR/dn per option.
  void add_cost_gradient(const std::vector<double>& dR_dn, double scale);
  // alpha.grad += dL/dalpha given dL/dmix (same layout as mix()) of the training loss;
  // also adds dmix to the switch statistics below.
  void backward_mix(const std::vector<float>& dmix);
  // Switch statistics (the split refinement, refine.h): the mean of the dL/dmix given to
  // backward_mix since the last reset, [option * channels + c]. dL/dmix_ic is the slope of the
  // loss in the share of option i of channel c, so mean[j][c] - mean[i][c] estimates, to first
  // order, the change of the loss when channel c moves from option i to option j. The cost
  // gradient (add_cost_gradient) is not included. Zeros before any backward.
  void reset_switch_statistics();
  std::vector<double> mean_mix_gradient() const;

  // The discrete assignment: option index per channel (argmax, or the mask).
  std::vector<int> assignment() const;
  // Fixes the assignment (fine-tuning); mix() becomes one-hot, gradients stop.
  void freeze();
  // Undoes freeze(): the mix follows alpha again (alpha was not changed by freezing).
  void thaw() { m_frozen = false; }
  // Sets alpha so that `assignment` is what argmax / the mask gives (baselines).
  void force(const std::vector<int>& assignment);
  bool frozen() const { return m_frozen; }
  // Whether the training loss's gradient to alpha is used: not when frozen, nor while
  // set_learning(false) (the warmup, which takes no architecture step). A thermometric layer
  // computes its conv branch on every channel only then (search_nodes.h).
  bool learning() const { return !m_frozen && m_learning; }
  void set_learning(bool on) { m_learning = on; }
  // After each optimizer step. Thermometric (not --compat): alpha is projected onto
  // alpha >= 0, so |alpha| = alpha and sign(0) = +1 are consistent. Without it an
  // Adam step pushes each zero entry to about -lr, the next one back, and so on: the
  // |alpha| of many jittering entries piles up in theta and moves channels to option 0
  // against the gradient (measured on Darkside: lambda = 30 moved 500 -> 673 of 1000
  // channels to the cluster in the first search epoch).
  void project();

 private:
  std::vector<double> thermo_theta() const;
  void alpha_backward(const std::vector<float>& dmix);

  SearchableLayer m_layer;
  bool m_compat;
  mapper::Parameter m_alpha;
  double m_temperature = 1.0;
  bool m_frozen = false;
  bool m_learning = true;
  std::vector<int> m_frozen_assignment;
  std::vector<float> m_mix;
  std::vector<double> m_dmix_sum;  // switch statistics: sum of dL/dmix, and how many
  int64_t m_dmix_count = 0;
};

}  // namespace odimo::search
