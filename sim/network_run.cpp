#include "sim/network_run.h"

#include <map>

#include "hw/layer_plan.h"

namespace odimo::sim {
namespace {

void fill_cu(const CuResult& c, const CuShare& share, int64_t layer_cycles, proto::CuLayerReport* r) {
  r->set_idle_cycles(layer_cycles - c.busy_cycles - c.stall_cycles);
  r->set_cu(c.cu);
  r->set_channels(c.channels);
  r->set_busy_cycles(c.busy_cycles);
  r->set_stall_cycles(c.stall_cycles);
  r->set_bytes_moved(c.bytes_moved);
  r->set_energy_uj(c.energy_pj * 1e-6);
  r->set_memory_energy_uj(c.memory_energy_pj * 1e-6);
  r->set_start_cycle(c.start_cycle);
  r->set_end_cycle(c.end_cycle);
  r->set_tiles(c.tiles);
  r->set_weight_loads(c.weight_loads);
  r->set_output_unroll(c.output_unroll);
  r->set_variant(share.variant);
  r->set_op(op_name(c.op));
}

// The note of a layer whose tensors do not fit L2 at once: streamed, or traffic not modelled.
std::string off_chip_note(const SocDescription& soc, const Layer& l) {
  const int64_t l2 = soc.l2().size_bytes();
  return "input, output and weights " + std::to_string(layer_l2_bytes(l)) + " B exceed L2 (" +
         std::to_string(l2) + " B): " +
         (soc.off_chip() ? "streamed through " + soc.soc.off_chip()
                         : std::string("no off_chip memory in the SoC file, off-chip traffic not modelled"));
}

// One simulated layer's measurements into its report entry and the network total.
void fill_layer(const SocDescription& soc, const Layer& l, const LayerSplit& split, const JobResult& jr,
                int64_t origin, proto::LayerReport* r, proto::Total* total) {
  if (layer_l2_bytes(l) > soc.l2().size_bytes())
    r->set_note(r->note() + (r->note().empty() ? "" : "; ") + off_chip_note(soc, l));
  r->set_off_chip_bytes(jr.off_chip_bytes);
  r->set_off_chip_energy_uj(jr.off_chip_energy_pj * 1e-6);
  r->set_start_cycle(jr.start_cycle - origin);
  r->set_cycles(jr.cycles);
  r->set_stall_cycles(jr.stall_cycles);
  r->set_bytes_moved(jr.bytes_moved);
  r->set_energy_uj(jr.energy_pj * 1e-6);
  r->set_host_cycles(jr.host_cycles);
  r->set_shared_energy_uj(jr.shared_energy_pj * 1e-6);
  for (size_t k = 0; k < jr.cu.size(); ++k) fill_cu(jr.cu[k], split.shares[k], jr.cycles, r->add_cu());
  total->set_cycles(total->cycles() + jr.cycles);
  total->set_stall_cycles(total->stall_cycles() + jr.stall_cycles);
  total->set_bytes_moved(total->bytes_moved() + jr.bytes_moved);
  total->set_energy_uj(total->energy_uj() + jr.energy_pj * 1e-6);
}

}  // namespace

proto::Report simulate_network(Simulator& simulator, const Network& net, const ResolvedMapping& mapping,
                               const std::string& tool_version) {
  std::vector<Job> jobs;
  std::map<int, size_t> job_of_layer;
  for (size_t i = 0; i < net.layers.size(); ++i)
    if (mapping.layers[i].runs()) {
      job_of_layer[int(i)] = jobs.size();
      jobs.push_back(make_job(net.layers[i], mapping.layers[i]));
    }
  const int64_t origin = simulator.now_cycles();
  std::vector<JobResult> results = simulator.run(jobs);
  const SocDescription& soc = simulator.soc();
  const double mhz = soc.clock_mhz();

  proto::Report report;
  report.set_tool_version(tool_version);
  report.set_model("systemc");
  report.set_network(net.name);
  report.set_input(net.input.str());
  report.set_mapping(mapping.spec);
  *report.mutable_soc() = soc.soc;
  proto::Total* total = report.mutable_total();
  int64_t clock = 0;  // layer start within this network run (cycles)
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    const LayerSplit& split = mapping.layers[i];
    proto::LayerReport* r = report.add_layers();
    r->set_name(l.name);
    r->set_op(op_name(l.op));
    r->set_macs(l.macs);
    r->set_note(split.note);
    if (split.fused_into >= 0) r->set_fused_into(net.layers[split.fused_into].name);
    r->set_start_cycle(clock);
    auto it = job_of_layer.find(int(i));
    if (it == job_of_layer.end()) continue;
    const JobResult& jr = results[it->second];
    fill_layer(soc, l, split, jr, origin, r, total);
    clock = jr.start_cycle - origin + jr.cycles;
  }
  total->set_clock_mhz(mhz);
  total->set_latency_us(double(total->cycles()) / mhz);
  total->set_macs(net.total_macs());
  // 2 ops per MAC; ops per pJ = TOP/s per W
  if (total->energy_uj() > 0)
    total->set_tops_per_w(2.0 * double(net.total_macs()) / (total->energy_uj() * 1e6));
  return report;
}

}  // namespace odimo::sim
