#include "hw/models/dma_engine.h"

#include <tlm_utils/tlm_quantumkeeper.h>

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
      m_burst_data(size_t(std::max(1, channel.burst_bytes)) * kTrainBursts) {
  tlm_utils::tlm_quantumkeeper::set_global_quantum(cycles(channel.sync_quantum_cycles));
  m_quantum = tlm_utils::tlm_quantumkeeper::get_global_quantum();
  m_train.channel_bytes_per_cycle = channel.bytes_per_cycle;
  m_train.quantum = m_quantum;
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
    transfer(r);
    const double end = now_cycles();
    if (m_trace) m_trace->add(m_track, r.label, start, end - start);
    ++m_completed;
    m_done.notify(sc_core::SC_ZERO_TIME);
  }
}

// From a synchronisation, nothing else can run before the next pending activity
// (none if something is pending now): trains up to the first synchronisation due at
// or after it, then that synchronisation; the transfer ends synchronised.
void DmaEngine::transfer(const Request& r) {
  for (int64_t done = 0; done < r.bytes;) {
    const sc_time now = sc_core::sc_time_stamp();
    m_train.issue_before =
        sc_core::sc_pending_activity_at_current_time() ? now : now + sc_core::sc_time_to_pending_activity();
    m_train.sync_point = now + m_quantum;
    sc_time issue = now;
    do {
      done += transport_train(r.to_l1, r.bytes - done, issue);
    } while (done < r.bytes && !m_train.sync_due);
    wait(issue - now);
  }
}

int64_t DmaEngine::transport_train(bool to_l1, int64_t bytes, sc_time& issue) {
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
  m_train.served_bytes = 0;
  m_train.sync_due = false;
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
