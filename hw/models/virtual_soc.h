#pragma once
// The virtual SoC assembled from a SoC description: one L2 (TLM target with a
// shared port), one DMA channel per CU that has an L1, one TCDM conflict model
// per L1 with banks and an access density, the CUs, and the host controller.
// DIANA = HostCore + DigitalArray + AimcMacro on a shared L1;
// Darkside = RiscvCluster + DepthwiseEngine on the TCDM, orchestrated by the
// cluster controller. A copied .pbtxt with other numbers builds another SoC.
#include <systemc>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hw/models/compute_unit.h"
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

  ComputeUnitModel& cu(const std::string& name);
  HostController& host() { return *m_host; }
  L2Memory& l2() { return *m_l2; }

 private:
  const SocDescription& m_soc;
  std::unique_ptr<L2Memory> m_l2;
  std::map<std::string, std::unique_ptr<TcdmBanks>> m_tcdm;  // by L1 name
  std::vector<std::unique_ptr<DmaEngine>> m_dma;
  std::map<std::string, std::unique_ptr<ComputeUnitModel>> m_cus;
  std::unique_ptr<HostController> m_host;
};

}  // namespace odimo::hw
