// bench_train: training throughput of odimo's Eigen autograd against PyTorch, in the
// same run, on the same machine: a shipped workload (--net, default resnet8) at
// 1x28x28 Fashion-MNIST, batch 128, SGD momentum 0.9 / wd 5e-4 / lr 0.05, random
// batches, 5 warm-up steps then N timed steps for both. The PyTorch side is
// tests/mapper/torch_workload.py, which builds the same network from the same
// workloads/NET.pbtxt (for resnet8 it is the ResNet-8 of the project's PyTorch anchor,
// 77,754 parameters). Not a test: it prints images/s of both, their ratio and the peak
// memory (RSS) of both. The machine is noisy, so `--rounds R` alternates the two R
// times and reports medians.
//
//   bench_train [--net NAME] [--steps N] [--rounds R] [--threads T] [--batch B]
//               [--torch-script PATH] [--torch-env "VAR=VALUE ..."] [--no-torch]
//   bench_train --search diana|darkside [--steps N] [--rounds R] [--threads T] [--conv-branch-threshold T]
//       search (1 search + 1 fine-tune epoch of N steps) against plain quantized training
//       of the same steps, each in its own process: wall time and peak RSS ratios
//       (bench_search.cpp).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <random>
#include <string>

#include "bench_search.h"
#include "mapper/data/data.h"
#include "mapper/nn/model.h"
#include "mapper/ops/ops_misc.h"
#include "mapper/train/optim.h"
#include "proto/error.h"

using namespace odimo;
using namespace odimo::mapper;

namespace {

struct Options {
  std::string net = "resnet8";
  std::string search_soc;  // --search: the search benchmark instead
  int steps = 50, rounds = 1, threads = 2, batch = 128;
  double conv_branch_threshold = -1;  // --search: the search's default
  bool torch = true;
  std::string torch_env;
  std::string script = std::string(ODIMO_SOURCE_DIR) + "/tests/mapper/torch_workload.py";
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw Error(a + " needs a value");
      return argv[++i];
    };
    if (a == "--net")
      o.net = next();
    else if (a == "--search")
      o.search_soc = next();
    else if (a == "--steps")
      o.steps = std::stoi(next());
    else if (a == "--rounds")
      o.rounds = std::max(1, std::stoi(next()));
    else if (a == "--threads")
      o.threads = std::stoi(next());
    else if (a == "--batch")
      o.batch = std::stoi(next());
    else if (a == "--conv-branch-threshold")
      o.conv_branch_threshold = std::stod(next());
    else if (a == "--torch-script")
      o.script = next();
    else if (a == "--torch-env")
      o.torch_env = next();
    else if (a == "--no-torch")
      o.torch = false;
    else
      throw Error("unknown option " + a + " (see the header of tests/mapper/bench_train.cpp)");
  }
  return o;
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + 1e-6 * (u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024.0;
}

