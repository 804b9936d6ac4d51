#include "mapper/cost/calibrated_model.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "hw/dma_channel.h"
#include "hw/energy.h"
#include "hw/field_check.h"
#include "hw/layer_plan.h"
#include "proto/error.h"
#include "proto/proto_io.h"

namespace odimo::cost {

const std::vector<std::string>& latency_feature_names() {
  static const std::vector<std::string> names = {
      "tile_roofline", "exposed_transfer", "dma_setup",  "tiles",        "tcdm_accesses", "job",
      "compute",       "transfer",         "dma_bursts", "later_phases", "first_phases"};
  return names;
}
const std::vector<std::string>& busy_feature_names() {
  static const std::vector<std::string> names = {"busy_compute", "busy_tcdm_accesses", "busy_tiles",
                                                 "busy_job"};
  return names;
}
const std::vector<std::string>& energy_feature_names() {
  static const std::vector<std::string> names = {"pj_per_dma_byte", "pj_per_l1_byte"};
  return names;
}
const std::vector<std::string>& tile_rate_names() {
  static const std::vector<std::string> names = {"tile_first_phase_rate", "tile_later_phase_rate",
                                                 "tile_transfer_rate"};
  return names;
}
const std::vector<std::string>& layer_feature_names() {
  static const std::vector<std::string> names = {"launch_offset", "port_contention", "extra_sync"};
  return names;
}

namespace {

// Cycles of every tile's first phase (the AIMC's MVMs, the cluster's im2col, the DWE's fill)
// and of every phase after it (the cluster's matmul, the DWE's stream): lets a fit scale one
// kind of loop apart from the other and from weight programming.
std::pair<double, double> phase_cycles(const JobPlan& plan) {
  double first = 0, later = 0;
  for (const Tile& t : plan.tiles) {
    if (!t.phases.empty()) first += t.phases[0].cycles;
    for (size_t k = 1; k < t.phases.size(); ++k) later += t.phases[k].cycles;
  }
  return {first, later};
}

// The double-buffered tile pipeline (the simulator's schedule, hw/models/compute_unit.cpp,
// with one DMA queue): tile i's compute overlaps the next input and the previous output;
// without double buffering everything is serial. Compute and transfers at `r` times the
// file's cycles (`comp` already at its rates).
double tile_pipeline(const std::vector<double>& comp, const std::vector<double>& in,
                     const std::vector<double>& out, bool overlap, TileRates r) {
  const size_t nt = comp.size();
  double cycles = 0;
  for (size_t i = 0; i < nt; ++i) {
    if (overlap)
      cycles += std::max(comp[i], r.transfer * ((i + 1 < nt ? in[i + 1] : 0.0) + (i > 0 ? out[i - 1] : 0.0)));
    else
      cycles += r.transfer * in[i] + comp[i] + r.transfer * out[i];
  }
  if (overlap && nt > 0) cycles += r.transfer * (in[0] + out[nt - 1]);
  return cycles;
}

// Features of one CU's (adjusted) plan. `wait`: cycles before its first input
// is in L1 when another CU loads the shared input (0 otherwise).
CuFeatures plan_features(const SocDescription& soc, const JobPlan& plan, double wait, TileRates rates) {
  CuFeatures f;
  const DmaChannel dma = dma_channel(soc, soc.cu(plan.cu));
  const double bw = dma.bytes_per_cycle;
  const double setup = dma.setup_cycles;
  const bool overlap = soc.soc.dma().double_buffering();
  const double burst = dma.burst_bytes;
  // Per tile: compute, DMA in (activations + weights) and DMA out, in cycles.
  const size_t nt = plan.tiles.size();
  std::vector<double> comp(nt), in(nt), out(nt);
  double transfers = 0, tcdm = 0, l1_bytes = 0, bursts = 0;
  for (size_t i = 0; i < nt; ++i) {
    const Tile& t = plan.tiles[i];
    comp[i] = t.program_cycles;
    for (size_t k = 0; k < t.phases.size(); ++k) {
      comp[i] += (k == 0 ? rates.first : rates.later) * t.phases[k].cycles;
      tcdm += t.phases[k].tcdm_accesses;
    }
    if (plan.uses_dma) {
      in[i] = dma.transfer_cycles(double(t.in_bytes + t.weight_bytes), t.in_transfers);
      out[i] = dma.transfer_cycles(double(t.out_bytes), t.out_transfers);
      transfers += t.in_transfers + t.out_transfers;
      bursts += std::ceil((t.in_bytes + t.weight_bytes) / burst) + std::ceil(t.out_bytes / burst);
    }
    l1_bytes += double(t.l1_read_bytes + t.l1_write_bytes);
  }
  if (nt > 0) in[0] = std::max(in[0], wait);
  const double roofline = tile_pipeline(comp, in, out, overlap, rates);
  const double exposed = nt > 0 ? in[0] + plan.tiles.back().out_bytes / bw : 0.0;
  const double dma_bytes = plan.uses_dma ? double(plan.dma_bytes()) : 0.0;
  f.transfer = dma_bytes / bw;
  const auto [first, later] = phase_cycles(plan);
  f.latency = {roofline + plan.fixed_cycles,
               exposed,
               transfers * setup,
               double(plan.tiles.size()),
               tcdm,
               1.0,
               plan.compute_cycles(),
               f.transfer,
               bursts,
               later,
               first};
  f.busy = {plan.compute_cycles(), tcdm, double(plan.tiles.size()), 1.0};
  f.energy = {dma_bytes, l1_bytes};
  return f;
}

CuFeatures zero_features() {
  CuFeatures f;
  f.latency.assign(latency_feature_names().size(), 0.0);
  f.busy.assign(busy_feature_names().size(), 0.0);
  f.energy.assign(energy_feature_names().size(), 0.0);
  return f;
}

}  // namespace

std::vector<CuFeatures> layer_features(const SocDescription& soc, const Layer& layer,
                                       const std::vector<int>& n, const std::vector<Op>& ops,
                                       const std::vector<TileRates>& rates) {
  auto rate = [&](int cu) { return size_t(cu) < rates.size() ? rates[size_t(cu)] : TileRates{}; };
  std::vector<CuFeatures> out(soc.soc.cu_size(), zero_features());
  std::vector<CuShare> shares;
  std::vector<int> cu_of;
  for (int i = 0; i < soc.soc.cu_size() && i < int(n.size()); ++i) {
    const CuModel& unit = soc.unit(i);
    if (n[i] <= 0 || !unit.can_run(layer, ops.at(i))) continue;
    shares.push_back({unit.name(), n[i], 0, ops[i], ops[i] == layer.op ? "" : op_name(ops[i])});
    cu_of.push_back(i);
  }
  if (shares.empty()) return out;
  // Planned as the simulator plans one job (hw/layer_plan.h).
  const LayerPlan lp = plan_layer(soc, layer, shares, layer.name);
  const std::vector<JobPlan>& plans = lp.plans;
  for (size_t k = 0; k < shares.size(); ++k) {
    double wait = 0;
    if (const int loader = lp.waits_for[k]; loader >= 0) {
      const Tile& t = plans[loader].tiles[0];
      wait = dma_channel(soc, soc.cu(plans[loader].cu))
                 .transfer_cycles(double(t.in_bytes + t.weight_bytes), t.in_transfers) *
             rate(cu_of[size_t(loader)]).transfer / rate(cu_of[k]).transfer;  // in[0] is scaled again
    }
    out[cu_of[k]] = plan_features(soc, plans[k], wait, rate(cu_of[k]));
  }
  return out;
}

CuFeatures cu_features(const SocDescription& soc, const Layer& layer, int cu, int n, Op op, TileRates rates) {
  std::vector<int> ns(soc.soc.cu_size(), 0);
  std::vector<Op> ops(soc.soc.cu_size(), op);
  std::vector<TileRates> r(soc.soc.cu_size());
  ns.at(cu) = n;
  r.at(cu) = rates;
  return layer_features(soc, layer, ns, ops, r)[cu];
}

SoloPlan::SoloPlan(const SocDescription& soc, const Layer& layer, int cu, int n, Op op) : m_soc(&soc) {
  const CuModel& unit = soc.unit(cu);
  if (n <= 0 || !unit.can_run(layer, op)) return;
  const std::vector<CuShare> shares = {{unit.name(), n, 0, op, op == layer.op ? "" : op_name(op)}};
  m_plans = plan_layer(soc, layer, shares, layer.name).plans;
}

CuFeatures SoloPlan::features(TileRates rates) const {
  return m_plans.empty() ? zero_features() : plan_features(*m_soc, m_plans[0], 0.0, rates);
}

namespace {

// A CU's tile rates from its coefficients; absent ones are 1 (files fitted without the grid).
TileRates read_tile_rates(const google::protobuf::RepeatedPtrField<proto::Coefficient>& have,
                          const std::string& where) {
  double v[3] = {1.0, 1.0, 1.0};
  for (const auto& c : have)
    for (size_t k = 0; k < 3; ++k) {
      if (c.name() != tile_rate_names()[k]) continue;
      // A chip 10 times faster or slower than its SoC file is another chip (assumption).
      if (!(c.value() >= 0.1 && c.value() <= 10))
        throw Error(where + ": coefficient '" + c.name() + "' = " + FieldCheck::num(c.value()) +
                    " must be between 0.1 and 10 (times the SoC file's cycles)");
      v[k] = c.value();
    }
  return {v[0], v[1], v[2]};
}

}  // namespace

CalibratedModel::CalibratedModel(const SocDescription& soc, const proto::Calibration& cal,
                                 const std::string& origin)
    : CostModel(soc) {
  auto read = [&](const google::protobuf::RepeatedPtrField<proto::Coefficient>& have,
                  const std::vector<std::string>& names, const std::string& where) {
    std::vector<double> v;
    for (const auto& n : names) {
      auto it = std::find_if(have.begin(), have.end(), [&](const auto& c) { return c.name() == n; });
      if (it == have.end()) throw Error(origin + ": " + where + ": missing coefficient '" + n + "'");
      // Cycles or pJ per unit of a feature: the shipped fits stay below 400; 1e6 keeps every
      // prediction of a layer within int64 cycles (assumption: features < 1e12).
      if (!(it->value() >= 0 && it->value() <= 1e6))
        throw Error(origin + ": " + where + ": coefficient '" + n + "' = " + FieldCheck::num(it->value()) +
                    " must be finite, >= 0 and at most 1e+06");
      v.push_back(it->value());
    }
    return v;
  };
  for (const auto& unit : soc.soc.cu()) {
    auto it =
        std::find_if(cal.cu().begin(), cal.cu().end(), [&](const auto& c) { return c.cu() == unit.name(); });
    if (it == cal.cu().end())
      throw Error(origin + ": field 'cu': no coefficients for CU '" + unit.name() + "'");
    const std::string where = "cu '" + unit.name() + "'";
    m_coefs.push_back({read(it->coefficient(), latency_feature_names(), where),
                       read(it->coefficient(), busy_feature_names(), where),
                       read(it->coefficient(), energy_feature_names(), where)});
    m_rates.push_back(read_tile_rates(it->coefficient(), origin + ": " + where));
  }
  m_layer = read(cal.layer(), layer_feature_names(), "field 'layer'");
}

const std::vector<CuFeatures>& CalibratedModel::features(const Layer& layer, const std::vector<int>& n,
                                                         const std::vector<Op>& ops) const {
  std::string k = std::string(op_name(layer.op)) + layer.in.str() + "/" + layer.out.str() + "/" +
                  std::to_string(layer.kernel) + "/" + std::to_string(layer.stride) + "/" +
                  std::to_string(layer.padding) + "/" + std::to_string(layer.groups);
  for (size_t i = 0; i < n.size(); ++i) k += "|" + std::to_string(n[i]) + op_name(ops[i]);
  auto it = m_cache.find(k);
  if (it == m_cache.end()) it = m_cache.emplace(k, layer_features(m_soc, layer, n, ops, m_rates)).first;
  return it->second;
}

double CalibratedModel::dot(const std::vector<double>& c, const std::vector<double>& f) const {
  double s = 0;
  for (size_t i = 0; i < c.size(); ++i) s += c[i] * f[i];
  return s;
}

int CalibratedModel::granularity(int cu) const {
  return std::max(1, m_soc.unit(cu).channel_granularity());
}

std::pair<int, int> CalibratedModel::step(int cu, double n, int total) const {
  const int lo = int(std::floor(std::clamp(n, 0.0, double(total))));
  const int g = granularity(cu);
  const int a = std::max(0, std::min(total - 1, (lo / g) * g));
  return {a, std::min(total, a + g)};
}

namespace {

// Channel counts rounded to integers, within [0, C].
std::vector<int> rounded(const std::vector<double>& n, int total, int cus) {
  std::vector<int> r(cus, 0);
  for (int i = 0; i < cus && i < int(n.size()); ++i)
    r[i] = int(std::lround(std::clamp(n[i], 0.0, double(total))));
  return r;
}

}  // namespace

std::vector<CuTerm> CalibratedModel::cu_terms(const Layer& layer, const std::vector<double>& n,
                                              const std::vector<Op>& ops) const {
  const int total = layer.out.c;
  std::vector<CuTerm> t(cu_count());
  for (int i = 0; i < cu_count() && i < int(n.size()); ++i) {
    // CU i at k channels, the other CUs at their rounded counts.
    std::vector<int> ns = rounded(n, total, cu_count());
    auto at = [&](int k) {
      ns[i] = k;
      return dot(m_coefs[i].latency, features(layer, ns, ops)[i].latency);
    };
    const double x = std::clamp(n[i], 0.0, double(total));
    const int lo = int(std::floor(x));
    const double frac = x - lo;
    t[i].cycles = frac > 0 ? (1 - frac) * at(lo) + frac * at(std::min(lo + 1, total)) : at(lo);
    const auto [a, b] = step(i, n[i], total);
    t[i].dcycles_dn = b > a ? (at(b) - at(a)) / (b - a) : 0.0;
  }
  return t;
}

LayerCost CalibratedModel::layer_cost(const Layer& layer, const std::vector<double>& n,
                                      const std::vector<Op>& ops, double rel_temperature) const {
  std::vector<CuTerm> terms = cu_terms(layer, n, ops);
  const std::vector<CuFeatures>& f = features(layer, rounded(n, layer.out.c, cu_count()), ops);
  int sharing = 0;
  double min_transfer = 0, memory_pj = 0;
  std::vector<double> busy(cu_count(), 0.0);
  for (int i = 0, pos = 0; i < cu_count() && i < int(n.size()); ++i) {
    if (n[i] <= 0) continue;
    ++sharing;
    min_transfer = pos == 0 ? f[i].transfer : std::min(min_transfer, f[i].transfer);
    busy[i] = dot(m_coefs[i].busy, f[i].busy);
    memory_pj += dot(m_coefs[i].energy, f[i].energy);
    terms[i].cycles += m_layer[0] * pos++;  // the host launches the CUs one after the other
  }
  LayerCost c =
      rel_temperature > 0 ? combine_smooth(terms, m_power, rel_temperature) : combine_max(terms, m_power);
  if (sharing > 1) c.cycles += m_layer[1] * min_transfer + m_layer[2] * (sharing - 1);
  // A layer larger than L2 takes at least its off-chip transfers, which run beside the CUs.
  const OffChipTraffic off_chip = off_chip_traffic(m_soc, layer);
  if (const double t_off = off_chip_cycles(m_soc, off_chip); t_off > c.cycles) {
    c.cycles = t_off;
    std::fill(c.dcycles_dn.begin(), c.dcycles_dn.end(), 0.0);
  }
  // Energy over the layer time with the predicted busy cycles of each CU (hw/energy.h).
  const double T = c.cycles;
  double pj = power_pj(m_soc.soc.shared_power_mw(), T, m_soc.clock_mhz()) + memory_pj +
              off_chip_pj(m_soc, off_chip.in_bytes, off_chip.out_bytes);
  for (int i = 0; i < cu_count(); ++i) pj += cu_power_pj(m_soc, m_soc.soc.cu(i), busy[i], T);
  c.energy_uj = pj * 1e-6;
  c.denergy_dn = energy_gradient(layer, n, ops, c.dcycles_dn);
  return c;
}

std::vector<double> CalibratedModel::energy_gradient(const Layer& layer, const std::vector<double>& n,
                                                     const std::vector<Op>& ops,
                                                     const std::vector<double>& dcycles_dn) const {
  const int total = layer.out.c;
  const double mhz = m_soc.clock_mhz();
  double per_cycle_mw = m_soc.soc.shared_power_mw();  // what every cycle of T costs
  for (const auto& cu : m_soc.soc.cu()) per_cycle_mw += cu.idle_power_mw();
  std::vector<double> g(cu_count(), 0.0);
  for (int i = 0; i < cu_count() && i < int(n.size()); ++i) {
    std::vector<int> ns = rounded(n, total, cu_count());
    auto at = [&](int k) {
      ns[i] = k;
      const CuFeatures& f = features(layer, ns, ops)[i];
      return std::pair<double, double>{dot(m_coefs[i].busy, f.busy), dot(m_coefs[i].energy, f.energy)};
    };
    const auto [a, b] = step(i, n[i], total);
    double dbusy = 0, dmemory_pj = 0;
    if (b > a) {
      const auto [busy_a, memory_a] = at(a);
      const auto [busy_b, memory_b] = at(b);
      dbusy = (busy_b - busy_a) / (b - a);
      dmemory_pj = (memory_b - memory_a) / (b - a);
    }
    const proto::ComputeUnit& cu = m_soc.soc.cu(i);
    const double pj = power_pj(per_cycle_mw, dcycles_dn[i], mhz) +
                      power_pj(cu.busy_power_mw() - cu.idle_power_mw(), dbusy, mhz) + dmemory_pj;
    g[i] = pj * 1e-6;
  }
  return g;
}

namespace {

// The fit's own error figures are informational, but a file that says NaN or a negative
// count about itself is not one odimo wrote: refuse it like any other bad field.
void check_fit_errors(const std::string& origin, const std::string& field,
                      const google::protobuf::RepeatedPtrField<proto::FitError>& errors) {
  const FieldCheck check{origin};
  for (int i = 0; i < errors.size(); ++i) {
    const std::string at = field + "[" + std::to_string(i) + "].";
    check.non_negative(at + "samples", errors[i].samples());
    check.within(at + "mean_rel_error", errors[i].mean_rel_error(), 0, 1e6);
    check.within(at + "max_rel_error", errors[i].max_rel_error(), 0, 1e6);
  }
}

}  // namespace

proto::Calibration load_calibration(const std::string& spec, const SocDescription& soc, std::string* origin) {
  *origin = spec.empty() ? socs_dir() + "/" + soc.name() + ".calibration.pbtxt" : spec;
  if (spec.empty() && !file_exists(*origin)) {
    throw Error(*origin + ": no shipped calibration for SoC '" + soc.name() +
                "' (run odimo calibrate --soc " + soc.name() + " --out FILE and pass --calibration FILE)");
  }
  proto::Calibration cal;
  read_text_proto(*origin, &cal);
  if (cal.soc() != soc.name())
    throw Error(*origin + ": field 'soc': calibration is for '" + cal.soc() + "', not '" + soc.name() + "'");
  check_fit_errors(*origin, "fit", cal.fit());
  check_fit_errors(*origin, "holdout", cal.holdout());
  return cal;
}

std::unique_ptr<CostModel> make_model(const std::string& model, const std::string& calibration,
                                      const SocDescription& soc) {
  if (model == "odimo-compat") {
    if (!calibration.empty()) throw Error("a calibration file applies to the calibrated model only");
    return make_compat_model(soc);
  }
  if (model != "calibrated") throw Error("model '" + model + "': available models: calibrated, odimo-compat");
  std::string origin;
  const proto::Calibration cal = load_calibration(calibration, soc, &origin);
  return std::make_unique<CalibratedModel>(soc, cal, origin);
}

}  // namespace odimo::cost
