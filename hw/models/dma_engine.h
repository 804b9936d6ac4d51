#pragma once
// One DMA channel between L2 and a CU's L1 (a TLM-2.0 initiator). Requests are
// served in order by one thread: each transfer call pays the setup cost (not
// holding the L2 port), then the bytes go as bursts of at most `burst_bytes`,
// each a blocking transport through the shared L2 port. Loosely timed with
// temporal decoupling: a tlm_quantumkeeper lets the channel run ahead of
// SystemC time by up to Dma.sync_quantum_cycles between synchronisations.
// A synchronisation that nothing else could observe is skipped (see
// ChannelQuantumKeeper::sync_if_observed), so the contention and the cycles
// stay those of a channel that synchronises after every quantum. With a zero
// quantum (a sync after every burst), the bursts the channel issues before any
// other process can run go as one transaction, a train (hw/models/burst_train.h),
// whose bursts the port serves one by one: the same reservations, fewer calls.
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>
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

// The channel's quantum keeper: the stock tlm_quantumkeeper with a local
// quantum that runs from the last synchronisation (the stock one ends at the
// next multiple of the global quantum, shared by all initiators) and a sync
// once the channel is *more* than the quantum ahead (the stock one: as soon as
// it is exactly that far). Both keep the cycles of the hand-written decoupling
// this replaced; the stock rules move Darkside's L2-port interleaving (the
// golden mobilenet-darkside-split by +0.35% cycles) and its calibration.
class ChannelQuantumKeeper : public tlm_utils::tlm_quantumkeeper {
 public:
  bool need_sync() const override { return get_current_time() > m_next_sync_point; }

  // A due synchronisation lets the other processes run up to this channel's local time.
  // When none of them has anything to do before then (nothing pending at the current
  // time, the next timed event strictly later than the local time), no one could touch
  // the L2 port in between: the sync would only move SystemC time. The channel then
  // starts its next quantum where it stands and keeps running ahead; the same bursts
  // reach the port at the same times as with the sync. Returns whether it synchronised.
  bool sync_if_observed() {
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    if (!sc_core::sc_pending_activity_at_current_time() &&
        get_current_time() < now + sc_core::sc_time_to_pending_activity()) {
      m_next_sync_point = get_current_time() + compute_local_quantum();
      return false;
    }
    sync();
    return true;
  }

 protected:
  sc_core::sc_time compute_local_quantum() override { return get_global_quantum(); }
};

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
  void transfer_decoupled(const Request& r);         // a burst per transaction, quantum keeper
  void transfer_in_trains(const Request& r);         // zero quantum: trains of bursts
  void transport_burst(bool to_l1, unsigned bytes);  // one b_transport; advances the local time
  // One train of `bytes` from `issue` (absolute); none of its bursts issued at or after
  // `issue_before`. Returns the bytes served; `issue` becomes the next issue time.
  int64_t transport_train(bool to_l1, int64_t bytes, sc_core::sc_time& issue,
                          const sc_core::sc_time& issue_before);
  void check_response(bool to_l1);

  DmaChannel m_channel;
  TraceLog* m_trace;
  int m_track;
  std::deque<Request> m_queue;
  uint64_t m_submitted = 0;
  uint64_t m_completed = 0;
  sc_core::sc_event m_request;
  sc_core::sc_event m_done;
  ChannelQuantumKeeper m_quantum_keeper;
  tlm::tlm_generic_payload m_trans;
  BurstTrain m_train;
  std::vector<unsigned char>
      m_burst_data;  // burst_bytes (a train: kTrainBursts of them): what L2 reads into / writes from
};

}  // namespace odimo::hw
