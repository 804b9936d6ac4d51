#include "hw/models/virtual_soc.h"

#include "hw/dma_channel.h"
#include "proto/error.h"

namespace odimo::hw {

VirtualSoc::VirtualSoc(sc_core::sc_module_name name, const SocDescription& soc, TraceLog* trace)
    : sc_module(name), m_soc(soc) {
  const proto::Memory& l2 = soc.l2();
  m_l2 = std::make_unique<L2Memory>("l2", l2.size_bytes(), l2.port_bytes_per_cycle());
  const proto::Dma& dma = soc.soc.dma();
  for (int i = 0; i < soc.soc.cu_size(); ++i) {
    const CuModel& unit = soc.unit(i);
    const proto::ComputeUnit& cu = unit.description();
    DmaEngine* channel = nullptr;
    TcdmBanks* banks = nullptr;
    const proto::Memory* l1 = soc.l1_of(cu);
    if (l1 && !unit.is_host()) {
      const std::string dma_name = "dma_" + cu.name();
      m_dma.push_back(std::make_unique<DmaEngine>(dma_name.c_str(), dma_channel(soc, cu), trace,
                                                  trace->track("dma:" + cu.name())));
      channel = m_dma.back().get();
      channel->m_socket.bind(m_l2->m_socket);
      if (l1->access_density() > 0) {
        auto& t = m_tcdm[l1->name()];
        if (!t) t = std::make_unique<TcdmBanks>(l1->banks(), l1->access_density());
        banks = t.get();
      }
    }
    m_cus[cu.name()] =
        std::make_unique<CuModule>(cu.name().c_str(), unit, channel, dma.double_buffering(), banks, trace);
  }
  m_host = std::make_unique<HostController>("host_controller", soc.soc.host(), trace);
  if (soc.off_chip()) {
    m_off_chip = std::make_unique<DmaEngine>("dma_off_chip", off_chip_channel(soc), trace,
                                             trace->track("dma:off-chip"));
    m_off_chip->m_socket.bind(m_l2->m_socket);
    m_host->set_off_chip(m_off_chip.get());
  }
}

CuModule& VirtualSoc::cu(const std::string& name) {
  auto it = m_cus.find(name);
  if (it == m_cus.end()) throw Error("unknown CU '" + name + "' on SoC '" + m_soc.name() + "'");
  return *it->second;
}

}  // namespace odimo::hw
