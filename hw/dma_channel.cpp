#include "hw/dma_channel.h"

#include <algorithm>

namespace odimo {

DmaChannel dma_channel(const SocDescription& soc, const proto::ComputeUnit& cu) {
  const proto::Dma& dma = soc.soc.dma();
  DmaChannel c;
  double bw = dma.bytes_per_cycle();
  if (const proto::Memory* l1 = soc.l1_of(cu))
    bw = std::min<double>(bw, double(l1->port_bytes_per_cycle()) * std::max(1, l1->banks()));
  c.bytes_per_cycle = std::max(1.0, bw);
  c.setup_cycles = dma.setup_cycles();
  c.burst_bytes = std::max(1, dma.burst_bytes());
  c.first_word_latency_cycles = soc.l2().latency_cycles();
  c.sync_quantum_cycles = dma.sync_quantum_cycles();
  return c;
}

DmaChannel off_chip_channel(const SocDescription& soc) {
  const proto::Memory& m = *soc.off_chip();
  DmaChannel c;
  c.bytes_per_cycle = std::max(1, m.port_bytes_per_cycle());
  c.setup_cycles = soc.soc.dma().setup_cycles();
  c.burst_bytes = std::max(1, soc.soc.dma().burst_bytes());
  c.first_word_latency_cycles = m.latency_cycles();
  c.sync_quantum_cycles = soc.soc.dma().sync_quantum_cycles();
  return c;
}

}  // namespace odimo
