#pragma once
// Darkside's cluster of RISC-V cores running PULP-NN-style int8 software
// kernels on the shared TCDM. Everything odimo knows about this kind lives here.
//
// Compute per tile (PULP-NN / ODiMO): output rows split across the cores, per
// core ceil(rows/cores) * ceil(OX/pixels) * (im2col + ceil(n/out_channels) *
// (step * ceil(K^2 C/4) + overhead)), as two phases whose TCDM accesses meet bank
// conflicts; linear layers split output features across cores; software
// depthwise at dw_cycles_per_mac per core (PLiNIO's GAP8 form); element-wise
// ops on the cores; + fork/barrier per job.
#include "hw/cu/cu_model.h"

namespace odimo {

class RiscvCluster : public CuModel {
 public:
  using CuModel::CuModel;
  const char* kind_name() const override { return "riscv_cluster"; }
  void check(const FieldCheck& at, const std::string& path) const override;
  IntegerBehaviour integer_behaviour(const FieldCheck& at, const std::string& path) const override;
  JobPlan plan(const SocDescription& soc, const Layer& g, int64_t l1_budget) const override;
  int tcdm_masters() const override { return params().cores(); }
  int tcdm_internal_masters() const override { return params().cores(); }
  int channel_granularity() const override;
  cost::CuTerm odimo_cycles(const SocDescription& soc, const cost::Geometry& g, double n,
                            cost::Flavour flavour) const override;

 private:
  const proto::ClusterParams& params() const { return description().cluster(); }
  std::vector<Phase> phases(const Layer& g, int h, int n) const;
};

}  // namespace odimo
