#include "hw/models/dma_engine.h"

#include <algorithm>
#include <cmath>

namespace odimo::hw {

using sc_core::sc_time;

DmaEngine::DmaEngine(sc_core::sc_module_name name, const DmaParams& params, TraceLog* trace, int track)
    : sc_module(name), socket("socket"), m_params(params), m_trace(trace), m_track(track) {
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
  // a member, not a local: this thread never returns, so its locals are never destroyed
  tlm::tlm_generic_payload& trans = m_trans;
  trans.set_address(0);
  trans.set_data_ptr(m_scratch);
  const sc_time quantum = cycles(m_params.sync_quantum_cycles);
  for (;;) {
    while (m_queue.empty()) wait(m_request);
    const Request r = m_queue.front();
    m_queue.pop_front();
    const double start = now_cycles();
    wait(cycles(double(r.calls) * m_params.setup_cycles + m_params.first_word_latency_cycles));
    // Bursts go through the shared L2 port one by one; `ahead` is how far this
    // channel runs ahead of SystemC time (loosely-timed temporal decoupling).
    sc_time ahead = sc_core::SC_ZERO_TIME;
    for (int64_t done = 0; done < r.bytes;) {
      const int64_t burst = std::min<int64_t>(m_params.burst_bytes, r.bytes - done);
      trans.set_command(r.to_l1 ? tlm::TLM_READ_COMMAND : tlm::TLM_WRITE_COMMAND);
      trans.set_data_length(unsigned(burst));
      trans.set_streaming_width(unsigned(burst));
      trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
      const sc_time channel = cycles(std::ceil(double(burst) / m_params.bytes_per_cycle));  // channel limit
      sc_time delay = ahead;
      socket->b_transport(trans, delay);  // returns when the burst is done, relative to now
      ahead = std::max(delay, ahead + channel);
      done += burst;
      if (ahead > quantum || done >= r.bytes) {
        wait(ahead);
        ahead = sc_core::SC_ZERO_TIME;
      }
    }
    const double end = now_cycles();
    if (m_trace) m_trace->add(m_track, r.label, start, end - start);
    ++m_completed;
    m_done.notify(sc_core::SC_ZERO_TIME);
  }
}

}  // namespace odimo::hw
