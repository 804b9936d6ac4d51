#pragma once
// Mapping resolution: which CU computes how many output channels of every
// layer, with fallbacks and fusions recorded. Used by the simulator (sim/)
// and by the analytic cost model (mapper/). No SystemC here.
//
//   SocDescription soc = load_soc("diana");
//   Network net = load_network("resnet20");
//   ResolvedMapping m = resolve_mapping(net, soc, "all:aimc");   // or "" or a file path
//   for (const LayerSplit& s : m.layers) for (const CuShare& c : s.shares) ... c.cu, c.channels
#include <string>
#include <vector>

#include "hw/soc_description.h"
#include "proto/mapping.pb.h"
#include "workloads/network.h"

namespace odimo {

// Output channels of one layer that one CU computes.
struct CuShare {
  std::string cu;       // CU name in the SoC description
  int channels = 0;     // number of output channels (> 0)
  int first = 0;        // lowest channel index (the range start under CONTIGUOUS_IN_CU_ORDER)
  Op op = Op::kConv2d;  // operator the CU computes (the layer's own, or the mapping's variant)
  std::string variant;  // "" or the mapping's variant ("conv2d", "depthwise")
};

struct LayerSplit {
  std::vector<CuShare> shares;  // CUs in SoC order; empty when fused or a view
  int fused_into = -1;          // index of the layer whose output stage applies this one (0 cycles)
  bool view = false;            // flatten: a reinterpretation, no data moves (0 cycles)
  std::string note;             // fallback / fusion explanation, "" when as asked
  bool runs() const { return !shares.empty(); }
  int channels_on(const std::string& cu) const;  // 0 if the CU has none
};

struct ResolvedMapping {
  std::string spec;                // "default", "all:CU" or the mapping file path
  std::vector<LayerSplit> layers;  // parallel to Network::layers
};

// `spec`: "" (each layer on the SoC's default CU), "all:CU" (every layer on CU
// where it can run, falling back along Soc.fallback), or a Mapping .pbtxt path.
// Throws Error on an unknown CU, an operator the CU cannot run (explicit
// mappings never fall back), channels not covered or covered twice, a split
// that breaks the SoC's split rule, a layer name not in the network, or a mapping
// whose `network` field names another network.
ResolvedMapping resolve_mapping(const Network& net, const SocDescription& soc, const std::string& spec);
ResolvedMapping resolve_mapping(const Network& net, const SocDescription& soc, const proto::Mapping& mapping,
                                const std::string& origin);

// The layer as one CU computes it: `share.channels` output channels with the
// share's operator (variant), MACs and output bytes recomputed. Shapes, kernel,
// stride and padding are the layer's.
Layer share_geometry(const Layer& layer, const CuShare& share);

}  // namespace odimo
