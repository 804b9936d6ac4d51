#include "hw/cu/host_core.h"

namespace odimo {

ODIMO_REGISTER_CU_KIND(HostCore, proto::ComputeUnit::kCore, "core")

void HostCore::check(const FieldCheck& at, const std::string& path) const {
  at.positive(path + ".core.cycles_per_mac", params().cycles_per_mac());
  at.positive(path + ".core.cycles_per_element", params().cycles_per_element());
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
