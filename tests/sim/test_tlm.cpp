// The TLM-2.0 contract between the DMA channels and L2, on the bare models (no
// Simulator): the target's checks of the generic payload, and the initiator's
// check of the response. One elaboration per TEST_CASE (one process each).
#include <doctest/doctest.h>

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>
#include <systemc>
#include <tlm>

#include <string>
#include <vector>

#include "hw/models/dma_engine.h"
#include "hw/models/l2_memory.h"
#include "hw/models/time_base.h"

using odimo::DmaChannel;
using odimo::hw::DmaEngine;
using odimo::hw::L2Memory;
using odimo::hw::TraceLog;

namespace {

// Sends one payload per case from its thread and records the response status.
class ProbeInitiator : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<ProbeInitiator> m_socket{"socket"};
  std::vector<tlm::tlm_response_status> m_status;
  std::vector<unsigned char> m_data = std::vector<unsigned char>(64, 0xab);
  unsigned char m_byte_enable[64] = {};

  SC_HAS_PROCESS(ProbeInitiator);
  explicit ProbeInitiator(sc_core::sc_module_name name) : sc_module(name) { SC_THREAD(run); }

  tlm::tlm_response_status send(tlm::tlm_command command, uint64_t address, unsigned length,
                                unsigned char* data, unsigned width, unsigned char* byte_enable) {
    tlm::tlm_generic_payload t;
    t.set_command(command);
    t.set_address(address);
    t.set_data_ptr(data);
    t.set_data_length(length);
    t.set_streaming_width(width);
    t.set_byte_enable_ptr(byte_enable);
    t.set_byte_enable_length(byte_enable ? length : 0);
    t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    m_socket->b_transport(t, delay);
    return t.get_response_status();
  }
  void run() {
    unsigned char* d = m_data.data();
    m_status.push_back(send(tlm::TLM_READ_COMMAND, 0, 64, d, 64, nullptr));         // fine: 0..63
    m_status.push_back(send(tlm::TLM_WRITE_COMMAND, 960, 64, d, 64, nullptr));      // fine: the last 64 bytes
    m_status.push_back(send(tlm::TLM_IGNORE_COMMAND, 0, 64, d, 64, nullptr));       // command
    m_status.push_back(send(tlm::TLM_READ_COMMAND, 961, 64, d, 64, nullptr));       // one byte past the end
    m_status.push_back(send(tlm::TLM_READ_COMMAND, 0, 64, d, 64, m_byte_enable));   // byte enables
    m_status.push_back(send(tlm::TLM_READ_COMMAND, 0, 64, d, 4, nullptr));          // streaming
    m_status.push_back(send(tlm::TLM_WRITE_COMMAND, 0, 64, nullptr, 64, nullptr));  // no data
  }
};

// Submits one transfer to a DMA channel from a thread.
class TransferSource : public sc_core::sc_module {
 public:
  DmaEngine* m_dma;
  int64_t m_bytes;
  SC_HAS_PROCESS(TransferSource);
  TransferSource(sc_core::sc_module_name name, DmaEngine* dma, int64_t bytes)
      : sc_module(name), m_dma(dma), m_bytes(bytes) {
    SC_THREAD(run);
  }
  void run() { m_dma->wait_for(m_dma->submit(m_bytes, 1, true, nullptr)); }
};

}  // namespace

TEST_CASE("L2 answers a malformed generic payload with the matching TLM error and counts only good ones") {
  L2Memory l2("l2", 1024, 8);
  ProbeInitiator probe("probe");
  probe.m_socket.bind(l2.m_socket);
  sc_core::sc_start();
  const std::vector<tlm::tlm_response_status> expected = {tlm::TLM_OK_RESPONSE,
                                                          tlm::TLM_OK_RESPONSE,
                                                          tlm::TLM_COMMAND_ERROR_RESPONSE,
                                                          tlm::TLM_ADDRESS_ERROR_RESPONSE,
                                                          tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE,
                                                          tlm::TLM_BURST_ERROR_RESPONSE,
                                                          tlm::TLM_GENERIC_ERROR_RESPONSE};
  CHECK(probe.m_status == expected);
  CHECK(l2.bytes_read() == 64);
  CHECK(l2.bytes_written() == 64);
  CHECK(l2.busy_cycles() == 16);  // 2 x 64 B at 8 B/cycle
  CHECK(probe.m_data[0] == 0);    // no values stored: reads return zeros
}

