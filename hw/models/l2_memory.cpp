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

tlm::tlm_response_status L2Memory::check(const tlm::tlm_generic_payload& trans, bool train) const {
  if (!trans.is_read() && !trans.is_write()) return tlm::TLM_COMMAND_ERROR_RESPONSE;
  const uint64_t length = trans.get_data_length();
  const uint64_t width = trans.get_streaming_width();
  const uint64_t span = train ? std::min(length, width) : length;  // a train's bursts share one range
  if (trans.get_address() > uint64_t(m_size_bytes) || span > uint64_t(m_size_bytes) - trans.get_address())
    return tlm::TLM_ADDRESS_ERROR_RESPONSE;
  if (trans.get_byte_enable_ptr()) return tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE;
  if (train ? width == 0 : width < length) return tlm::TLM_BURST_ERROR_RESPONSE;
  if (length > 0 && !trans.get_data_ptr()) return tlm::TLM_GENERIC_ERROR_RESPONSE;
  return tlm::TLM_OK_RESPONSE;
}

sc_time L2Memory::reserve(const sc_time& arrival, unsigned length, bool read) {
  if (length != m_last_length) {  // (0 bytes: 0 cycles, the initial value)
    m_last_length = length;
    m_last_occupied = cycles(std::ceil(double(length) / m_bytes_per_cycle));
  }
  return reserve(arrival, length, read, m_last_occupied);
}

sc_time L2Memory::reserve(const sc_time& arrival, unsigned length, bool read, const sc_time& occupied) {
  const sc_time start = std::max(arrival, m_port_free_at);
  m_port_free_at = start + occupied;
  m_busy_cycles += to_cycles(occupied);
  (read ? m_bytes_read : m_bytes_written) += length;
  return m_port_free_at;
}

// The bursts of a train, each issued when the previous one has left the port and the
// channel's rate allows, until the data ends or the channel must synchronise.
void L2Memory::serve_train(tlm::tlm_generic_payload& trans, BurstTrain& train, sc_time issue) {
  const uint64_t length = trans.get_data_length();
  const unsigned burst = trans.get_streaming_width();
  const bool read = trans.is_read();
  // A full burst's port and channel times, as reserve() and the channel compute them.
  const sc_time burst_occupies = cycles(std::ceil(double(burst) / m_bytes_per_cycle));
  const sc_time burst_channel = cycles(std::ceil(double(burst) / train.channel_bytes_per_cycle));
  uint64_t served = 0;
  while (served < length) {
    const unsigned bytes = unsigned(std::min<uint64_t>(burst, length - served));
    const bool full = bytes == burst;
    const sc_time end = full ? reserve(issue, bytes, read, burst_occupies) : reserve(issue, bytes, read);
    served += bytes;
    issue = std::max(end, issue + (full ? burst_channel
                                        : cycles(std::ceil(double(bytes) / train.channel_bytes_per_cycle))));
    if (issue > train.sync_point) {  // the channel is more than a quantum ahead
      if (issue >= train.issue_before) {
        train.sync_due = true;
        break;
      }
      train.sync_point = issue + train.quantum;
    }
  }
  if (read && served > 0) std::memset(trans.get_data_ptr(), 0, served);
  train.served_bytes = served;
  train.next_issue = issue;
}

void L2Memory::b_transport(int, tlm::tlm_generic_payload& trans, sc_time& delay) {
  trans.set_dmi_allowed(false);
  BurstTrain* train = trans.get_extension<BurstTrain>();
  const tlm::tlm_response_status status = check(trans, train != nullptr);
  if (status != tlm::TLM_OK_RESPONSE) {
    trans.set_response_status(status);
    return;
  }
  const sc_time arrival = sc_core::sc_time_stamp() + delay;
  if (train) {
    serve_train(trans, *train, arrival);
  } else {
    const unsigned length = trans.get_data_length();
    reserve(arrival, length, trans.is_read());
    if (trans.is_read() && length > 0) std::memset(trans.get_data_ptr(), 0, length);
  }
  delay = m_port_free_at - sc_core::sc_time_stamp();  // first-word latency: once per transfer, by the DMA
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace odimo::hw
