#include "hw/models/dma_engine.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace odimo::hw {

using sc_core::sc_time;

namespace {
// Bursts per train at most: bounds the data buffer (32 KiB with 512-byte bursts).
constexpr int kTrainBursts = 64;
}  // namespace

DmaEngine::DmaEngine(sc_core::sc_module_name name, const DmaChannel& channel, TraceLog* trace, int track)
    : sc_module(name),
      m_socket("socket"),
      m_channel(channel),
      m_trace(trace),
      m_track(track),
      m_burst_data(size_t(std::max(1, channel.burst_bytes)) *
                   (channel.sync_quantum_cycles > 0 ? 1 : kTrainBursts)) {
  tlm_utils::tlm_quantumkeeper::set_global_quantum(cycles(channel.sync_quantum_cycles));
  m_train.channel_bytes_per_cycle = channel.bytes_per_cycle;
  SC_HAS_PROCESS(DmaEngine);
  SC_THREAD(serve);
}

uint64_t DmaEngine::submit(int64_t bytes, int calls, bool to_l1, const std::string* label) {
  m_queue.push_back(
      {bytes, std::max(calls, 1), to_l1, label && m_trace && m_trace->enabled ? *label : std::string()});
  m_request.notify(sc_core::SC_ZERO_TIME);
  return ++m_submitted;
}

void DmaEngine::wait_for(uint64_t ticket) {
  while (m_completed < ticket) wait(m_done);
}

void DmaEngine::serve() {
  for (;;) {
    while (m_queue.empty()) wait(m_request);
    const Request r = m_queue.front();
    m_queue.pop_front();
    const double start = now_cycles();
    wait(cycles(double(r.calls) * m_channel.setup_cycles + m_channel.first_word_latency_cycles));
    if (m_channel.sync_quantum_cycles > 0)
      transfer_decoupled(r);
    else
      transfer_in_trains(r);
    const double end = now_cycles();
    if (m_trace) m_trace->add(m_track, r.label, start, end - start);
    ++m_completed;
    m_done.notify(sc_core::SC_ZERO_TIME);
  }
}

// Bursts go through the shared L2 port one by one, ahead of SystemC time until the
// quantum keeper asks for a sync (skipped when nothing else could run before the
// channel's local time); the transfer ends synchronised.
void DmaEngine::transfer_decoupled(const Request& r) {
  m_quantum_keeper.reset();
  for (int64_t done = 0; done < r.bytes;) {
    const int64_t burst = std::min<int64_t>(int64_t(m_burst_data.size()), r.bytes - done);
    transport_burst(r.to_l1, unsigned(burst));
    done += burst;
    if (done >= r.bytes)
      m_quantum_keeper.sync();
    else if (m_quantum_keeper.need_sync())
      m_quantum_keeper.sync_if_observed();
  }
}

// A zero quantum: the channel synchronises after every burst, unless nothing else
// could run before its next issue (ChannelQuantumKeeper::sync_if_observed). The
// bursts up to that point are one train; the port stops it at the bound.
void DmaEngine::transfer_in_trains(const Request& r) {
  for (int64_t done = 0; done < r.bytes;) {
    const sc_time now = sc_core::sc_time_stamp();
    const sc_time alone_until =
        sc_core::sc_pending_activity_at_current_time() ? now : now + sc_core::sc_time_to_pending_activity();
    sc_time issue = now;
    do {
      done += transport_train(r.to_l1, r.bytes - done, issue, alone_until);
    } while (done < r.bytes && issue < alone_until);
    wait(issue - now);
  }
}

void DmaEngine::transport_burst(bool to_l1, unsigned bytes) {
  tlm::tlm_generic_payload& t = m_trans;
  t.set_command(to_l1 ? tlm::TLM_READ_COMMAND : tlm::TLM_WRITE_COMMAND);
  t.set_address(0);  // which L2 bytes is not modelled, only how many
  t.set_data_ptr(m_burst_data.data());
  t.set_data_length(bytes);
  t.set_streaming_width(bytes);
  t.set_byte_enable_ptr(nullptr);
  t.set_dmi_allowed(false);
  t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  const sc_time local = m_quantum_keeper.get_local_time();
  const sc_time at_channel_rate = cycles(std::ceil(double(bytes) / m_channel.bytes_per_cycle));
  sc_time delay = local;
  m_socket->b_transport(t, delay);  // returns when the burst is done, relative to SystemC time
  check_response(to_l1);
  m_quantum_keeper.set(std::max(delay, local + at_channel_rate));  // port or channel: the slower
}

int64_t DmaEngine::transport_train(bool to_l1, int64_t bytes, sc_time& issue, const sc_time& issue_before) {
  tlm::tlm_generic_payload& t = m_trans;
  const int64_t length = std::min<int64_t>(bytes, int64_t(m_burst_data.size()));
  t.set_command(to_l1 ? tlm::TLM_READ_COMMAND : tlm::TLM_WRITE_COMMAND);
  t.set_address(0);
  t.set_data_ptr(m_burst_data.data());
  t.set_data_length(unsigned(length));
  t.set_streaming_width(unsigned(std::max(1, m_channel.burst_bytes)));  // every burst: the same range
  t.set_byte_enable_ptr(nullptr);
  t.set_dmi_allowed(false);
  t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  m_train.issue_before = issue_before;
  m_train.served_bytes = 0;
  t.set_extension(&m_train);
  sc_time delay = issue - sc_core::sc_time_stamp();
  m_socket->b_transport(t, delay);
  t.clear_extension(&m_train);
  check_response(to_l1);
  issue = m_train.next_issue;
  return int64_t(m_train.served_bytes);
}

void DmaEngine::check_response(bool to_l1) {
  const tlm::tlm_generic_payload& t = m_trans;
  if (!t.is_response_error()) return;
  std::ostringstream what;
  what << name() << ": L2 answered " << t.get_response_string() << " to a " << t.get_data_length() << "-byte "
       << (to_l1 ? "read" : "write");
  SC_REPORT_ERROR("odimo/dma", what.str().c_str());
}

}  // namespace odimo::hw
