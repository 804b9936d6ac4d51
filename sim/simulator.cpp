#include "sim/simulator.h"

#include <systemc>

#include <cstdlib>
#include <deque>
#include <map>

#include "hw/energy.h"
#include "hw/layer_plan.h"
#include "hw/models/time_base.h"
#include "hw/models/virtual_soc.h"
#include "proto/error.h"

namespace odimo::sim {
namespace {

bool g_elaborated = false;  // SystemC: one elaboration per process

}  // namespace

struct Simulator::Impl {
  SocDescription soc;
  hw::TraceLog trace;
  std::unique_ptr<hw::VirtualSoc> top;
  std::deque<JobPlan> plans;  // stable addresses while the models run them
  std::deque<hw::SharedInput> inputs;

  void link_shared_inputs(const std::vector<int>& waits_for, hw::LayerWork& w);
  std::vector<hw::LayerWork> plan_jobs(const std::vector<Job>& jobs);
  JobResult account(const Job& job, const hw::LayerWork& work, const hw::LayerTiming& t) const;
};

Job make_job(const Layer& layer, const LayerSplit& split) {
  return Job{layer.name, layer, split.shares};
}

Simulator::Simulator(const SocDescription& soc, Options options) {
  if (g_elaborated) throw Error("only one Simulator per process: SystemC allows one elaboration");
  g_elaborated = true;
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);  // keep the banner out of stdout
  if (sc_core::sc_get_time_resolution() != sc_core::sc_time(1, sc_core::SC_PS))
    throw std::logic_error("simulator: SystemC time resolution must be 1 ps (hw/models/time_base.h)");
  m_impl = std::make_unique<Impl>();
  m_impl->soc = soc;
  m_impl->trace.enabled = options.record_trace;
  m_impl->trace.track("host");
  for (const auto& cu : soc.soc.cu()) m_impl->trace.track(cu.name());
  m_impl->top = std::make_unique<hw::VirtualSoc>("soc", m_impl->soc, &m_impl->trace);
}

Simulator::~Simulator() = default;

const SocDescription& Simulator::soc() const {
  return m_impl->soc;
}
const hw::TraceLog& Simulator::trace() const {
  return m_impl->trace;
}
int64_t Simulator::now_cycles() const {
  return llround(hw::now_cycles());
}

// CUs of one job that share an L1 read one copy of the input (the rule of
// hw/layer_plan.h, which the calibrated cost model uses too): the loader's DMA
// brings it in, the others wait on a SharedInput event.
void Simulator::Impl::link_shared_inputs(const std::vector<int>& waits_for, hw::LayerWork& w) {
  std::map<int, hw::SharedInput*> by_loader;
  for (size_t k = 0; k < waits_for.size(); ++k) {
    const int loader = waits_for[k];
    if (loader < 0) continue;
    hw::SharedInput*& in = by_loader[loader];
    if (!in) {
      inputs.emplace_back();
      in = &inputs.back();
      w.shares[loader].input = in;
      w.shares[loader].input_loader = true;
    }
    w.shares[k].input = in;
    w.shares[k].input_loader = false;
  }
}

std::vector<hw::LayerWork> Simulator::Impl::plan_jobs(const std::vector<Job>& jobs) {
  std::vector<hw::LayerWork> works;
  for (const Job& job : jobs) {
    if (job.shares.empty()) throw Error("job '" + job.name + "': no CU computes it");
    LayerPlan lp = plan_layer(soc, job.layer, job.shares, job.name);
    hw::LayerWork w{job.name, {}, off_chip_traffic(soc, job.layer)};
    for (const CuShare& s : job.shares) w.shares.push_back({&top->cu(s.cu), nullptr, nullptr, false});
    link_shared_inputs(lp.waits_for, w);
    for (size_t k = 0; k < lp.plans.size(); ++k) {
      plans.push_back(std::move(lp.plans[k]));
      w.shares[k].plan = &plans.back();
    }
    works.push_back(std::move(w));
  }
  return works;
}

JobResult Simulator::Impl::account(const Job& job, const hw::LayerWork& work,
                                   const hw::LayerTiming& t) const {
  const double mhz = soc.clock_mhz();
  const double length = hw::to_cycles(t.end - t.start);
  JobResult r;
  r.name = job.name;
  r.start_cycle = llround(hw::to_cycles(t.start));
  r.cycles = llround(length);
  r.host_cycles = llround(t.host_cycles);
  r.shared_energy_pj = power_pj(soc.soc.shared_power_mw(), length, mhz);
  r.off_chip_bytes = work.off_chip.in_bytes + work.off_chip.out_bytes;
  r.off_chip_energy_pj = off_chip_pj(soc, work.off_chip.in_bytes, work.off_chip.out_bytes);
  r.energy_pj = r.shared_energy_pj + r.off_chip_energy_pj;
  std::map<std::string, double> busy;
  for (size_t i = 0; i < work.shares.size(); ++i) {
    const JobPlan& plan = *work.shares[i].plan;
    const proto::ComputeUnit& cu = soc.cu(plan.cu);
    const hw::CuJobStats& s = t.cu[i];
    CuResult c;
    c.cu = plan.cu;
    c.channels = job.shares[i].channels;
    c.op = plan.op;
    c.start_cycle = llround(hw::to_cycles(s.start - t.start));
    c.end_cycle = llround(hw::to_cycles(s.end - t.start));
    c.busy_cycles = llround(s.busy);
    c.stall_cycles = llround(s.stall);
    c.bytes_moved = plan.uses_dma ? plan.dma_bytes() : 0;
    c.tiles = int(plan.tiles.size());
    c.weight_loads = plan.weight_loads;
    c.output_unroll = plan.output_unroll;
    c.memory_energy_pj = soc.unit(plan.cu).memory_pj(soc, plan);
    c.energy_pj = cu_power_pj(soc, cu, s.busy, length) + c.memory_energy_pj;
    busy[plan.cu] += s.busy;
    r.stall_cycles += c.stall_cycles;
    r.bytes_moved += c.bytes_moved;
    r.energy_pj += c.energy_pj;
    r.cu.push_back(c);
  }
  for (const auto& cu : soc.soc.cu())  // CUs without a share idle through the job
    if (!busy.count(cu.name())) r.energy_pj += cu_power_pj(soc, cu, 0, length);
  return r;
}

std::vector<JobResult> Simulator::run(const std::vector<Job>& jobs) {
  if (jobs.empty()) return {};
  std::vector<hw::LayerWork> works = m_impl->plan_jobs(jobs);  // all errors before simulating
  for (const auto& w : works) m_impl->top->host().enqueue(w);
  sc_core::sc_start();  // until every job is done (the models starve)
  std::vector<hw::LayerTiming> timings = m_impl->top->host().take_results();
  if (timings.size() != jobs.size()) throw std::logic_error("simulator: jobs did not complete");
  std::vector<JobResult> results;
  for (size_t i = 0; i < jobs.size(); ++i) results.push_back(m_impl->account(jobs[i], works[i], timings[i]));
  m_impl->plans.clear();  // every job is done: the models hold no plan any more
  m_impl->inputs.clear();
  return results;
}

L2Traffic Simulator::l2_traffic() const {
  return {m_impl->top->l2().bytes_read(), m_impl->top->l2().bytes_written()};
}

}  // namespace odimo::sim
