#pragma once
// The autograd pieces the search adds to a model (odimo-method.md §4):
//  - MixedWeights (DIANA): one float weight tensor, each CU's quantizer applied
//    to it, mixed per output channel by the layer's architecture weights:
//    W_eff[c] = sum_i mix_ic * Q_i(W)[c]. The bias is shared (not mixed).
//  - ThermometricNode (Darkside): a standard conv (C -> C) and a depthwise conv
//    over the same input; output channel c comes from the conv where the mask is 1
//    (first k channels) and from the depthwise elsewhere; the layer's bias (if any) is
//    shared and added after the mix. The conv branch is computed for the channels whose
//    mask m_c is at least the conv-branch threshold (0: all of them) and, while the
//    architecture learns (a training pass with LayerArch::learning()), in the forward for
//    every channel: the mask's straight-through gradient dL/dm_c = <y_conv_c - y_dw_c,
//    dL/dy_c> needs it.
//    Tolerances: mapper/search/README.md ("The conv branch's threshold").
// Both own their LayerArch, whose alpha joins the model's parameters.
#include <memory>
#include <vector>

#include "mapper/nn/adc.h"
#include "mapper/nn/layers.h"
#include "mapper/nn/model.h"
#include "mapper/search/arch.h"
#include "mapper/search/branched_layer.h"

namespace odimo::search {

class MixedWeights : public mapper::WeightSource {
 public:
  MixedWeights(mapper::Parameter w, std::vector<std::unique_ptr<mapper::WeightQuantizer>> quantizers,
               const mapper::ChannelLayout& layout, std::unique_ptr<LayerArch> arch);
  const float* forward() override;
  float* effective_grad() override { return m_grad.data(); }
  void backward() override;
  void parameters(std::vector<mapper::Parameter*>& out) override;
  mapper::Parameter& weight() override { return m_w; }
  void weights_loaded() override;
  std::vector<mapper::WeightQuantizer*> quantizers() override;
  int option_of(int channel) const override;
  LayerArch& arch() { return *m_arch; }

 private:
  mapper::Parameter m_w;
  std::vector<std::unique_ptr<mapper::WeightQuantizer>> m_q;  // per option; null = float
  mapper::ChannelLayout m_layout;
  std::unique_ptr<LayerArch> m_arch;
  std::vector<std::vector<float>> m_wq, m_dwq;  // per option
  std::vector<float> m_eff, m_grad, m_dmix;
};

class ThermometricNode : public mapper::Node, public BranchedLayer {
 public:
  ThermometricNode(const Layer& layer, std::unique_ptr<mapper::Node> conv, std::unique_ptr<mapper::Node> dw,
                   std::unique_ptr<LayerArch> arch, std::unique_ptr<mapper::Parameter> bias);
  void forward(const mapper::RunContext& ctx) override;
  void backward(const mapper::RunContext& ctx) override;
  void parameters(std::vector<mapper::Parameter*>& out) override;
  // Pretrained depthwise weights (the layer's own, "<layer>.weight") also start the conv
  // branch, on its diagonal: both branches compute the pretrained layer.
  void weights_loaded() override;
  LayerArch& arch() { return *m_arch; }
  mapper::Node& conv() { return *m_conv; }  // channels [0, k)
  mapper::Node& dw() { return *m_dw; }      // channels [k, C)
  Branch branch_of(int channel) override;
  // Channels with m_c < threshold (in [0, 1]) are left out of the conv branch where their
  // output is not needed (see above); 0, the default: the conv branch is computed in full.
  void set_conv_branch_threshold(double threshold) { m_threshold = threshold; }

 private:
  void wire_branches();
  void conv_forward_kept(const mapper::RunContext& ctx);
  void backward_full(const mapper::RunContext& ctx);
  std::unique_ptr<mapper::Node> m_conv, m_dw;
  std::unique_ptr<LayerArch> m_arch;
  std::unique_ptr<mapper::Parameter> m_bias;  // null when the layer has none
  std::vector<float> m_dmix;
  double m_threshold = 0;
  std::vector<int> m_kept;  // the conv branch's channels of the last forward (ascending)
  bool m_subset = false;    // some channel left out of the conv branch
  // The forward computed every conv channel into m_conv->out, else the kept ones (N,OH,OW,|kept|);
  // the backward then takes the kept channels' dL/dy_conv in m_conv->out.grad.
  bool m_conv_all = true;
  const float* m_w = nullptr;  // the conv branch's effective weights of that forward
};

// Sets the conv-branch threshold (ThermometricNode) of every thermometric layer of `space` in `model`.
void set_conv_branch_threshold(mapper::Model& model, const std::vector<SearchableLayer>& space,
                               double threshold);

// A node factory for mapper::ModelOptions that builds the searchable layers of
// `space` with their relaxation and records their architecture parameters in *archs
// (in search-space order). `adc` (null: off): ADC-aware training, the searchable convs and
// linear layers with an option on a CU with an ADC (CuModel::number_format) get that ADC on
// that option (mapper/nn/adc.h; `adc->cu` is replaced by the CU's integer behaviour from the SoC file).
// Re-derives from each searchable layer's float weights (WeightQuantizer::init) the quantizers of
// the options `assignment` gives no channel of that layer: weights trained on one option leave
// the others' scales where they were initialised, on other weights (a checkpoint of an
// all-digital baseline holds the ternary scales of its random initialisation). Channel-softmax
// layers only; a thermometric layer keeps its branches.
void rederive_idle_quantizers(mapper::Model& model, const std::vector<SearchableLayer>& space,
                              const std::vector<std::vector<int>>& assignment);

mapper::NodeFactory search_node_factory(const SocDescription& soc, const std::vector<SearchableLayer>& space,
                                        bool compat, std::vector<LayerArch*>* archs,
                                        const mapper::AdcTraining* adc = nullptr);

}  // namespace odimo::search
