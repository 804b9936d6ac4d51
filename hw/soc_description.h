#pragma once
// A validated SoC description (proto/soc.proto): what `odimo simulate`, the
// SystemC models and the analytic cost model read. No SystemC here.
#include <memory>
#include <string>
#include <vector>

#include "hw/cu/cu_model.h"

#include "proto/soc.pb.h"
#include "workloads/network.h"

namespace odimo {

struct SocDescription {
  proto::Soc soc;                                     // the validated description
  std::string origin;                                 // file it came from (for messages)
  std::vector<std::shared_ptr<const CuModel>> units;  // the model of each CU (hw/cu/), SoC order

  const std::string& name() const { return soc.name(); }
  double clock_mhz() const { return soc.clock_mhz(); }
  // Cycles per ns (e.g. 0.26 at 260 MHz).
  double cycles_per_ns() const { return soc.clock_mhz() / 1000.0; }

  // CU called `name`, or nullptr.
  const proto::ComputeUnit* find_cu(const std::string& name) const;
  // CU called `name`; throws Error listing the SoC's CUs.
  const proto::ComputeUnit& cu(const std::string& name) const;
  // Model of CU `i` (SoC order) / of the CU called `name` (throws Error listing the CUs).
  const CuModel& unit(int i) const { return *units.at(size_t(i)); }
  const CuModel& unit(const std::string& name) const;
  // Position of the CU in the description (its order for split rules), or -1.
  int cu_index(const std::string& name) const;
  // "host, digital, aimc"
  std::string cu_names() const;
  // Memory called `name`; throws Error if absent.
  const proto::Memory& memory(const std::string& name) const;
  const proto::Memory& l2() const { return memory(soc.l2()); }
  // The memory beyond L2 (Soc.off_chip), or nullptr.
  const proto::Memory* off_chip() const { return soc.off_chip().empty() ? nullptr : &memory(soc.off_chip()); }
  // L1 of a CU, or nullptr when it works in L2 directly (the DIANA host).
  const proto::Memory* l1_of(const proto::ComputeUnit& cu) const;
};

// Validates `soc`; errors name `origin`, the field path and the bad value,
// e.g. "diana.pbtxt: field 'cu[2].aimc.rows': value 0 must be > 0".
SocDescription build_soc(const proto::Soc& soc, const std::string& origin);
// Loads a SoC .pbtxt: `spec` is a path or a shipped name ("diana" -> <socs dir>/diana.pbtxt).
SocDescription load_soc(const std::string& spec);
// Where shipped SoC files live: $ODIMO_SOCS, else the source tree's hw/socs.
std::string socs_dir();
std::vector<std::string> shipped_socs();

}  // namespace odimo
