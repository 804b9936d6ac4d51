#pragma once
// The calibrated cost model: the structure of each CU's work (its tile plan,
// hw/tiling.h: compute phases, DMA bytes and calls, weight loads, TCDM
// accesses) turned into a few features, weighted by non-negative coefficients
// that `odimo calibrate` fits on simulator traces (validation/calibrate.h).
//
//   t_i(n)  = sum_k theta_ik * phi_k(layer, CU i, n; r_i)         CU latency (cycles)
//   T       = max_i (t_i + c_launch * pos_i) + c_port * min_i transfer_i + c_sync * (k-1)
//             layer latency with k CUs working, pos_i = launch order of CU i (0 = first)
//   E       = shared*T + sum_i [busy_i*B_i + idle_i*(T-B_i)] + e_l2_i*bytes_i + e_l1_i*l1_bytes_i
// with B_i the CU's predicted busy cycles. r_i (TileRates) enters the one non-linear feature,
// the double-buffered tile pipeline sum_j max(compute_j, transfers_j): a chip whose tiles
// compute or transfer at another rate than the SoC file says moves tiles from one side of the
// max to the other, which no weight of a feature computed at the file's rates can follow.
//
// Real-valued n: features are exact at integers and interpolated linearly in
// between; d/dn is the secant slope over the CU's channel granularity (16 for
// the PE array and the DWE, 4 for the cluster's SIMD matmul), so the search
// sees the average slope of the staircase rather than zero or a spike.
// The layer-level contention term adds no gradient (it is second order).
// dE/dn_i = (shared + sum_j idle_j) * dT/dn_i + (busy_i - idle_i) * dB_i/dn_i + dM_i/dn_i,
// B_i and M_i (memory-access energy) by the same secants.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hw/layer_plan.h"
#include "mapper/cost/cost_model.h"
#include "proto/calibration.pb.h"

namespace odimo::cost {

// Feature names, in column order (also the coefficient names in the calibration file).
const std::vector<std::string>& latency_feature_names();  // cycles
const std::vector<std::string>& busy_feature_names();     // cycles
const std::vector<std::string>& energy_feature_names();   // pJ per unit
const std::vector<std::string>& layer_feature_names();    // cycles

// How many times the SoC file's cycles a CU's tiles take inside the tile pipeline's max: the
// first compute phase of every tile (the AIMC's MVMs, the cluster's im2col, the DWE's fill), the
// phases after it (the cluster's matmul, the DWE's stream) and the transfers (1 = as the file
// says; weight programming stays at the file's cycles). `odimo calibrate` fits them on a grid;
// a calibration file without them means 1.
struct TileRates {
  double first = 1.0;
  double later = 1.0;
  double transfer = 1.0;
};
// {"tile_first_phase_rate", "tile_later_phase_rate", "tile_transfer_rate"}
const std::vector<std::string>& tile_rate_names();

struct CuFeatures {
  std::vector<double> latency;  // latency_feature_names() order
  std::vector<double> busy;
  std::vector<double> energy;
  double transfer = 0;  // DMA bytes / bandwidth (cycles), for the port term
};

// Features of n (integer) output channels of `layer` on CU `cu`, with `sharing`
// CUs splitting the L1 (as the simulator does). Zero when n == 0.
// Features of every CU (SoC order) when n[i] channels of `layer` run on CU i
// computing ops[i], planned together as the simulator plans one job: the L1
// divided among its users, a shared input loaded once (hw/layer_plan.h).
// `rates`: per CU (SoC order), or empty for the file's rates.
std::vector<CuFeatures> layer_features(const SocDescription& soc, const Layer& layer,
                                       const std::vector<int>& n, const std::vector<Op>& ops,
                                       const std::vector<TileRates>& rates = {});
// The same for CU `cu` working alone.
CuFeatures cu_features(const SocDescription& soc, const Layer& layer, int cu, int n, Op op,
                       TileRates rates = {});

// CU `cu` working alone, planned once, so that its features can be evaluated at many rates
// (the calibration's grid) without planning again.
class SoloPlan {
 public:
  SoloPlan(const SocDescription& soc, const Layer& layer, int cu, int n, Op op);
  CuFeatures features(TileRates rates) const;

 private:
  const SocDescription* m_soc;
  std::vector<JobPlan> m_plans;  // empty when the CU has nothing to do
};

class CalibratedModel : public CostModel {
 public:
  CalibratedModel(const SocDescription& soc, const proto::Calibration& calibration,
                  const std::string& origin);
  std::string name() const override { return "calibrated"; }
  using CostModel::layer_cost;
  std::vector<CuTerm> cu_terms(const Layer& layer, const std::vector<double>& n,
                               const std::vector<Op>& ops) const override;
  LayerCost layer_cost(const Layer& layer, const std::vector<double>& n, const std::vector<Op>& ops,
                       double rel_temperature = 0) const override;

 private:
  struct Coefs {
    std::vector<double> latency, busy, energy;
  };
  const std::vector<CuFeatures>& features(const Layer& layer, const std::vector<int>& n,
                                          const std::vector<Op>& ops) const;
  double dot(const std::vector<double>& c, const std::vector<double>& f) const;
  int granularity(int cu) const;
  // The staircase step [a, b] of CU `cu`'s granularity that holds n channels (of `total`).
  std::pair<int, int> step(int cu, double n, int total) const;
  // dE/dn_i (uJ per channel) of the energy layer_cost reports, given dT/dn_i.
  std::vector<double> energy_gradient(const Layer& layer, const std::vector<double>& n,
                                      const std::vector<Op>& ops,
                                      const std::vector<double>& dcycles_dn) const;

  std::vector<Coefs> m_coefs;      // per CU, SoC order
  std::vector<TileRates> m_rates;  // per CU, SoC order
  std::vector<double> m_layer;     // layer_feature_names() order
  mutable std::map<std::string, std::vector<CuFeatures>> m_cache;
};

// Reads and checks a calibration file against `soc` (same SoC, every CU and
// coefficient present). `spec` "" means the shipped <socs dir>/<soc>.calibration.pbtxt.
proto::Calibration load_calibration(const std::string& spec, const SocDescription& soc, std::string* origin);

// The cost model named `model`: "calibrated" (coefficients from `calibration`, "" = the
// shipped file) or "odimo-compat" (the original ODiMO formulas; no calibration file).
std::unique_ptr<CostModel> make_model(const std::string& model, const std::string& calibration,
                                      const SocDescription& soc);

}  // namespace odimo::cost
