// Benchmark (not a test): wall time to simulate ResNet-20 (3x32x32) on the DIANA
// virtual SoC, the ratio simulated time / wall time (aim: >= 1, faster than the
// chip), and the system-level TOP/s/W the model gives next to the chip paper's
// measured 7.02 TOP/s/W on CIFAR-10 (Houshmand et al., JSSC 2023). Not tuned to it;
// hw/README.md explains the gap. Then the shipped ImageNet networks (default
// mapping) in the same process: simulated time / CPU time without process start-up.
//   bench_simulate [repetitions] [soc]   (default 50, diana; another SoC: the ImageNet rows only)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "hw/mapping.h"
#include "sim/network_run.h"
#include "sim/simulator.h"

extern "C" int sc_main(int, char**) {
  return 0;
}

namespace {

struct Row {
  std::string mapping;
  double sim_us = 0;   // simulated latency of one inference (us)
  double wall_us = 0;  // wall time to simulate one inference (us), mean over repetitions
  double cpu_us = 0;   // process CPU time per inference (us): less sensitive to machine load
  double energy_uj = 0;
  double tops_per_w = 0;
};

Row measure(odimo::sim::Simulator& s, const odimo::Network& net, const odimo::ResolvedMapping& m, int reps) {
  Row r;
  r.mapping = m.spec;
  odimo::proto::Report report = odimo::sim::simulate_network(s, net, m, "bench");  // warm-up
  const std::clock_t c0 = std::clock();
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < reps; ++i) report = odimo::sim::simulate_network(s, net, m, "bench");
  const auto t1 = std::chrono::steady_clock::now();
  const std::clock_t c1 = std::clock();
  r.wall_us = std::chrono::duration<double, std::micro>(t1 - t0).count() / reps;
  r.cpu_us = 1e6 * double(c1 - c0) / CLOCKS_PER_SEC / reps;
  r.sim_us = report.total().latency_us();
  r.energy_uj = report.total().energy_uj();
  r.tops_per_w = report.total().tops_per_w();
  return r;
}

// A calibration-style suite: conv layers of several shapes, each on digital, on the
// AIMC and split half/half, all in one run() of the same elaboration.
void layer_suite(odimo::sim::Simulator& s) {
  std::vector<odimo::sim::Job> jobs;
  for (int c : {16, 32, 64, 128})
    for (int k : {16, 32, 64})
      for (int hw : {8, 16, 32})
        for (int kernel : {1, 3}) {
          odimo::proto::Network pn;
          pn.set_name("suite");
          pn.mutable_input()->set_c(c);
          pn.mutable_input()->set_h(hw);
          pn.mutable_input()->set_w(hw);
          auto* l = pn.add_layer();
          l->set_name("c" + std::to_string(c) + "k" + std::to_string(k) + "hw" + std::to_string(hw) + "f" +
                      std::to_string(kernel));
          l->set_op("conv2d");
          l->set_out_channels(k);
          l->set_kernel(kernel);
          l->set_padding(kernel / 2);
          const odimo::Layer layer = odimo::build_network(pn, "suite").layers[0];
          using odimo::CuShare;
          jobs.push_back({layer.name, layer, {CuShare{"digital", k, 0, odimo::Op::kConv2d, ""}}});
          jobs.push_back({layer.name, layer, {CuShare{"aimc", k, 0, odimo::Op::kConv2d, ""}}});
          jobs.push_back({layer.name,
                          layer,
                          {CuShare{"digital", k / 2, 0, odimo::Op::kConv2d, ""},
                           CuShare{"aimc", k - k / 2, k / 2, odimo::Op::kConv2d, ""}}});
        }
  const auto t0 = std::chrono::steady_clock::now();
  const std::vector<odimo::sim::JobResult> r = s.run(jobs);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  int64_t cycles = 0;
  for (const auto& j : r) cycles += j.cycles;
  std::printf(
      "\nlayer suite: %zu jobs (72 conv shapes x digital / aimc / split) in one run(): %.1f ms wall, "
      "%.0f us per job, %.1f simulated ms\n",
      r.size(), wall * 1e3, wall * 1e6 / double(r.size()), double(cycles) / 260e3);
}

// The shipped ImageNet networks, each simulated `reps` times in this process (one warm-up).
void imagenet_rows(odimo::sim::Simulator& s, const odimo::SocDescription& soc, int reps) {
  std::printf("\nImageNet networks (3x224x224, default mapping) on %s in this process, %d repetitions\n",
              soc.name().c_str(), reps);
  std::printf("%-26s %10s %10s %10s\n", "network", "chip ms", "CPU ms", "chip/CPU");
  for (const char* name : {"resnet18-imagenet", "mobilenetv1-1.0-imagenet", "mobilenetv1-0.5-imagenet",
                           "mobilenetv1-0.25-imagenet"}) {
    const odimo::Network net = odimo::load_network(name);
    const Row r = measure(s, net, odimo::resolve_mapping(net, soc, ""), reps);
    std::printf("%-26s %10.2f %10.2f %10.1f\n", name, r.sim_us * 1e-3, r.cpu_us * 1e-3, r.sim_us / r.cpu_us);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int reps = argc > 1 ? std::max(1, std::atoi(argv[1])) : 50;
  try {
    if (argc > 2 && std::string(argv[2]) != "diana") {  // one Simulator per process: one SoC per run
      const odimo::SocDescription soc = odimo::load_soc(argv[2]);
      odimo::sim::Simulator simulator(soc);
      imagenet_rows(simulator, soc, std::max(1, reps / 10));
      return 0;
    }
    const odimo::SocDescription soc = odimo::load_soc("diana");
    const odimo::Network net = odimo::load_network("resnet20", odimo::Shape{3, 32, 32});
    odimo::sim::Simulator simulator(soc);  // one elaboration for every run below
    const std::string split =
        std::string(ODIMO_SOURCE_DIR) + "/tests/golden/resnet20-diana-split.mapping.pbtxt";
    std::printf("ResNet-20 (3x32x32, %.1f MMAC) on the DIANA virtual SoC, %d repetitions per mapping\n\n",
                net.total_macs() / 1e6, reps);
    std::printf("%-16s %9s %9s %9s %9s %9s %9s %13s\n", "mapping", "sim us", "wall us", "cpu us", "sim/wall",
                "uJ", "TOP/s/W", "paper TOP/s/W");
    for (const std::string& spec : {std::string("all:digital"), std::string("all:aimc"), split}) {
      const Row r = measure(simulator, net, odimo::resolve_mapping(net, soc, spec), reps);
      const std::string name = spec == split ? "split (golden)" : spec;
      std::printf("%-16s %9.1f %9.1f %9.1f %9.2f %9.3f %9.3f %13.2f\n", name.c_str(), r.sim_us, r.wall_us,
                  r.cpu_us, r.sim_us / r.wall_us, r.energy_uj, r.tops_per_w, 7.02);
    }
    layer_suite(simulator);
    imagenet_rows(simulator, soc, std::max(1, reps / 10));
    std::printf(
        "\nsim/wall > 1: the model simulates faster than the chip (260 MHz) would run the network.\n"
        "7.02 TOP/s/W: DIANA, CIFAR-10, end to end, measured on the chip (JSSC 2023 abstract).\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_simulate: %s\n", e.what());
    return 2;
  }
  return 0;
}
