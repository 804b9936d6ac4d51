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

uint64_t DmaEngine::submit(int64_t bytes, int calls, bool to_l1, const std::string& label) {
  m_queue.push_back({bytes, std::max(calls, 1), to_l1, label});
  m_request.notify(sc_core::SC_ZERO_TIME);
  return ++m_submitted;
}

void DmaEngine::wait_for(uint64_t ticket) {
  while (m_completed < ticket) wait(m_done);
}

void DmaEngine::serve() {
  tlm::tlm_generic_payload trans;
  for (;;) {
    while (m_queue.empty()) wait(m_request);
    const Request r = m_queue.front();
    m_queue.pop_front();
    const double start = now_cycles();
    wait(cycles(double(r.calls) * m_params.setup_cycles));
    for (int64_t done = 0; done < r.bytes;) {
      const int64_t burst = std::min<int64_t>(m_params.burst_bytes, r.bytes - done);
      trans.set_command(r.to_l1 ? tlm::TLM_READ_COMMAND : tlm::TLM_WRITE_COMMAND);
      trans.set_address(0);
      trans.set_data_ptr(m_scratch);
      trans.set_data_length(unsigned(burst));
      trans.set_streaming_width(unsigned(burst));
      trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
      // the channel itself can be slower than the L2 port
      sc_time delay = cycles(std::ceil(double(burst) / m_params.bytes_per_cycle));
      sc_time channel = delay;
      delay = sc_core::SC_ZERO_TIME;
      socket->b_transport(trans, delay);
      wait(std::max(delay, channel));
      done += burst;
    }
    const double end = now_cycles();
    if (m_trace) m_trace->add(m_track, r.label, start, end - start);
    ++m_completed;
    m_done.notify(sc_core::SC_ZERO_TIME);
  }
}

}  // namespace odimo::hw