TEST_CASE("a DMA transfer the L2 refuses stops the simulation with the response named") {
  L2Memory l2("l2", 256, 8);  // smaller than one 512-byte burst
  TraceLog trace;
  DmaChannel c;
  c.bytes_per_cycle = 8;
  c.burst_bytes = 512;
  DmaEngine dma("dma", c, &trace, 0);
  dma.m_socket.bind(l2.m_socket);
  TransferSource source("source", &dma, 512);
  std::string what;
  try {
    sc_core::sc_start();
  } catch (const std::exception& e) {
    what = e.what();
  }
  CHECK(what.find("dma: L2 answered TLM_ADDRESS_ERROR_RESPONSE to a 512-byte read") != std::string::npos);
  CHECK(l2.bytes_read() == 0);
}

TEST_CASE("a DMA transfer is split into bursts and ends synchronised with SystemC time") {
  L2Memory l2("l2", 1 << 20, 8);
  TraceLog trace;
  DmaChannel p;
  p.bytes_per_cycle = 8;
  p.setup_cycles = 10;
  p.burst_bytes = 512;
  p.first_word_latency_cycles = 5;
  p.sync_quantum_cycles = 256;
  DmaEngine dma("dma", p, &trace, 0);
  dma.m_socket.bind(l2.m_socket);
  TransferSource source("source", &dma, 4000);  // 7 bursts of 512 B + 416 B
  sc_core::sc_start();
  CHECK(tlm_utils::tlm_quantumkeeper::get_global_quantum() == odimo::hw::cycles(256));
  CHECK(l2.bytes_read() == 4000);
  CHECK(odimo::hw::now_cycles() == 10 + 5 + 500);  // setup + latency + 4000 B at 8 B/cycle
}

namespace {

// Sends one single burst, then a train behind it, at time 0.
class TrainInitiator : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<TrainInitiator> m_socket{"socket"};
  std::vector<unsigned char> m_data = std::vector<unsigned char>(4000, 0xab);
  odimo::hw::BurstTrain m_train;
  tlm::tlm_response_status m_status = tlm::TLM_INCOMPLETE_RESPONSE;

  SC_HAS_PROCESS(TrainInitiator);
  explicit TrainInitiator(sc_core::sc_module_name name) : sc_module(name) { SC_THREAD(run); }

  void send(unsigned length, unsigned width, odimo::hw::BurstTrain* train) {
    tlm::tlm_generic_payload t;
    t.set_command(tlm::TLM_READ_COMMAND);
    t.set_address(0);
    t.set_data_ptr(m_data.data());
    t.set_data_length(length);
    t.set_streaming_width(width);
    t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    if (train) t.set_extension(train);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    m_socket->b_transport(t, delay);
    if (train) t.clear_extension(train);
    m_status = t.get_response_status();
  }
  void run() {
    send(512, 512, nullptr);  // holds the port for cycles 0..64
    m_train.channel_bytes_per_cycle = 4;
    m_train.issue_before =
        odimo::hw::cycles(300);  // zero quantum, sync point 0: a sync due after every burst
    send(4000, 512, &m_train);
  }
};

}  // namespace

TEST_CASE("a burst train reserves the port burst by burst and stops where a sync is due at its bound") {
  L2Memory l2("l2", 1024, 8);  // smaller than the train: its bursts share one 512-byte range
  TrainInitiator probe("probe");
  probe.m_socket.bind(l2.m_socket);
  sc_core::sc_start();
  // Bursts of 64 port cycles and 128 channel cycles: issued at 0 (waits for the port
  // until 64), 128, 256; the next would be issued at 384 >= 300.
  CHECK(probe.m_status == tlm::TLM_OK_RESPONSE);
  CHECK(probe.m_train.served_bytes == 3 * 512);
  CHECK(probe.m_train.next_issue == odimo::hw::cycles(384));
  CHECK(probe.m_train.sync_due);
  CHECK(l2.bytes_read() == 512 + 3 * 512);
  CHECK(l2.busy_cycles() == 4 * 64);
  CHECK(probe.m_data[0] == 0);
}
