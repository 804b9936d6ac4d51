#pragma once
// A train of DMA bursts in one TLM-2.0 transaction (an extension of the generic
// payload). The payload is a streaming transaction: its streaming width is the
// burst size, so every burst covers the same address range, and its data length is
// the train's bytes at most (the last burst may be shorter). The L2 port serves the
// bursts one by one exactly as it serves single-burst transactions: each reserves
// the port first-come first-served for its own bytes / port bandwidth; the channel
// issues the next burst once the previous one has left the port and its own rate
// allows (bytes / `channel_bytes_per_cycle` after the previous issue). The first
// burst is issued at the transaction's arrival time (SystemC time + the annotated
// delay).
//
// The train ends where the channel would synchronise: when the next issue passes
// `sync_point` (the channel is more than a quantum ahead), the channel goes on only
// if that issue is before `issue_before` — then `sync_point` moves to the issue +
// `quantum` — and otherwise stops with `sync_due` set. The initiator sets
// `issue_before` no later than the next time any other process can run
// (hw/models/dma_engine.cpp), so no other burst can come between the bursts of a
// train: the port's reservations, busy cycles and byte counts are those of the
// same bursts sent one transaction each with a synchronisation after every quantum.
#include <systemc>
#include <tlm>

#include <cstdint>

namespace odimo::hw {

struct BurstTrain : tlm::tlm_extension<BurstTrain> {
  // Set by the initiator.
  double channel_bytes_per_cycle = 1;  // the channel's own rate (bytes/cycle)
  sc_core::sc_time quantum;            // how far the channel may run ahead of a synchronisation
  sc_core::sc_time issue_before;       // absolute: a synchronisation due at or after it happens
  // Set by the initiator, moved by the target.
  sc_core::sc_time sync_point;  // absolute: an issue after it makes a synchronisation due
  // Set by the target.
  uint64_t served_bytes = 0;    // bytes of the bursts served (a prefix of the data)
  sc_core::sc_time next_issue;  // absolute: when the channel may issue its next burst
  bool sync_due = false;        // the train ended because the channel must synchronise

  tlm::tlm_extension_base* clone() const override { return new BurstTrain(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const BurstTrain&>(other);
  }
};

}  // namespace odimo::hw
