#include "hw/models/dma_engine.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace odimo::hw {

using sc_core::sc_time;

DmaEngine::DmaEngine(sc_core::sc_module_name name, const DmaChannel& channel, TraceLog* trace, int track)
    : sc_module(name),
      m_socket("socket"),
      m_channel(channel),
      m_trace(trace),
      m_track(track),
      m_burst_data(size_t(std::max(1, channel.burst_bytes))) {
  tlm_utils::tlm_quantumkeeper::set_global_quantum(cycles(channel.sync_quantum_cycles));
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
    // Bursts go through the shared L2 port one by one, ahead of SystemC time
    // until the quantum keeper asks for a sync (skipped when nothing else could run
    // before the channel's local time); the transfer ends synchronised.
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
    const double end = now_cycles();
    if (m_trace) m_trace->add(m_track, r.label, start, end - start);
    ++m_completed;
    m_done.notify(sc_core::SC_ZERO_TIME);
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
  if (t.is_response_error()) {
    std::ostringstream what;
    what << name() << ": L2 answered " << t.get_response_string() << " to a " << bytes << "-byte "
         << (to_l1 ? "read" : "write");
    SC_REPORT_ERROR("odimo/dma", what.str().c_str());
  }
  m_quantum_keeper.set(std::max(delay, local + at_channel_rate));  // port or channel: the slower
}

}  // namespace odimo::hw
