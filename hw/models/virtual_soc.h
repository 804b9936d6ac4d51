#pragma once
// The virtual SoC assembled from a SoC description: one L2 (TLM target with a
// shared port), one DMA channel per CU that has an L1, one TCDM conflict model
// per L1 with banks and an access density, the CUs, and the host controller.
// Each CU is a CuModule driven by its kind's home (hw/cu/): DIANA = host core +
// digital array + AIMC macro on a shared L1; Darkside = cluster + DWE on the
// TCDM, orchestrated by the cluster controller. A copied .pbtxt with other
// numbers builds another SoC.
#include <systemc>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hw/models/cu_module.h"
#include "hw/models/dma_engine.h"
#include "hw/models/host_controller.h"
#include "hw/models/l2_memory.h"
#include "hw/models/tcdm.h"
#include "hw/models/trace_log.h"
#include "hw/soc_description.h"

namespace odimo::hw {

class VirtualSoc : public sc_core::sc_module {
 public:
  // `soc` must outlive the module. `trace` may be disabled but must not be null.
  VirtualSoc(sc_core::sc_module_name name, const SocDescription& soc, TraceLog* trace);

  CuModule& cu(const std::string& name);
  HostController& host() { return *m_host; }
  L2Memory& l2() { return *m_l2; }

 private:
  const SocDescription& m_soc;
  std::unique_ptr<L2Memory> m_l2;
  std::map<std::string, std::unique_ptr<TcdmBanks>> m_tcdm;  // by L1 name
  std::vector<std::unique_ptr<DmaEngine>> m_dma;
  std::unique_ptr<DmaEngine> m_off_chip;  // off-chip memory <-> L2, when the SoC has one
  std::map<std::string, std::unique_ptr<CuModule>> m_cus;
  std::unique_ptr<HostController> m_host;
};

}  // namespace odimo::hw
