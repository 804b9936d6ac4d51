#pragma once
// L2 main memory as a loosely-timed TLM-2.0 target with ONE shared port.
// Every DMA burst reserves the port first-come first-served: the port is busy
// for bytes / bandwidth cycles, so bursts of CUs running in parallel queue up
// behind each other (the contention the first-order formulas leave out).
// Time base: 1 cycle = 1 ns of SystemC time.
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <systemc>
#include <tlm>

#include <cstdint>

namespace odimo::hw {

class L2Memory : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<L2Memory> socket;

  // `bytes_per_cycle`: port bandwidth; `latency_cycles`: first-word latency of a transfer
  // (bursts are pipelined: the DMA adds it once per transfer, see latency()).
  L2Memory(sc_core::sc_module_name name, double bytes_per_cycle, int latency_cycles);

  sc_core::sc_time latency() const { return m_latency; }
  int64_t bytes_read() const { return m_bytes_read; }
  int64_t bytes_written() const { return m_bytes_written; }
  double busy_cycles() const { return m_busy_cycles; }  // port occupied (cycles)

 private:
  void b_transport(int initiator, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);

  double m_bytes_per_cycle;
  sc_core::sc_time m_latency;
  sc_core::sc_time m_port_free_at;  // when the port can start the next burst
  int64_t m_bytes_read = 0;
  int64_t m_bytes_written = 0;
  double m_busy_cycles = 0;
};

}  // namespace odimo::hw