// The 1-, 5- and 15-minute load averages (other jobs share the cores: say so with every number).
std::string load_average() {
  FILE* f = std::fopen("/proc/loadavg", "r");
  char buf[64] = "?";
  if (f) {
    if (!std::fgets(buf, sizeof buf, f)) buf[0] = 0;
    std::fclose(f);
  }
  std::string s(buf);
  const size_t third = s.find(' ', s.find(' ', s.find(' ') + 1) + 1);
  return s.substr(0, third);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

// odimo's side: the same protocol as the anchor (random batches of the training set).
class OdimoRun {
 public:
  explicit OdimoRun(const Options& o)
      : m_o(o),
        m_train(load_fashion_mnist(kFashionMnistDir, true)),
        m_model(load_network(o.net, Shape{1, 28, 28}), ModelOptions{{}, 1, o.threads, {}}),
        m_x(size_t(o.batch) * m_train.image_bytes()),
        m_y(o.batch),
        m_idx(o.batch) {
    GroupHyper h;
    h.lr = 0.05, h.momentum = 0.9, h.weight_decay = 5e-4;
    m_opt = std::make_unique<Optimizer>(OptimizerKind::kSgd, m_model.parameters(),
                                        std::array<GroupHyper, kParamGroups>{h, h, h});
    for (int i = 0; i < 5; ++i) step();
  }
  // Images/s over `steps` steps; cpu_per_step: CPU seconds of all threads per step.
  double measure(double& cpu_per_step) {
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = cpu_seconds();
    for (int i = 0; i < m_o.steps; ++i) step();
    const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    cpu_per_step = (cpu_seconds() - c0) / m_o.steps;
    return m_o.steps * double(m_o.batch) / dt;
  }

 private:
  void step() {
    std::uniform_int_distribution<int> pick(0, m_train.size() - 1);
    for (int& i : m_idx) i = pick(m_rng);
    make_batch(m_train, m_idx.data(), m_o.batch, {0.2860f}, {0.3530f}, Augment{}, m_rng, m_x.data(),
               m_y.data());
    const Activation& logits = m_model.forward(m_x.data(), m_o.batch, true, &m_tape);
    softmax_cross_entropy(m_o.batch, m_model.classes(), logits.value.data(), m_y.data(),
                          m_model.logits_grad(), nullptr);
    m_model.zero_grad();
    m_model.backward(m_tape);
    m_opt->step(1.0);
  }

  const Options& m_o;
  Dataset m_train;
  Model m_model;
  std::unique_ptr<Optimizer> m_opt;
  Tape m_tape;
  std::mt19937_64 m_rng{1};
  std::vector<float> m_x;
  std::vector<int> m_y, m_idx;
};

// Runs the PyTorch side once; parses "... N images/s, peak RSS M MiB, C CPU-ms per step".
bool run_torch(const Options& o, double& ips, double& rss, double& cpu_ms) {
  if (!std::filesystem::exists(o.script)) {
    std::cerr << "PyTorch script not found: " << o.script << "\n";
    return false;
  }
  const std::string net = std::string(ODIMO_SOURCE_DIR) + "/workloads/" + o.net + ".pbtxt";
  const std::string cmd = (o.torch_env.empty() ? "" : "env " + o.torch_env + " ") + "/usr/bin/python3 " +
                          o.script + " --net " + net + " --input 1x28x28 --steps " + std::to_string(o.steps) +
                          " --threads " + std::to_string(o.threads) + " --batch " + std::to_string(o.batch) +
                          " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return false;
  char line[512];
  bool found = false;
  while (std::fgets(line, sizeof line, p)) {
    const std::string s(line);
    const size_t c = s.find(": "), r = s.find("peak RSS "), m = s.find("MiB, ");
    if (s.find("images/s") != std::string::npos && c != std::string::npos && r != std::string::npos &&
        m != std::string::npos) {
      ips = std::stod(s.substr(c + 2));
      rss = std::stod(s.substr(r + 9));
      cpu_ms = std::stod(s.substr(m + 5));
      found = true;
    } else {
      std::cout << "  torch> " << s;
    }
  }
  pclose(p);
  return found;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options o = parse(argc, argv);
    std::cout << "load average " << load_average() << " at the start\n";
    if (!o.search_soc.empty()) {
      const int status = bench_search(o.search_soc, o.steps, o.rounds, o.threads, o.conv_branch_threshold);
      std::cout << "load average " << load_average() << " at the end\n";
      return status;
    }
    std::cout << o.net << ", 1x28x28 Fashion-MNIST, batch " << o.batch << ", " << o.threads << " threads, "
              << o.steps << " timed steps after 5 warm-up steps, " << o.rounds << " alternating round(s)\n";
    OdimoRun odimo(o);
    // CPU time per step (all threads) is the figure least moved by other jobs on the cores.
    std::vector<double> ours, theirs, ratios, our_cpu, their_cpu, cpu_ratios;
    double torch_rss = 0;
    for (int r = 1; r <= o.rounds; ++r) {
      double cpu = 0;
      ours.push_back(odimo.measure(cpu));
      our_cpu.push_back(1000 * cpu);
      std::printf("round %d: odimo %.0f images/s (%.0f CPU-ms per step)", r, ours.back(), our_cpu.back());
      double ips = 0, rss = 0, cpu_ms = 0;
      if (o.torch && run_torch(o, ips, rss, cpu_ms)) {
        theirs.push_back(ips), ratios.push_back(ours.back() / ips);
        their_cpu.push_back(cpu_ms), cpu_ratios.push_back(cpu_ms / our_cpu.back());
        torch_rss = std::max(torch_rss, rss);
        std::printf(", torch %.0f images/s (%.0f CPU-ms per step), ratio %.2f", ips, cpu_ms, ratios.back());
      }
      std::printf("\n");
      std::fflush(stdout);
    }
    const double our_rss = peak_rss_mib();
    std::cout << "load average " << load_average() << " at the end\n";
    std::printf("odimo: median %.0f images/s, %.0f CPU-ms per step, peak RSS %.0f MiB\n", median(ours),
                median(our_cpu), our_rss);
    if (!o.torch) return 0;
    if (theirs.empty()) {
      std::cout << "PyTorch side did not run (needs python3-torch for /usr/bin/python3)\n";
      return 1;
    }
    std::printf("torch: median %.0f images/s, %.0f CPU-ms per step, peak RSS %.0f MiB\n", median(theirs),
                median(their_cpu), torch_rss);
    std::printf(
        "ratio odimo/torch: median %.2f (images/s), %.2f (torch CPU-ms / odimo CPU-ms per step); "
        "memory %.2f (peak RSS)\n",
        median(ratios), median(cpu_ratios), our_rss / torch_rss);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "bench_train: " << e.what() << "\n";
    return 2;
  }
}
