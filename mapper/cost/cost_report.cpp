#include "mapper/cost/cost_report.h"

namespace odimo::cost {

std::vector<double> channels_per_cu(const SocDescription& soc, const LayerSplit& split) {
  std::vector<double> n(soc.soc.cu_size(), 0.0);
  for (const auto& s : split.shares) n[soc.cu_index(s.cu)] += s.channels;
  return n;
}

std::vector<Op> ops_per_cu(const CostModel& model, const SocDescription& soc, const Layer& layer,
                           const LayerSplit& split) {
  std::vector<Op> ops = model.default_ops(layer);
  for (const auto& s : split.shares) ops[soc.cu_index(s.cu)] = s.op;
  return ops;
}

proto::Report predict_network(const Network& net, const SocDescription& soc, const ResolvedMapping& m,
                              const CostModel& model, const std::string& tool_version) {
  proto::Report r;
  r.set_tool_version(tool_version);
  r.set_model(model.name());
  r.set_network(net.name);
  r.set_input(net.input.str());
  r.set_mapping(m.spec);
  *r.mutable_soc() = soc.soc;
  auto* tot = r.mutable_total();
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& layer = net.layers[i];
    const LayerSplit& split = m.layers[i];
    auto* lr = r.add_layers();
    lr->set_name(layer.name);
    lr->set_op(op_name(layer.op));
    lr->set_macs(layer.macs);
    lr->set_note(split.note);
    if (split.fused_into >= 0) lr->set_fused_into(net.layers[split.fused_into].name);
    if (!split.runs()) continue;
    const LayerCost c =
        model.layer_cost(layer, channels_per_cu(soc, split), ops_per_cu(model, soc, layer, split));
    for (const auto& s : split.shares) {
      auto* cr = lr->add_cu();
      cr->set_cu(s.cu);
      cr->set_channels(s.channels);
      cr->set_op(op_name(s.op));
      cr->set_variant(s.variant);
      cr->set_busy_cycles(int64_t(c.cu_cycles[soc.cu_index(s.cu)] + 0.5));
    }
    lr->set_cycles(int64_t(c.cycles + 0.5));
    lr->set_energy_uj(c.energy_uj);
    tot->set_cycles(tot->cycles() + lr->cycles());
    tot->set_energy_uj(tot->energy_uj() + c.energy_uj);
    tot->set_macs(tot->macs() + layer.macs);
  }
  tot->set_clock_mhz(soc.clock_mhz());
  tot->set_latency_us(double(tot->cycles()) / soc.clock_mhz());
  // 2 ops per MAC; ops per uJ / 1e6 = TOP/s/W
  tot->set_tops_per_w(tot->energy_uj() > 0 ? 2.0 * double(tot->macs()) / tot->energy_uj() / 1e6 : 0.0);
  return r;
}

}  // namespace odimo::cost
