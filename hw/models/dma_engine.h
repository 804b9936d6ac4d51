#pragma once
// One DMA channel between L2 and a CU's L1 (a TLM-2.0 initiator). Requests are
// served in order by one thread: each transfer call pays the setup cost (not
// holding the L2 port), then the bytes go as bursts of at most `burst_bytes`,
// each reserving the shared L2 port. Loosely timed with temporal decoupling: the
// channel runs ahead of SystemC time and synchronises once it is more than the
// global TLM quantum (Dma.sync_quantum_cycles) ahead of its last synchronisation,
// counted from that synchronisation (not from multiples of the quantum as the
// stock tlm_quantumkeeper does: the stock rule moves Darkside's L2-port
// interleaving, the golden mobilenet-darkside-split by +0.35% cycles). A due
// synchronisation that no other process could observe (nothing pending before the
// channel's local time) is skipped: the channel starts its next quantum where it
// stands. The bursts between two synchronisations go to L2 as one transaction, a
// train (hw/models/burst_train.h), whose bursts the port serves one by one: the
// same reservations and cycles as a transaction per burst, fewer calls.
#include <tlm_utils/simple_initiator_socket.h>
#include <systemc>
#include <tlm>

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "hw/dma_channel.h"
#include "hw/models/burst_train.h"
#include "hw/models/time_base.h"
#include "hw/models/trace_log.h"

namespace odimo::hw {

class DmaEngine : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<DmaEngine> m_socket;

  // `channel`: bandwidth, setup, burst, latency (hw/dma_channel.h, shared with the cost
  // model). Sets the global TLM quantum to `channel.sync_quantum_cycles` (one value per SoC).
  DmaEngine(sc_core::sc_module_name name, const DmaChannel& channel, TraceLog* trace, int track);

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
  void transfer(const Request& r);
  // One train of at most `bytes` from `issue` (absolute), with m_train's bounds; returns
  // the bytes served; `issue` becomes the next issue time.
  int64_t transport_train(bool to_l1, int64_t bytes, sc_core::sc_time& issue);
  void check_response(bool to_l1);

  DmaChannel m_channel;
  TraceLog* m_trace;
  int m_track;
  std::deque<Request> m_queue;
  uint64_t m_submitted = 0;
  uint64_t m_completed = 0;
  sc_core::sc_event m_request;
  sc_core::sc_event m_done;
  sc_core::sc_time m_quantum;  // the global TLM quantum
  tlm::tlm_generic_payload m_trans;
  BurstTrain m_train;
  std::vector<unsigned char> m_burst_data;  // kTrainBursts bursts: what L2 reads into / writes from
};

}  // namespace odimo::hw
