#include "hw/models/l2_memory.h"

#include "hw/models/time_base.h"

#include <algorithm>
#include <cmath>

namespace odimo::hw {

using sc_core::SC_NS;
using sc_core::sc_time;

L2Memory::L2Memory(sc_core::sc_module_name name, double bytes_per_cycle, int latency_cycles)
    : sc_module(name),
      socket("socket"),
      m_bytes_per_cycle(bytes_per_cycle),
      m_latency(double(latency_cycles), SC_NS) {
  socket.register_b_transport(this, &L2Memory::b_transport);
}

void L2Memory::b_transport(int, tlm::tlm_generic_payload& trans, sc_time& delay) {
  // No data is stored: the virtual SoC models time and traffic, not values.
  const double bytes = trans.get_data_length();
  const sc_time arrival = sc_core::sc_time_stamp() + delay;
  const sc_time start = std::max(arrival, m_port_free_at);
  const sc_time occupied = cycles(std::ceil(bytes / m_bytes_per_cycle));
  m_port_free_at = start + occupied;
  m_busy_cycles += to_cycles(occupied);
  if (trans.is_read())
    m_bytes_read += int64_t(bytes);
  else
    m_bytes_written += int64_t(bytes);
  delay = m_port_free_at - sc_core::sc_time_stamp();  // first-word latency: once per transfer, by the DMA
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace odimo::hw
