#include "mapper/cost/layer_cost.h"

#include <algorithm>
#include <cmath>

namespace odimo::cost {
namespace {

// Fills energy and its gradient once T, t_i, dT/dt_i are known.
// dE/dn_i = dt_i/dn_i * [busy_i - idle_i + dT/dt_i * (sum_j idle_j + shared)]
void add_energy(const std::vector<CuTerm>& t, const std::vector<double>& dT_dt, const PowerModel& p,
                LayerCost& c) {
  const size_t n = t.size();
  double idle_sum = 0, e_mw_cycles = p.shared_mw * c.cycles;
  for (size_t i = 0; i < n; ++i) {
    e_mw_cycles += p.busy_mw[i] * t[i].cycles + p.idle_mw[i] * (c.cycles - t[i].cycles);
    idle_sum += p.idle_mw[i];
  }
  const double to_uj = 1e-3 / p.clock_mhz;  // mW * cycles / MHz = nJ
  c.energy_uj = e_mw_cycles * to_uj;
  c.denergy_dn.resize(n);
  for (size_t i = 0; i < n; ++i) {
    c.denergy_dn[i] =
        t[i].dcycles_dn * (p.busy_mw[i] - p.idle_mw[i] + dT_dt[i] * (idle_sum + p.shared_mw)) * to_uj;
  }
}

}  // namespace

LayerCost combine_max(const std::vector<CuTerm>& t, const PowerModel& p) {
  LayerCost c;
  size_t arg = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    c.cu_cycles.push_back(t[i].cycles);
    if (t[i].cycles > t[arg].cycles) arg = i;
  }
  std::vector<double> dT_dt(t.size(), 0.0);
  if (!t.empty()) {
    c.cycles = t[arg].cycles;
    dT_dt[arg] = 1.0;
  }
  c.dcycles_dn.resize(t.size());
  for (size_t i = 0; i < t.size(); ++i) c.dcycles_dn[i] = dT_dt[i] * t[i].dcycles_dn;
  add_energy(t, dT_dt, p, c);
  return c;
}

LayerCost combine_smooth(const std::vector<CuTerm>& t, const PowerModel& p, double rel_temperature) {
  LayerCost c;
  double top = 0;
  for (const auto& x : t) {
    c.cu_cycles.push_back(x.cycles);
    top = std::max(top, x.cycles);
  }
  const double tau = std::max(rel_temperature * top, 1e-9);
  std::vector<double> s(t.size());
  double z = 0;
  for (size_t i = 0; i < t.size(); ++i) z += s[i] = std::exp((t[i].cycles - top) / tau);
  for (size_t i = 0; i < t.size(); ++i) {
    s[i] /= z;
    c.cycles += s[i] * t[i].cycles;
  }
  // dT/dt_i = s_i * (1 + (t_i - T) / tau); tau is treated as a constant.
  std::vector<double> dT_dt(t.size());
  c.dcycles_dn.resize(t.size());
  for (size_t i = 0; i < t.size(); ++i) {
    dT_dt[i] = s[i] * (1.0 + (t[i].cycles - c.cycles) / tau);
    c.dcycles_dn[i] = dT_dt[i] * t[i].dcycles_dn;
  }
  add_energy(t, dT_dt, p, c);
  return c;
}

}  // namespace odimo::cost
