#include "hw/models/host_controller.h"

#include "hw/models/time_base.h"

namespace odimo::hw {

HostController::HostController(sc_core::sc_module_name name, const proto::Host& host, TraceLog* trace)
    : sc_module(name), m_host(host), m_trace(trace), m_track(trace ? trace->track("host") : 0) {
  SC_HAS_PROCESS(HostController);
  SC_THREAD(run);
}

void HostController::enqueue(LayerWork work) {
  m_queue.push_back(std::move(work));
  // before the first sc_start() the thread finds the queue at initialization
  if (sc_core::sc_start_of_simulation_invoked()) m_kick.notify(sc_core::SC_ZERO_TIME);
}

std::vector<LayerTiming> HostController::take_results() {
  std::vector<LayerTiming> r;
  r.swap(m_results);
  return r;
}

void HostController::run() {
  for (;;) {
    while (m_queue.empty()) wait(m_kick);
    const LayerWork work = std::move(m_queue.front());
    m_queue.pop_front();
    run_layer(work);
  }
}

void HostController::busy_wait(double c, const char* what, const LayerWork& work, const std::string& cu,
                               LayerTiming* t) {
  if (c <= 0) return;
  if (m_trace && m_trace->enabled)
    m_trace->add(m_track, work.name + " " + what + (cu.empty() ? "" : " " + cu), now_cycles(), c);
  wait(cycles(c));
  t->host_cycles += c;
}

void HostController::run_layer(const LayerWork& work) {
  LayerTiming t;
  t.start = sc_core::sc_time_stamp();
  // input and weights stream in from off-chip, the output back out, beside the CUs
  uint64_t off_chip_done = 0;
  if (m_off_chip && work.off_chip.any()) {
    // off-chip -> L2 is an L2 write (to_l1 = false), L2 -> off-chip an L2 read
    if (work.off_chip.in_bytes > 0)
      off_chip_done = m_off_chip->submit(work.off_chip.in_bytes, 1, false, &m_off_chip_in_label);
    if (work.off_chip.out_bytes > 0)
      off_chip_done = m_off_chip->submit(work.off_chip.out_bytes, 1, true, &m_off_chip_out_label);
  }
  int launched = 0;
  for (const ShareWork& s : work.shares) {  // accelerators first: they run while the host works
    CuModule* cu = s.cu;
    if (cu->unit().is_host()) continue;
    busy_wait(m_host.configure_cycles(), "configure", work, cu->unit().name(), &t);
    busy_wait(m_host.launch_cycles(), "launch", work, cu->unit().name(), &t);
    cu->start(s.plan, work.name, s.input, s.input_loader);
    ++launched;
  }
  for (const ShareWork& s : work.shares)
    if (s.cu->unit().is_host()) s.cu->start(s.plan, work.name);
  for (const ShareWork& s : work.shares) {
    while (s.cu->busy()) wait(s.cu->done_event());
    t.cu.push_back(s.cu->last());
  }
  if (off_chip_done) m_off_chip->wait_for(off_chip_done);
  busy_wait(double(launched) * m_host.sync_cycles(), "completion", work, "", &t);
  t.end = sc_core::sc_time_stamp();
  m_results.push_back(std::move(t));
}

}  // namespace odimo::hw
