#pragma once
// A single RISC-V core (DIANA's host) running in software what no accelerator
// accepts, on L2 data without DMA and without tiles. It orchestrates the other
// CUs (hw/models/host_controller.h), so it is not launched itself, and it is a
// fallback rather than a target of the search. Everything odimo knows about
// this kind lives here. Compute: MACs * cycles_per_mac (conv/linear) or
// elements * cycles_per_element.
#include "hw/cu/cu_model.h"

namespace odimo {

class HostCore : public CuModel {
 public:
  using CuModel::CuModel;
  const char* kind_name() const override { return "riscv_host"; }
  void check(const FieldCheck& at, const std::string& path) const override;
  IntegerBehaviour integer_behaviour(const FieldCheck& at, const std::string& path) const override;
  bool is_host() const override { return true; }
  JobPlan plan(const SocDescription& soc, const Layer& g, int64_t l1_budget) const override;
  // its software reads and writes L2 directly: no DMA, no L1
  double memory_pj(const SocDescription& soc, const JobPlan& plan) const override;
  bool fits(const std::string& feature) const override;

 private:
  const proto::CoreParams& params() const { return description().core(); }
};

}  // namespace odimo
