#include "hw/models/l2_memory.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "hw/models/time_base.h"

namespace odimo::hw {

using sc_core::sc_time;

L2Memory::L2Memory(sc_core::sc_module_name name, int64_t size_bytes, double bytes_per_cycle)
    : sc_module(name), m_socket("socket"), m_size_bytes(size_bytes), m_bytes_per_cycle(bytes_per_cycle) {
  m_socket.register_b_transport(this, &L2Memory::b_transport);
}

tlm::tlm_response_status L2Memory::check(const tlm::tlm_generic_payload& trans) const {
  if (!trans.is_read() && !trans.is_write()) return tlm::TLM_COMMAND_ERROR_RESPONSE;
  const uint64_t length = trans.get_data_length();
  if (trans.get_address() > uint64_t(m_size_bytes) || length > uint64_t(m_size_bytes) - trans.get_address())
    return tlm::TLM_ADDRESS_ERROR_RESPONSE;
  if (trans.get_byte_enable_ptr()) return tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE;
  if (trans.get_streaming_width() < length) return tlm::TLM_BURST_ERROR_RESPONSE;
  if (length > 0 && !trans.get_data_ptr()) return tlm::TLM_GENERIC_ERROR_RESPONSE;
  return tlm::TLM_OK_RESPONSE;
}

void L2Memory::b_transport(int, tlm::tlm_generic_payload& trans, sc_time& delay) {
  trans.set_dmi_allowed(false);
  const tlm::tlm_response_status status = check(trans);
  if (status != tlm::TLM_OK_RESPONSE) {
    trans.set_response_status(status);
    return;
  }
  const unsigned length = trans.get_data_length();
  const sc_time arrival = sc_core::sc_time_stamp() + delay;
  const sc_time start = std::max(arrival, m_port_free_at);
  const sc_time occupied = cycles(std::ceil(double(length) / m_bytes_per_cycle));
  m_port_free_at = start + occupied;
  m_busy_cycles += to_cycles(occupied);
  if (trans.is_read()) {
    if (length > 0) std::memset(trans.get_data_ptr(), 0, length);
    m_bytes_read += length;
  } else {
    m_bytes_written += length;
  }
  delay = m_port_free_at - sc_core::sc_time_stamp();  // first-word latency: once per transfer, by the DMA
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace odimo::hw
