#pragma once
// Darkside's depthwise engine (DWE): channels_per_pass channels at a time, only
// the kernel sides it lists, streaming from the shared TCDM. Everything odimo
// knows about this kind lives here.
//
// Compute per tile (ODiMO): per pass, taps*(fill_tap + fill_col*OX) fill +
// cycles_per_pixel*OX*rows stream.
#include "hw/cu/cu_model.h"

namespace odimo {

class DepthwiseEngine : public CuModel {
 public:
  using CuModel::CuModel;
  const char* kind_name() const override { return "dwe"; }
  void check(const FieldCheck& at, const std::string& path) const override;
  IntegerBehaviour integer_behaviour(const FieldCheck& at, const std::string& path) const override;
  JobPlan plan(const SocDescription& soc, const Layer& g, int64_t l1_budget) const override;
  // assumption: the streamer's own ports are scheduled conflict-free; it meets the others
  int tcdm_masters() const override { return params().tcdm_ports(); }
  int tcdm_internal_masters() const override { return 1; }
  int channel_granularity() const override;
  cost::CuTerm odimo_cycles(const SocDescription& soc, const cost::Geometry& g, double n,
                            cost::Flavour flavour) const override;

 protected:
  std::string cannot_run(const Layer& layer, Op op) const override;

 private:
  const proto::DweParams& params() const { return description().dwe(); }
};

}  // namespace odimo
