#pragma once
// The DMA channel between L2 and one CU's L1, as the SoC file describes it:
// read once here by the SystemC DMA model (hw/models/dma_engine.h) and by the
// calibrated cost model, so both use the same bandwidth and setup. Plain C++.
#include <cstdint>

#include "hw/soc_description.h"

namespace odimo {

struct DmaChannel {
  double bytes_per_cycle = 1;         // min(Dma.bytes_per_cycle, L1 port width x banks) (bytes/cycle)
  int setup_cycles = 0;               // per DMA call, not holding the L2 port (cycles)
  int burst_bytes = 1;                // largest L2-port grant (bytes)
  int first_word_latency_cycles = 0;  // L2 latency, once per transfer (cycles)
  int sync_quantum_cycles = 0;        // simulation-speed knob (Dma.sync_quantum_cycles)

  // First-order time of `bytes` in `calls` DMA calls on an idle port: setup per
  // call + bytes at the channel bandwidth (the simulator adds the first-word
  // latency, burst rounding and port contention; calibration learns them).
  double transfer_cycles(double bytes, int calls) const {
    return calls * double(setup_cycles) + bytes / bytes_per_cycle;
  }
};

// The channel of `cu`; for a CU without an L1 (the host) the SoC's DMA numbers with the L2 port.
DmaChannel dma_channel(const SocDescription& soc, const proto::ComputeUnit& cu);
// The channel between the off-chip memory and L2 (hw/layer_plan.h): the off-chip
// memory's port width and first-word latency, the SoC's DMA setup and burst size.
// Requires soc.off_chip().
DmaChannel off_chip_channel(const SocDescription& soc);

}  // namespace odimo
