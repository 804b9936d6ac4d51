#pragma once
// Which layers the ODiMO search may split across CUs on a SoC, and how
// (odimo-method.md §3), read from what the SoC description says its CUs offer:
//  - split_rule ANY_SUBSET (DIANA): per-output-channel softmax over the CUs
//    that can run the layer (conv2d with groups 1, linear: digital and AIMC);
//  - split_rule CONTIGUOUS_IN_CU_ORDER (Darkside): a thermometric split between
//    two operator variants, the first k channels on the first CU. A stride-1
//    3x3 depthwise layer runs as a standard 3x3 conv (C -> C) on the cluster for
//    channels [0, k) and as itself on the DWE for [k, C), as ODiMO's conv-vs-DW block.
// Every other layer keeps the SoC's default mapping and still counts in the cost.
#include <string>
#include <vector>

#include "hw/mapping.h"
#include "hw/soc_description.h"
#include "workloads/network.h"

namespace odimo::search {

enum class Relaxation { kChannelSoftmax, kThermometric };

struct SearchableLayer {
  int layer = 0;           // index in Network::layers
  std::string layer_name;  // its name
  Relaxation relaxation = Relaxation::kChannelSoftmax;
  std::vector<int> cus;               // CU indices (SoC order) the channels may go to, >= 2
  std::vector<std::string> variants;  // per CU: "" (the layer's own operator) or the variant it computes
  int channels = 0;                   // output channels
};

std::vector<SearchableLayer> search_space(const Network& net, const SocDescription& soc);

}  // namespace odimo::search
