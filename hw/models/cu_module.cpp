#include "hw/models/cu_module.h"

#include <vector>

#include "hw/models/time_base.h"

namespace odimo::hw {

CuModule::CuModule(sc_core::sc_module_name name, const CuModel& unit, DmaEngine* dma, bool double_buffering,
                   TcdmBanks* tcdm, TraceLog* trace)
    : sc_module(name),
      m_unit(unit),
      m_dma(dma),
      m_double_buffering(double_buffering),
      m_tcdm(tcdm),
      m_trace(trace),
      m_track(trace ? trace->track(unit.name()) : 0) {
  SC_HAS_PROCESS(CuModule);
  SC_THREAD(run);
}

void CuModule::start(const JobPlan* plan, const std::string& label, SharedInput* input, bool loader) {
  m_plan = plan;
  m_input = input;
  m_input_loader = loader;
  if (m_trace && m_trace->enabled) {
    m_label = label;
    m_in_label = label + " in";
    m_out_label = label + " out";
  }
  m_start.notify(sc_core::SC_ZERO_TIME);
}

void CuModule::run() {
  for (;;) {
    while (!m_plan) wait(m_start);
    m_stats = CuJobStats{};
    m_stats.start = sc_core::sc_time_stamp();
    if (m_tcdm) m_tcdm->enter(m_unit.tcdm_masters());
    if (m_plan->fixed_cycles > 0) {  // e.g. fork of the cluster cores and the final barrier
      wait(cycles(m_plan->fixed_cycles));
      m_stats.busy += m_plan->fixed_cycles;
      if (m_trace)
        m_trace->add(m_track, m_label + " fork/barrier", to_cycles(m_stats.start), m_plan->fixed_cycles);
    }
    if (!m_dma || !m_plan->uses_dma) {
      for (size_t i = 0; i < m_plan->tiles.size(); ++i) compute(m_plan->tiles[i], i);
    } else if (m_double_buffering) {
      run_double_buffered();
    } else {
      run_single_buffered();
    }
    if (m_tcdm) m_tcdm->leave(m_unit.tcdm_masters());
    m_stats.end = sc_core::sc_time_stamp();
    m_stats.stall = to_cycles(m_stats.end - m_stats.start) - m_stats.busy;
    m_plan = nullptr;
    m_done.notify(sc_core::SC_ZERO_TIME);
  }
}

void CuModule::run_single_buffered() {
  for (size_t i = 0; i < m_plan->tiles.size(); ++i) {
    const Tile& t = m_plan->tiles[i];
    dma_in(t, i, true);
    input_arrived(i);
    await_input(i);
    compute(t, i);
    if (t.out_bytes > 0) m_dma->wait_for(m_dma->submit(t.out_bytes, t.out_transfers, false, &m_out_label));
  }
}

void CuModule::run_double_buffered() {
  const auto& tiles = m_plan->tiles;
  std::vector<uint64_t> in(tiles.size(), 0), out(tiles.size(), 0);
  auto submit_in = [&](size_t i) {
    const int64_t bytes = tiles[i].in_bytes + tiles[i].weight_bytes;
    if (bytes > 0) in[i] = m_dma->submit(bytes, tiles[i].in_transfers, true, &m_in_label);
  };
  submit_in(0);
  for (size_t i = 0; i < tiles.size(); ++i) {
    if (in[i]) m_dma->wait_for(in[i]);
    if (i + 1 < tiles.size()) submit_in(i + 1);             // prefetch into the other buffer
    if (i >= 2 && out[i - 2]) m_dma->wait_for(out[i - 2]);  // its output buffer must be free
    compute(tiles[i], i);
    if (tiles[i].out_bytes > 0)
      out[i] = m_dma->submit(tiles[i].out_bytes, tiles[i].out_transfers, false, &m_out_label);
  }
  m_dma->drain();
}

void CuModule::dma_in(const Tile& t, size_t, bool wait_done) {
  const int64_t bytes = t.in_bytes + t.weight_bytes;
  if (bytes <= 0) return;
  const uint64_t ticket = m_dma->submit(bytes, t.in_transfers, true, &m_in_label);
  if (wait_done) m_dma->wait_for(ticket);
}

void CuModule::input_arrived(size_t tile) {
  if (tile == 0 && m_input && m_input_loader) {
    m_input->loaded = true;
    m_input->ready.notify(sc_core::SC_ZERO_TIME);
  }
}

void CuModule::await_input(size_t tile) {
  if (tile == 0 && m_input && !m_input_loader)
    while (!m_input->loaded) wait(m_input->ready);  // stall: counted as end - start - busy
}

void CuModule::compute(const Tile& t, size_t) {
  if (t.program_cycles > 0) {
    if (m_trace && m_trace->enabled)
      m_trace->add(m_track, m_label + " program weights", now_cycles(), t.program_cycles);
    wait(cycles(t.program_cycles));
    m_stats.busy += t.program_cycles;
  }
  for (const Phase& p : t.phases) {
    const double spa =
        m_tcdm ? m_tcdm->stall_per_access(m_unit.tcdm_masters(), m_unit.tcdm_internal_masters()) : 0;
    const double conflict = p.tcdm_accesses * spa;
    const double d = p.cycles + conflict;
    if (m_trace && m_trace->enabled) m_trace->add(m_track, m_label + " " + p.name, now_cycles(), d);
    wait(cycles(d));
    m_stats.busy += d;
    m_stats.conflict += conflict;
  }
}

}  // namespace odimo::hw
