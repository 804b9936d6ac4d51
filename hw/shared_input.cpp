#include "hw/shared_input.h"

#include <map>
#include <string>

namespace odimo {
namespace {

// Whether a plan loads the whole layer input exactly once, with its first tile.
bool loads_input_once(const JobPlan& p, const Layer& layer) {
  if (p.tiles.empty() || !p.uses_dma || p.tiles[0].in_bytes != layer.in_bytes) return false;
  for (size_t i = 1; i < p.tiles.size(); ++i)
    if (p.tiles[i].in_bytes) return false;
  return true;
}

bool reads_all_input_channels(const CuShare& s, const Layer& layer) {
  return (s.op == Op::kConv2d && (layer.groups == 1 || layer.op == Op::kDepthwise)) || s.op == Op::kLinear;
}

}  // namespace

std::vector<int> share_inputs(const SocDescription& soc, const Layer& layer,
                              const std::vector<CuShare>& shares, std::vector<JobPlan>& plans) {
  std::vector<int> waits_for(shares.size(), -1);
  std::map<std::string, std::vector<size_t>> by_l1;
  for (size_t k = 0; k < shares.size(); ++k)
    if (const auto* l1 = soc.l1_of(soc.cu(shares[k].cu))) by_l1[l1->name()].push_back(k);
  for (const auto& [l1, members] : by_l1) {
    if (members.size() < 2) continue;
    bool shareable = true;
    for (size_t k : members)
      shareable =
          shareable && reads_all_input_channels(shares[k], layer) && loads_input_once(plans[k], layer);
    if (!shareable) continue;
    for (size_t m = 1; m < members.size(); ++m) {
      Tile& t = plans[members[m]].tiles[0];
      t.in_bytes = 0;
      t.in_transfers = t.weight_bytes > 0;
      waits_for[members[m]] = int(members[0]);
    }
  }
  return waits_for;
}

}  // namespace odimo
