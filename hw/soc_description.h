#pragma once
// A validated SoC description (proto/soc.proto): what `odimo simulate`, the
// SystemC models and the analytic cost model read. No SystemC here.
#include <string>
#include <vector>

#include "proto/soc.pb.h"
#include "workloads/network.h"

namespace odimo {

struct SocDescription {
  proto::Soc soc;      // the validated description
  std::string origin;  // file it came from (for messages)

  const std::string& name() const { return soc.name(); }
  double clock_mhz() const { return soc.clock_mhz(); }
  // Cycles per ns (e.g. 0.26 at 260 MHz).
  double cycles_per_ns() const { return soc.clock_mhz() / 1000.0; }

  // CU called `name`, or nullptr.
  const proto::ComputeUnit* find_cu(const std::string& name) const;
  // CU called `name`; throws Error listing the SoC's CUs.
  const proto::ComputeUnit& cu(const std::string& name) const;
  // Position of the CU in the description (its order for split rules), or -1.
  int cu_index(const std::string& name) const;
  // "host, digital, aimc"
  std::string cu_names() const;
  // Memory called `name`; throws Error if absent.
  const proto::Memory& memory(const std::string& name) const;
  const proto::Memory& l2() const { return memory(soc.l2()); }
  // L1 of a CU, or nullptr when it works in L2 directly (the DIANA host).
  const proto::Memory* l1_of(const proto::ComputeUnit& cu) const;
};

// Whether `cu` lists `op` in `accepts` / `fuses`.
bool cu_accepts(const proto::ComputeUnit& cu, Op op);
bool cu_fuses(const proto::ComputeUnit& cu, Op op);
// Whether `cu` can compute `layer` with operator `op` (its own or a variant):
// the op is accepted and CU-specific limits hold (DWE kernel sizes, AIMC
// groups = 1). On false, `why` (if given) says why, e.g. "aimc cannot run depthwise".
bool cu_can_run(const proto::ComputeUnit& cu, const Layer& layer, Op op, std::string* why = nullptr);

const char* cu_kind_name(proto::CuKind kind);

// Validates `soc`; errors name `origin`, the field path and the bad value,
// e.g. "diana.pbtxt: field 'cu[2].aimc.rows': value 0 must be > 0".
SocDescription build_soc(const proto::Soc& soc, const std::string& origin);
// Loads a SoC .pbtxt: `spec` is a path or a shipped name ("diana" -> <socs dir>/diana.pbtxt).
SocDescription load_soc(const std::string& spec);
// Where shipped SoC files live: $ODIMO_SOCS, else the source tree's hw/socs.
std::string socs_dir();
std::vector<std::string> shipped_socs();

}  // namespace odimo
