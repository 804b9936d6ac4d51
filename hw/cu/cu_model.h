#pragma once
// One home per kind of compute unit (CU). A CuModel answers everything the
// rest of odimo asks about one CU of a SoC: which layers it runs, how it
// checks its parameters, how a share of a layer is cut into tiles with their
// compute cycles (hw/tiling.h), what it adds to TCDM bank conflicts, which
// channel granularity the cost model's gradient steps over, and ODiMO's
// first-order formula for it. The simulator (sim/, hw/models/), the cost
// models (mapper/cost/), calibration and the search ask the CuModel; none of
// them switches on the kind. Plain C++: no SystemC, so the mapper can use it.
//
// A kind is the `params` block a proto::ComputeUnit carries (proto/soc.proto).
// Its home registers a factory for that block (ODIMO_REGISTER_CU_KIND below);
// hw/README.md "Adding a kind of CU" walks through it.
#include <memory>
#include <string>
#include <vector>

#include "hw/cu/integer_behaviour.h"
#include "hw/cu/number_format.h"
#include "hw/cu/odimo_formulas.h"
#include "hw/field_check.h"
#include "hw/tiling.h"
#include "proto/soc.pb.h"
#include "workloads/network.h"

namespace odimo {

struct SocDescription;

class CuModel {
 public:
  explicit CuModel(const proto::ComputeUnit& cu) : m_cu(cu) {}
  virtual ~CuModel() = default;
  CuModel(const CuModel&) = delete;
  CuModel& operator=(const CuModel&) = delete;

  const proto::ComputeUnit& description() const { return m_cu; }
  const std::string& name() const { return m_cu.name(); }
  // The kind as written in listings and messages ("digital_array", "aimc", ...).
  virtual const char* kind_name() const = 0;

  // Validates the kind's parameter block; `at.fail(path + ".field", ...)` on a bad value.
  virtual void check(const FieldCheck& at, const std::string& path) const = 0;
  // Validates the `format` block (hw/cu/number_format.h): a known quantizer whose bits
  // agree with `format.weight_bits`.
  void check_format(const FieldCheck& at, const std::string& path) const;

  // The numbers this CU computes with (hw/cu/number_format.h): by default its SoC file's
  // `format` block; a kind with an ADC adds it. The training engine quantizes a layer's
  // weights this CU runs to this format, whatever the kind.
  virtual NumberFormat number_format() const;

  // Whether this CU computes `layer` with operator `op` (its own or a variant):
  // `op` is in `accepts` and the kind's own limits hold. On false, `why` (if
  // given) says why, e.g. "aimc cannot run depthwise".
  bool can_run(const Layer& layer, Op op, std::string* why = nullptr) const;
  // The operator this CU computes `layer` with: the layer's own, else the depthwise
  // variant of a conv with as many inputs as outputs (Darkside's DWE running
  // ODiMO's searched 3x3 layers); false when it runs neither.
  bool runnable_op(const Layer& layer, Op* op) const;
  bool accepts(Op op) const;
  bool fuses(Op op) const;  // applied in the output stage at no cost when it follows a layer of this CU

  // The host core: works on L2 without DMA, is not launched by itself, and is a
  // fallback rather than a target of the search (hw/cu/host_core).
  virtual bool is_host() const { return false; }

  // Cuts `geometry` (one share of a layer, see share_geometry) into tiles that fit
  // `l1_budget` bytes of its L1 (the SoC's L1 divided among the CUs of the layer).
  // Throws Error naming the layer, the CU and the sizes when nothing fits.
  virtual JobPlan plan(const SocDescription& soc, const Layer& geometry, int64_t l1_budget) const = 0;

  // TCDM bank conflicts (hw/models/tcdm.h): masters this CU registers while it
  // runs, and how many of them compete among themselves.
  virtual int tcdm_masters() const { return 0; }
  virtual int tcdm_internal_masters() const { return 1; }

  // Output channels per step of the CU's cost staircase: the calibrated cost
  // model's d/dn is the secant slope over this many channels.
  virtual int channel_granularity() const { return 1; }

  // L1/L2 access energy of one of its plans (pJ): by default the DMA moves L2 -> L1
  // (L2 read + L1 write) and back (L1 read + L2 write), and the compute reads and
  // writes its L1. Busy/idle power is the SoC file's (hw/energy.h composes both).
  virtual double memory_pj(const SocDescription& soc, const JobPlan& plan) const;

  // Whether calibration may fit the calibrated model's coefficient `feature`
  // (mapper/cost/calibrated_model.h) for this CU; a feature that cannot apply
  // (e.g. DMA terms of the host) stays at 0. `first_phases` (each tile's first loop) only
  // matters for a unit that programs weights into its array before computing (the AIMC):
  // for the others it equals compute minus later_phases, a column that adds nothing.
  virtual bool fits(const std::string& feature) const { return feature != "first_phases"; }

  // How this CU computes in integers (hw/cu/integer_behaviour.h), from its SoC-file
  // fields (`path` names the CU, e.g. "cu[2]"); `at.fail` names a field the pipeline
  // needs and the file lacks. Kinds without an integer pipeline fail.
  virtual IntegerBehaviour integer_behaviour(const FieldCheck& at, const std::string& path) const;

  // ODiMO's first-order cycles for n output channels (hw/cu/odimo_formulas.h);
  // zero for a kind ODiMO does not model (the host).
  virtual cost::CuTerm odimo_cycles(const SocDescription& soc, const cost::Geometry& g, double n,
                                    cost::Flavour flavour) const {
    return {};
  }

 protected:
  // A digital CU's behaviour: bits from `format`, the accumulator from the kind's
  // `block.mac_accumulator_bits` (must be given).
  IntegerBehaviour digital_integer(const FieldCheck& at, const std::string& field, int mac_bits) const;
  // Kind-specific limits beyond `accepts` (e.g. DWE kernel sides); "" when it can run.
  virtual std::string cannot_run(const Layer& layer, Op op) const { return ""; }

 private:
  const proto::ComputeUnit m_cu;  // a copy: models outlive the message they were built from
};

// Builds the model of `cu`'s kind; throws Error when `cu` carries no parameter
// block or one no home registered (the message lists the known kinds).
std::shared_ptr<const CuModel> make_cu_model(const proto::ComputeUnit& cu, const std::string& where);
// "digital_array (digital), aimc (aimc), ..." : kinds and their parameter blocks.
std::string known_cu_kinds();

// Registry, filled by the homes' static registrars.
using CuFactory = std::unique_ptr<CuModel> (*)(const proto::ComputeUnit&);
bool register_cu_kind(int params_case, const char* block, CuFactory make);

#define ODIMO_REGISTER_CU_KIND(Class, params_case, block)                              \
  namespace {                                                                          \
  [[maybe_unused]] const bool registered_##Class = ::odimo::register_cu_kind(          \
      int(params_case), block,                                                         \
      [](const ::odimo::proto::ComputeUnit& cu) -> std::unique_ptr<::odimo::CuModel> { \
        return std::make_unique<Class>(cu);                                            \
      });                                                                              \
  }

}  // namespace odimo
