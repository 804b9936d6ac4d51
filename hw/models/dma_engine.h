#pragma once
// One DMA channel between L2 and a CU's L1 (a TLM-2.0 initiator). Requests are
// served in order by one thread: each transfer call pays the setup cost (not
// holding the L2 port), then the bytes go as bursts of at most `burst_bytes`,
// each a blocking transport through the shared L2 port.
#include <tlm_utils/simple_initiator_socket.h>
#include <systemc>
#include <tlm>

#include <cstdint>
#include <deque>
#include <string>

#include "hw/models/time_base.h"
#include "hw/models/trace_log.h"

namespace odimo::hw {

struct DmaParams {
  double bytes_per_cycle = 16;        // channel bandwidth (bytes/cycle)
  int setup_cycles = 0;               // per transfer call (cycles)
  int burst_bytes = 512;              // largest L2-port grant (bytes)
  int first_word_latency_cycles = 0;  // L2 latency, once per transfer (cycles)
  int sync_quantum_cycles = 0;  // temporal decoupling: run ahead of SystemC time at most this long (cycles)
};

class DmaEngine : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<DmaEngine> socket;

  DmaEngine(sc_core::sc_module_name name, const DmaParams& params, TraceLog* trace, int track);

  // Queues a transfer of `bytes` in `calls` DMA calls; returns its ticket.
  // `to_l1`: L2 -> L1 (an L2 read), else L1 -> L2 (an L2 write). `label` names
  // it in the trace (only built when tracing). Call from a thread.
  uint64_t submit(int64_t bytes, int calls, bool to_l1, const std::string* label);
  // Blocks the calling thread until transfer `ticket` (and all before it) finished.
  void wait_for(uint64_t ticket);
  // Blocks until the channel is empty.
  void drain() { wait_for(m_submitted); }

 private:
  struct Request {
    int64_t bytes;
    int calls;
    bool to_l1;
    std::string label;  // empty unless tracing
  };
  void serve();

  DmaParams m_params;
  TraceLog* m_trace;
  int m_track;
  std::deque<Request> m_queue;
  uint64_t m_submitted = 0;
  uint64_t m_completed = 0;
  sc_core::sc_event m_request;
  sc_core::sc_event m_done;
  tlm::tlm_generic_payload m_trans;
  unsigned char m_scratch[8] = {};  // payload data pointer: no values are modelled
};

}  // namespace odimo::hw
