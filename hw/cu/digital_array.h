#pragma once
// DIANA's digital accelerator: an output-stationary PE array of pe_rows output
// channels x pe_cols output columns with a private weight memory, fed from the
// shared L1 by DMA. Everything odimo knows about this kind lives here.
//
// Compute per tile (MATCH cost_model.py form): per output row and block of
// pe_rows x pe_cols outputs, C*fy*FX + row_overhead*C*fy + block_overhead
// cycles, fy = kernel rows inside the input at that row (border rows are
// cheaper); depthwise one channel at a time over pe_cols columns; `add` at
// eltwise_lanes elements/cycle. Weights of a channel block must fit the weight memory.
#include "hw/cu/cu_model.h"

namespace odimo {

class DigitalArray : public CuModel {
 public:
  using CuModel::CuModel;
  const char* kind_name() const override { return "digital_array"; }
  void check(const FieldCheck& at, const std::string& path) const override;
  IntegerBehaviour integer_behaviour(const FieldCheck& at, const std::string& path) const override;
  JobPlan plan(const SocDescription& soc, const Layer& g, int64_t l1_budget) const override;
  int channel_granularity() const override;
  cost::CuTerm odimo_cycles(const SocDescription& soc, const cost::Geometry& g, double n,
                            cost::Flavour flavour) const override;

 private:
  const proto::DigitalArrayParams& params() const { return description().digital(); }
  std::vector<Phase> phases(const Layer& g, int r0, int h, int n) const;
};

}  // namespace odimo
