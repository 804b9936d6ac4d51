#include "mapper/search/search_space.h"

namespace odimo::search {
namespace {

bool is_thermometric(const SocDescription& soc) {
  return soc.soc.split_rule() == proto::CONTIGUOUS_IN_CU_ORDER;
}

}  // namespace

std::vector<SearchableLayer> search_space(const Network& net, const SocDescription& soc) {
  std::vector<SearchableLayer> out;
  const bool thermo = is_thermometric(soc);
  for (int i = 0; i < int(net.layers.size()); ++i) {
    const Layer& l = net.layers[i];
    if (!l.has_weights() || l.out.c < 2) continue;
    SearchableLayer s;
    s.layer = i;
    s.layer_name = l.name;
    s.channels = l.out.c;
    s.relaxation = thermo ? Relaxation::kThermometric : Relaxation::kChannelSoftmax;
    for (int c = 0; c < soc.soc.cu_size() && !thermo; ++c) {
      const CuModel& cu = soc.unit(c);
      if (!cu.is_host() && cu.can_run(l, l.op)) {
        s.cus.push_back(c);
        s.variants.push_back("");
      }
    }
    if (thermo) {
      // Darkside: a stride-1 depthwise layer with as many inputs as outputs; the
      // first CU able to run it as a standard conv takes [0, k), a later one that
      // runs depthwise itself takes [k, C).
      if (l.op != Op::kDepthwise || l.stride != 1 || l.in.c != l.out.c) continue;
      for (int c = 0; c < soc.soc.cu_size() && s.cus.size() < 2; ++c) {
        const CuModel& cu = soc.unit(c);
        if (cu.is_host()) continue;
        if (s.cus.empty() && cu.can_run(l, Op::kConv2d)) {
          s.cus.push_back(c);
          s.variants.push_back("conv2d");
        } else if (!s.cus.empty() && cu.can_run(l, Op::kDepthwise)) {
          s.cus.push_back(c);
          s.variants.push_back("");
        }
      }
    }
    if (s.cus.size() >= 2) out.push_back(s);
  }
  return out;
}

}  // namespace odimo::search
