#include "validation/calibrate.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "hw/layer_plan.h"
#include "mapper/cost/calibrated_model.h"
#include "mapper/cost/cost_report.h"
#include "validation/nnls.h"

namespace odimo::validation {
namespace {

using Rows = std::vector<std::pair<std::vector<double>, double>>;  // (features, target)

// NNLS on relative errors: each row divided by its target; columns scaled to
// unit norm for conditioning, then unscaled.
std::vector<double> fit_relative(const Rows& rows, size_t columns) {
  std::vector<double> coef(columns, 0.0);
  if (rows.empty()) return coef;
  Eigen::MatrixXd A(rows.size(), columns);
  Eigen::VectorXd b(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    const double w = 1.0 / std::max(1.0, std::abs(rows[r].second));
    for (size_t c = 0; c < columns; ++c) A(r, c) = rows[r].first[c] * w;
    b(r) = rows[r].second * w;
  }
  Eigen::VectorXd scale = A.colwise().norm().transpose();
  for (Eigen::Index c = 0; c < scale.size(); ++c) {
    if (scale(c) == 0) scale(c) = 1;
    A.col(c) /= scale(c);
  }
  const NnlsResult r = nnls(A, b);
  for (size_t c = 0; c < columns; ++c) coef[c] = r.x(c) / scale(c);
  return coef;
}

// The same fit with the columns `unit` does not fit (CuModel::fits) held at 0.
std::vector<double> fit_for(const CuModel& unit, Rows rows, const std::vector<std::string>& names) {
  for (size_t c = 0; c < names.size(); ++c)
    if (!unit.fits(names[c]))
      for (auto& row : rows) row.first[c] = 0;
  return fit_relative(rows, names.size());
}

void put(google::protobuf::RepeatedPtrField<proto::Coefficient>* out, const std::vector<std::string>& names,
         const std::vector<double>& values, const char* unit) {
  for (size_t i = 0; i < names.size(); ++i) {
    auto* c = out->Add();
    c->set_name(names[i]);
    c->set_value(values[i]);
    c->set_unit(unit);
  }
}

void put_rates(proto::CuCalibration* cu, cost::TileRates r) {
  put(cu->mutable_coefficient(), cost::tile_rate_names(), {r.first, r.later, r.transfer},
      "times the SoC file's cycles");
}

// The L1/L2 access energy of a simulated job's CUs (pJ; off-chip traffic excluded).
double memory_pj(const sim::JobResult& r) {
  double pj = 0;
  for (const auto& c : r.cu) pj += c.memory_energy_pj;
  return pj;
}

void record(google::protobuf::RepeatedPtrField<proto::FitError>* out,
            const std::map<std::string, ErrorStats>& s) {
  for (const auto& [group, e] : s) {
    auto* f = out->Add();
    f->set_group(group);
    f->set_samples(e.samples);
    f->set_mean_rel_error(e.mean);
    f->set_max_rel_error(e.max);
  }
}

}  // namespace

void ErrorStats::add(double predicted, double simulated, const std::string& name) {
  const double e = std::abs(predicted - simulated) / std::max(1.0, std::abs(simulated));
  mean = (mean * samples + e) / (samples + 1);
  ++samples;
  if (e > max || worst.empty()) {
    max = std::max(max, e);
    if (e >= max) worst = name;
  }
}

std::vector<sim::JobResult> simulate_points(sim::Simulator& simulator,
                                            const std::vector<SuitePoint>& points) {
  std::vector<sim::Job> jobs;
  for (const auto& p : points) {
    sim::Job j = sim::make_job(p.layer, p.split);
    j.name = p.name;
    jobs.push_back(std::move(j));
  }
  return simulator.run(jobs);
}

namespace {

// `base`'s coefficients `names` of CU `cu`, or zeros.
std::vector<double> base_values(const proto::Calibration* base, const std::string& cu,
                                const std::vector<std::string>& names) {
  std::vector<double> v(names.size(), 0.0);
  if (!base) return v;
  for (const auto& c : base->cu())
    if (c.cu() == cu)
      for (const auto& k : c.coefficient())
        for (size_t i = 0; i < names.size(); ++i)
          if (k.name() == names[i]) v[i] = k.value();
  return v;
}

// `base`'s tile rates of CU `cu` (1 where `base` has none).
cost::TileRates base_rates(const proto::Calibration* base, const std::string& cu) {
  const std::vector<double> v = base_values(base, cu, cost::tile_rate_names());
  auto one = [](double x) { return x > 0 ? x : 1.0; };
  return {one(v[0]), one(v[1]), one(v[2])};
}

// `base`'s split-layer coefficients `names`, or zeros.
std::vector<double> base_layer_values(const proto::Calibration* base, const std::vector<std::string>& names) {
  std::vector<double> v(names.size(), 0.0);
  if (!base) return v;
  for (const auto& k : base->layer())
    for (size_t i = 0; i < names.size(); ++i)
      if (k.name() == names[i]) v[i] = k.value();
  return v;
}

// A CU's cycles per nominal DMA cycle in `cal`: the tile pipeline's share at its transfer
// rate plus the separate transfer term (calibrated_model.cpp's features); 0 when `cal` lacks
// the CU.
double transfer_rate(const proto::Calibration& cal, const std::string& cu) {
  const std::vector<double> v = base_values(&cal, cu, {"tile_roofline", "transfer", "tile_transfer_rate"});
  return v[0] * (v[2] > 0 ? v[2] : 1.0) + v[1];
}

// `base`'s split-layer coefficients for a fit without split rows. The shared L2 port's
// contention is charged per nominal transfer cycle of the CU that moves least; when the
// single-CU fit finds transfers s times slower than `base` did, the contention is s times
// longer too: on DIANA the DMA's bandwidth is the L2 port's (hw/socs/diana.pbtxt), so a
// slower transfer is a slower port. The launch offset and the extra completion stay
// `base`'s: a single CU's `job` term mixes configuration, launch and completion, so their
// shares are not identifiable from it.
std::vector<double> layer_values_without_splits(const SocDescription& soc, const proto::Calibration& fitted,
                                                const proto::Calibration* base) {
  std::vector<double> v = base_layer_values(base, cost::layer_feature_names());
  if (!base) return v;
  double slow = 0;
  int n = 0;
  for (int i = 0; i < soc.soc.cu_size(); ++i) {
    const std::string cu = soc.soc.cu(i).name();
    const double was = transfer_rate(*base, cu), now = transfer_rate(fitted, cu);
    if (!(was > 0) || !(now > 0) || !soc.unit(i).fits("transfer")) continue;
    slow += now / was, ++n;
  }
  if (n > 0) v[1] *= slow / n;
  return v;
}

}  // namespace

namespace {

// One fitted row of a CU working alone: its plan (features at any tile rates) and the cycles.
struct SoloRow {
  cost::SoloPlan plan;
  double cycles;
};

struct LatencyFit {
  cost::TileRates rates;
  std::vector<double> coefficients;
  double error = std::numeric_limits<double>::infinity();  // sum of squared relative residuals
};

LatencyFit fit_latency_at(const CuModel& unit, const std::vector<SoloRow>& solo, cost::TileRates r) {
  Rows rows;
  for (const SoloRow& s : solo) rows.push_back({s.plan.features(r).latency, s.cycles});
  LatencyFit f{r, fit_for(unit, rows, cost::latency_feature_names()), 0.0};
  for (const auto& [x, y] : rows) {
    double pred = 0;
    for (size_t c = 0; c < x.size(); ++c) pred += f.coefficients[c] * x[c];
    f.error += std::pow((pred - y) / std::max(1.0, std::abs(y)), 2);
  }
  return f;
}

// The latency coefficients with the tile rates that fit best: the SoC file's (1, 1, 1) first,
// then, where the file's rates leave a root-mean-square relative error above 0.5 %, a grid over
// [0.5, 3] in steps of 0.25, then steps of 0.05 within 0.2 of the best. Other rates are taken
// only where they lower the squared error by more than 1 %: a chip that matches its file keeps
// 1 (the rates and the linear weights are nearly interchangeable where no tile changes side of
// the max, and a fit that is already exact has nothing to learn from them).
LatencyFit fit_latency(const CuModel& unit, const std::vector<SoloRow>& solo, bool fit_rates) {
  LatencyFit best = fit_latency_at(unit, solo, {});
  const double file_error = best.error;
  if (!fit_rates || !unit.fits("tile_roofline") || solo.empty() ||
      std::sqrt(file_error / double(solo.size())) <= 0.005)
    return best;
  auto search = [&](cost::TileRates from, cost::TileRates to, double step) {
    for (double f = from.first; f <= to.first + 1e-9; f += step)
      for (double l = from.later; l <= to.later + 1e-9; l += step)
        for (double t = from.transfer; t <= to.transfer + 1e-9; t += step) {
          LatencyFit fit = fit_latency_at(unit, solo, {f, l, t});
          if (fit.error < best.error && fit.error < 0.99 * file_error) best = std::move(fit);
        }
  };
  search({0.5, 0.5, 0.5}, {3.0, 3.0, 3.0}, 0.25);
  const cost::TileRates at = best.rates;
  if (at.first == 1.0 && at.later == 1.0 && at.transfer == 1.0) return best;
  auto low = [](double x) { return std::max(0.5, x - 0.2); };
  search({low(at.first), low(at.later), low(at.transfer)},
         {at.first + 0.2, at.later + 0.2, at.transfer + 0.2}, 0.05);
  return best;
}

// Stage 1: per CU, its latency, busy and memory-energy coefficients from the points where it
// works alone (held-out and off-chip-bound points left out); `base`'s where no row informs them.
void fit_cu_coefficients(const SocDescription& soc, const std::vector<SuitePoint>& points,
                         const std::vector<sim::JobResult>& results, const proto::Calibration* base,
                         bool fit_rates, proto::Calibration& cal) {
  for (int i = 0; i < soc.soc.cu_size(); ++i) {
    Rows busy, energy;
    std::vector<SoloRow> solo;
    for (size_t p = 0; p < points.size(); ++p) {
      const SuitePoint& pt = points[p];
      if (pt.holdout || pt.cus != 1 || soc.cu_index(pt.split.shares[0].cu) != i) continue;
      if (off_chip_traffic(soc, pt.layer).any()) continue;  // bound by the off-chip link (a rule, not fitted)
      solo.push_back({cost::SoloPlan(soc, pt.layer, i, pt.split.shares[0].channels, pt.split.shares[0].op),
                      double(results[p].cycles)});
      const cost::CuFeatures f = solo.back().plan.features({});
      if (results[p].cu[0].busy_cycles >= 0) busy.push_back({f.busy, double(results[p].cu[0].busy_cycles)});
      if (std::isfinite(memory_pj(results[p]))) energy.push_back({f.energy, memory_pj(results[p])});
    }
    auto* cu = cal.add_cu();
    cu->set_cu(soc.soc.cu(i).name());
    const CuModel& unit = soc.unit(i);
    auto fit_or_base = [&](const Rows& rows, const std::vector<std::string>& names) {
      return rows.empty() ? base_values(base, unit.name(), names) : fit_for(unit, rows, names);
    };
    if (solo.empty()) {
      put(cu->mutable_coefficient(), cost::latency_feature_names(),
          base_values(base, unit.name(), cost::latency_feature_names()), "cycles per unit");
      if (fit_rates) put_rates(cu, base_rates(base, unit.name()));
    } else {
      const LatencyFit lat = fit_latency(unit, solo, fit_rates);
      put(cu->mutable_coefficient(), cost::latency_feature_names(), lat.coefficients, "cycles per unit");
      if (fit_rates) put_rates(cu, lat.rates);
    }
    put(cu->mutable_coefficient(), cost::busy_feature_names(), fit_or_base(busy, cost::busy_feature_names()),
        "cycles per unit");
    put(cu->mutable_coefficient(), cost::energy_feature_names(),
        fit_or_base(energy, cost::energy_feature_names()), "pJ per byte");
  }
}

// The split points (not held out, not off-chip bound) as rows {min transfer, k - 1, the
// latency `alone` predicts with the launch offset} -> simulated cycles.
Rows split_rows(const SocDescription& soc, const std::vector<SuitePoint>& points,
                const std::vector<sim::JobResult>& results, const cost::CalibratedModel& alone) {
  Rows rows;
  for (size_t p = 0; p < points.size(); ++p) {
    const SuitePoint& pt = points[p];
    if (pt.holdout || pt.cus < 2 || off_chip_traffic(soc, pt.layer).any()) continue;
    const std::vector<Op> ops = cost::ops_per_cu(alone, soc, pt.layer, pt.split);
    const double launched = alone.layer_cost(pt.layer, cost::channels_per_cu(soc, pt.split), ops).cycles;
    std::vector<int> ns(soc.soc.cu_size(), 0);
    for (const auto& s : pt.split.shares) ns[soc.cu_index(s.cu)] = s.channels;
    const auto f = cost::layer_features(soc, pt.layer, ns, ops);
    double min_transfer = 0;
    for (const auto& s : pt.split.shares) {
      const double t = f[soc.cu_index(s.cu)].transfer;
      min_transfer = min_transfer == 0 ? t : std::min(min_transfer, t);
    }
    rows.push_back({{min_transfer, double(pt.cus - 1), launched}, double(results[p].cycles)});
  }
  return rows;
}

// sim - launched ~ a * min_transfer + b * (k - 1), weighted by 1 / sim (NNLS): {a, b} and the
// mean absolute weighted residual.
std::pair<std::vector<double>, double> fit_port_and_sync(const Rows& rows) {
  Eigen::MatrixXd A(rows.size(), 2);
  Eigen::VectorXd y(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    const double w = 1.0 / std::max(1.0, rows[r].second);
    A(r, 0) = rows[r].first[0] * w;
    A(r, 1) = rows[r].first[1] * w;
    y(r) = (rows[r].second - rows[r].first[2]) * w;
  }
  const NnlsResult fit = nnls(A, y);
  return {{fit.x(0), fit.x(1)}, (A * fit.x - y).cwiseAbs().mean()};
}

// Stage 2: what parallel CUs add beyond the slower one: a launch offset per CU launched
// before (grid search, it sits inside the max), then the shared L2 port and the extra
// completion handling (NNLS on relative errors). `base`'s when there is no split row.
std::vector<double> fit_layer_coefficients(const SocDescription& soc, const std::vector<SuitePoint>& points,
                                           const std::vector<sim::JobResult>& results,
                                           const proto::Calibration* base, proto::Calibration cal) {
  std::vector<double> best;
  double best_err = std::numeric_limits<double>::infinity();
  for (double launch = 0; launch <= 800; launch += 4) {
    put(cal.mutable_layer(), cost::layer_feature_names(), {launch, 0.0, 0.0}, "cycles per unit");
    const cost::CalibratedModel alone(soc, cal, "fit");
    cal.clear_layer();
    const Rows rows = split_rows(soc, points, results, alone);
    if (rows.empty()) return layer_values_without_splits(soc, cal, base);
    const auto [coefficients, err] = fit_port_and_sync(rows);
    if (err < best_err) {
      best_err = err;
      best = {launch, coefficients[0], coefficients[1]};
    }
  }
  return best;
}

// Errors of the final model, per CU / CU+operator, on fitted and held-out points.
void record_fit_errors(const SocDescription& soc, const std::vector<SuitePoint>& points,
                       const std::vector<sim::JobResult>& results, proto::Calibration& cal) {
  const cost::CalibratedModel model(soc, cal, "fit");
  std::map<std::string, ErrorStats> fit_err, hold_err;
  for (size_t p = 0; p < points.size(); ++p) {
    const SuitePoint& pt = points[p];
    const double pred = model
                            .layer_cost(pt.layer, cost::channels_per_cu(soc, pt.split),
                                        cost::ops_per_cu(model, soc, pt.layer, pt.split))
                            .cycles;
    auto& groups = pt.holdout ? hold_err : fit_err;
    const std::string cu = pt.cus == 1 ? pt.split.shares[0].cu : "split";
    for (const std::string& g : {std::string("all"), cu, cu + "/" + op_name(pt.layer.op)})
      groups[g].add(pred, double(results[p].cycles), pt.name);
  }
  record(cal.mutable_fit(), fit_err);
  record(cal.mutable_holdout(), hold_err);
}

}  // namespace

proto::Calibration fit_calibration(const SocDescription& soc, const std::vector<SuitePoint>& points,
                                   const std::vector<sim::JobResult>& results,
                                   const std::string& suite_origin, const proto::Calibration* base,
                                   bool fit_tile_rates) {
  proto::Calibration cal;
  cal.set_soc(soc.name());
  cal.set_suite(suite_origin);
  fit_cu_coefficients(soc, points, results, base, fit_tile_rates, cal);
  put(cal.mutable_layer(), cost::layer_feature_names(),
      fit_layer_coefficients(soc, points, results, base, cal), "cycles per unit");
  record_fit_errors(soc, points, results, cal);
  return cal;
}

std::vector<CoefficientMove> coefficient_moves(const proto::Calibration& fitted,
                                               const proto::Calibration& base) {
  std::map<std::pair<std::string, std::string>, CoefficientMove> all;
  auto collect = [&](const proto::Calibration& cal, bool is_fit) {
    auto add = [&](const std::string& cu, const proto::Coefficient& c) {
      CoefficientMove& m = all[{cu, c.name()}];
      m.cu = cu;
      m.name = c.name();
      (is_fit ? m.fitted : m.base) = c.value();
    };
    for (const auto& cu : cal.cu())
      for (const auto& c : cu.coefficient()) add(cu.cu(), c);
    for (const auto& c : cal.layer()) add("(layer)", c);
  };
  collect(base, false);
  collect(fitted, true);
  std::vector<CoefficientMove> out;
  for (const auto& [key, m] : all)
    if (m.base != m.fitted) out.push_back(m);
  auto size = [](const CoefficientMove& m) {
    if (m.base <= 0 || m.fitted <= 0) return std::numeric_limits<double>::infinity();
    return std::abs(std::log(m.fitted / m.base));
  };
  std::stable_sort(out.begin(), out.end(), [&](const auto& a, const auto& b) { return size(a) > size(b); });
  return out;
}

}  // namespace odimo::validation
