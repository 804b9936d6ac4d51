#pragma once
// DIANA's analog in-memory-computing macro: a rows x cols array of ternary
// weights computing one matrix-vector product (MVM) per mvm_ns; weights are
// programmed row by row before use. Everything odimo knows about this kind lives here.
//
// Plan: one weight load per (floor(rows / (FX*FY)) input channels) x (cols output
// channels); unrolling u = largest allowed factor with u*n <= cols and
// (u+FX-1)*max(min_channel_rows, C)*FY <= rows (ODiMO/PLiNIO rule); programming
// rows_used * row_program_cycles; OY * ceil(OX/u) MVMs of max(mvm, postproc)
// cycles (a partial group of a row costs a whole MVM) + post-processing fill per load.
#include "hw/cu/cu_model.h"

namespace odimo {

class AimcMacro : public CuModel {
 public:
  using CuModel::CuModel;
  const char* kind_name() const override { return "aimc"; }
  void check(const FieldCheck& at, const std::string& path) const override;
  IntegerBehaviour integer_behaviour(const FieldCheck& at, const std::string& path) const override;
  NumberFormat number_format() const override;
  JobPlan plan(const SocDescription& soc, const Layer& g, int64_t l1_budget) const override;
  // assumption: the search steps over 16 channels (one output group of the ADC readout)
  int channel_granularity() const override { return 16; }
  // Every coefficient, first_phases included: a tile's MVMs scale apart from its weight
  // programming (an MVM time the SoC file gets wrong is not a slower programming).
  bool fits(const std::string&) const override { return true; }
  cost::CuTerm odimo_cycles(const SocDescription& soc, const cost::Geometry& g, double n,
                            cost::Flavour flavour) const override;

  // Largest allowed unrolling for `cc` input channels and `nc` columns, never wider than `ox`.
  int unroll(int64_t cc, int nc, int fx, int ox) const;

 protected:
  std::string cannot_run(const Layer& layer, Op op) const override;

 private:
  const proto::AimcParams& params() const { return description().aimc(); }
};

}  // namespace odimo
