#include "hw/cu/host_core.h"

#include "hw/soc_description.h"

namespace odimo {

ODIMO_REGISTER_CU_KIND(HostCore, proto::ComputeUnit::kCore, "core")

void HostCore::check(const FieldCheck& at, const std::string& path) const {
  at.positive(path + ".core.cycles_per_mac", params().cycles_per_mac());
  at.positive(path + ".core.cycles_per_element", params().cycles_per_element());
}

IntegerBehaviour HostCore::integer_behaviour(const FieldCheck& at, const std::string& path) const {
  return digital_integer(at, path + ".core.mac_accumulator_bits", params().mac_accumulator_bits());
}

double HostCore::memory_pj(const SocDescription& soc, const JobPlan& plan) const {
  const proto::Memory& l2 = soc.l2();
  double e = 0;
  for (const Tile& t : plan.tiles)
    e += t.l1_read_bytes * l2.read_pj_per_byte() + t.l1_write_bytes * l2.write_pj_per_byte();
  return e;
}

bool HostCore::fits(const std::string& feature) const {
  // no DMA and no TCDM: only compute, per-job and L2-access terms apply
  for (const char* f : {"exposed_transfer", "dma_setup", "transfer", "dma_bursts", "tcdm_accesses",
                        "busy_tcdm_accesses", "pj_per_dma_byte", "first_phases"})
    if (feature == f) return false;
  return true;
}

JobPlan HostCore::plan(const SocDescription&, const Layer& g, int64_t) const {
  JobPlan plan;
  plan.cu = name();
  plan.op = g.op;
  plan.uses_dma = false;
  const int n = g.out.c;
  Tile t;
  if (is_weighted(g.op)) {
    t.phases = {{"software", double(g.macs) * params().cycles_per_mac(), 0}};
  } else {
    const double elements = double(n) * out_rows(g) * out_cols(g) * touches_per_output(g);
    t.phases = {{"software", elements * params().cycles_per_element(), 0}};
  }
  t.out_rows = out_rows(g);
  t.out_channels = n;
  t.l1_read_bytes = in_bytes(g, n, 0, out_rows(g));  // counted at L2 rates by the energy rule
  t.l1_write_bytes = out_bytes(g, n, out_rows(g));
  plan.tiles.push_back(t);
  return plan;
}

}  // namespace odimo
