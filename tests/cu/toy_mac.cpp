// The home of the toy CU kind of hw/README.md "Adding a kind of CU": a scalar
// MAC unit on its own L1, fed by DMA. Everything odimo needs to know about the
// kind is here; its parameters are proto::ToyMacParams (proto/soc.proto) and
// its SoC file is tests/cu/toy.pbtxt. Linked only into tests/cu's test binary.
#include "hw/cu/cu_model.h"

namespace odimo {
namespace {

class ToyMac : public CuModel {
 public:
  using CuModel::CuModel;
  const char* kind_name() const override { return "toy_mac"; }

  void check(const FieldCheck& at, const std::string& path) const override {
    at.positive(path + ".toy_mac.macs_per_cycle", params().macs_per_cycle());
    at.non_negative(path + ".toy_mac.job_overhead_cycles", params().job_overhead_cycles());
    // assumption: its multipliers take signed 4-bit weights; the `format` block says how they are scaled
    const NumberFormat f = number_format();
    if (f.weight_scale == NumberFormat::WeightScale::kFloat || f.weight_bits > 4)
      at.fail(path + ".format.quantizer", "'" + description().format().quantizer() + "'",
              "must code weights in at most 4 bits (the toy MAC multiplies 4-bit weights), e.g. int4-pow2");
  }

  // Its integer pipeline (odimo deploy): the format's codes, an accumulator of the given width.
  IntegerBehaviour integer_behaviour(const FieldCheck& at, const std::string& path) const override {
    return digital_integer(at, path + ".toy_mac.mac_accumulator_bits", params().mac_accumulator_bits());
  }

  // cycles = ceil(MACs / macs_per_cycle) per tile (element-wise: one element per cycle)
  JobPlan plan(const SocDescription& soc, const Layer& g, int64_t l1_budget) const override {
    JobPlan plan = plan_grid(soc, *this, g, l1_budget, Blocking{}, [&](const Layer& sub, int nb, int, int h) {
      const double macs =
          double(nb) * h * out_cols(sub) * (is_weighted(sub.op) ? sub.weights_per_channel() : 1);
      return TileWork{{{"mac", double(ceil_div(int64_t(macs), params().macs_per_cycle())), 0}}, 1};
    });
    plan.fixed_cycles = params().job_overhead_cycles();
    return plan;
  }

 private:
  const proto::ToyMacParams& params() const { return description().toy_mac(); }
};

}  // namespace

ODIMO_REGISTER_CU_KIND(ToyMac, proto::ComputeUnit::kToyMac, "toy_mac")

}  // namespace odimo
