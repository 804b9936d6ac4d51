#pragma once
// L2 main memory as a loosely-timed TLM-2.0 target with ONE shared port.
// Every DMA burst reserves the port first-come first-served: the port is busy
// for bytes / bandwidth cycles, so bursts of CUs running in parallel queue up
// behind each other (the contention the first-order formulas leave out).
// Time base: 1 cycle = 1 ns of SystemC time.
//
// The generic payload is checked as a TLM-2.0 target must: read or write only,
// inside [0, size_bytes), no byte enables, streaming width >= length (a train:
// the burst size, at least 1), a data pointer; anything else gets the matching
// error response and is not counted.
// No values are stored: a read returns zeros, a write is dropped. No DMI, no debug transport.
//
// A payload with a BurstTrain extension (hw/models/burst_train.h) is a train of
// bursts of one DMA channel, streaming width = burst size: each burst reserves the
// port as a single-burst transaction would.
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <systemc>
#include <tlm>

#include <cstdint>

#include "hw/models/burst_train.h"

namespace odimo::hw {

class L2Memory : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<L2Memory> m_socket;

  // `size_bytes`: address range; `bytes_per_cycle`: port bandwidth. The first-word
  // latency is paid once per transfer by the DMA (bursts are pipelined).
  L2Memory(sc_core::sc_module_name name, int64_t size_bytes, double bytes_per_cycle);

  int64_t bytes_read() const { return m_bytes_read; }
  int64_t bytes_written() const { return m_bytes_written; }
  double busy_cycles() const { return m_busy_cycles; }  // port occupied (cycles)

 private:
  void b_transport(int initiator, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  tlm::tlm_response_status check(const tlm::tlm_generic_payload& trans, bool train) const;
  // One burst of `length` bytes arriving at `arrival`: reserves the port, counts it;
  // returns when it leaves the port.
  sc_core::sc_time reserve(const sc_core::sc_time& arrival, unsigned length, bool read);
  sc_core::sc_time reserve(const sc_core::sc_time& arrival, unsigned length, bool read,
                           const sc_core::sc_time& occupied);
  void serve_train(tlm::tlm_generic_payload& trans, BurstTrain& train, sc_core::sc_time issue);

  int64_t m_size_bytes;
  double m_bytes_per_cycle;
  sc_core::sc_time m_port_free_at;  // when the port can start the next burst
  int64_t m_bytes_read = 0;
  int64_t m_bytes_written = 0;
  double m_busy_cycles = 0;
  unsigned m_last_length = 0;        // the last single burst's length ...
  sc_core::sc_time m_last_occupied;  // ... and its port time (bursts mostly share one size)
};

}  // namespace odimo::hw
