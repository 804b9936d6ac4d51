#include "hw/layer_plan.h"

#include <algorithm>
#include <map>
#include <string>

#include "hw/dma_channel.h"
#include "proto/error.h"

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

// The shared-input rule (see the header): adjusts `p.plans` and fills `p.waits_for`.
void share_inputs(const SocDescription& soc, const Layer& layer, const std::vector<CuShare>& shares,
                  LayerPlan& p) {
  p.waits_for.assign(shares.size(), -1);
  std::map<std::string, std::vector<size_t>> by_l1;
  for (size_t k = 0; k < shares.size(); ++k)
    if (const auto* l1 = soc.l1_of(soc.cu(shares[k].cu))) by_l1[l1->name()].push_back(k);
  for (const auto& [l1, members] : by_l1) {
    if (members.size() < 2) continue;
    bool shareable = true;
    for (size_t k : members)
      shareable =
          shareable && reads_all_input_channels(shares[k], layer) && loads_input_once(p.plans[k], layer);
    if (!shareable) continue;
    for (size_t m = 1; m < members.size(); ++m) {
      Tile& t = p.plans[members[m]].tiles[0];
      t.in_bytes = 0;
      t.in_transfers = t.weight_bytes > 0;
      p.waits_for[members[m]] = int(members[0]);
    }
  }
}

}  // namespace

int64_t layer_l2_bytes(const Layer& layer) {
  return layer.in_bytes + layer.out_bytes + weight_bytes_per_channel(layer) * layer.out.c;
}

OffChipTraffic off_chip_traffic(const SocDescription& soc, const Layer& layer) {
  OffChipTraffic t;
  if (soc.soc.off_chip().empty() || layer_l2_bytes(layer) <= soc.l2().size_bytes()) return t;
  t.in_bytes = layer.in_bytes + weight_bytes_per_channel(layer) * layer.out.c;
  t.out_bytes = layer.out_bytes;
  return t;
}

double off_chip_cycles(const SocDescription& soc, const OffChipTraffic& traffic) {
  if (!traffic.any() || !soc.off_chip()) return 0;
  const DmaChannel c = off_chip_channel(soc);
  const int calls = (traffic.in_bytes > 0) + (traffic.out_bytes > 0);
  return c.transfer_cycles(double(traffic.in_bytes + traffic.out_bytes), calls) +
         double(calls) * c.first_word_latency_cycles;
}

int64_t l1_budget(const SocDescription& soc, const proto::ComputeUnit& cu, int sharing) {
  const proto::Memory* l1 = soc.l1_of(cu);
  return l1 ? l1->size_bytes() / std::max(1, sharing) : 0;
}

LayerPlan plan_layer(const SocDescription& soc, const Layer& layer, const std::vector<CuShare>& shares,
                     const std::string& name) {
  const std::string where = "job '" + name + "'";
  std::map<std::string, int> per_l1;  // CUs of this layer sharing each L1
  std::map<std::string, int> per_cu;
  for (const CuShare& s : shares) {
    if (s.channels <= 0)
      throw Error(where + ": " + s.cu + " is given " + std::to_string(s.channels) + " channels");
    if (++per_cu[s.cu] > 1) throw Error(where + ": CU '" + s.cu + "' is given two shares");
    if (const auto* l1 = soc.l1_of(soc.cu(s.cu))) ++per_l1[l1->name()];
  }
  LayerPlan p;
  for (const CuShare& s : shares) {
    const CuModel& unit = soc.unit(s.cu);
    std::string why;
    if (!unit.can_run(layer, s.op, &why)) throw Error("layer '" + name + "': " + why);
    const proto::Memory* l1 = soc.l1_of(unit.description());
    const int64_t budget = l1_budget(soc, unit.description(), l1 ? per_l1[l1->name()] : 1);
    p.plans.push_back(unit.plan(soc, share_geometry(layer, s), budget));
  }
  share_inputs(soc, layer, shares, p);
  return p;
}

}  // namespace odimo
