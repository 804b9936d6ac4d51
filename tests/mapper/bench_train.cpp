// bench_train: ResNet-8 training throughput of odimo's Eigen autograd against the
// PyTorch anchor (shared/anchors/torch_resnet8.py), in the same run, on the same
// machine: 1x28x28 Fashion-MNIST, batch 128, SGD momentum 0.9 / wd 5e-4 / lr 0.05.
// Not a test: it prints images/s of both, their ratio and the peak memory of both.
//
//   bench_train [--steps N] [--threads T] [--batch B] [--anchor PATH] [--no-torch]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <random>
#include <string>

#include "mapper/data.h"
#include "mapper/model.h"
#include "mapper/ops_misc.h"
#include "mapper/optim.h"
#include "proto/error.h"

using namespace odimo;
using namespace odimo::mapper;

namespace {

struct Options {
  int steps = 50, threads = 2, batch = 128;
  bool torch = true;
  std::string anchor = std::string(ODIMO_SOURCE_DIR) + "/../shared/anchors/torch_resnet8.py";
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw Error(a + " needs a value");
      return argv[++i];
    };
    if (a == "--steps")
      o.steps = std::stoi(next());
    else if (a == "--threads")
      o.threads = std::stoi(next());
    else if (a == "--batch")
      o.batch = std::stoi(next());
    else if (a == "--anchor")
      o.anchor = next();
    else if (a == "--no-torch")
      o.torch = false;
    else
      throw Error("unknown option " + a);
  }
  return o;
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + 1e-6 * (u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

double peak_rss_mib(int who) {
  rusage u{};
  getrusage(who, &u);
  return u.ru_maxrss / 1024.0;
}

// Same protocol as the anchor: 5 warm-up steps, then `steps` timed steps on random batches.
double odimo_images_per_second(const Options& o, double& cpu_per_step) {
  const Network net = load_network("resnet8");
  const Dataset train = load_fashion_mnist(kFashionMnistDir, true);
  Model model(net, ModelOptions{QuantPreset::kFloat, 1, o.threads});
  GroupHyper h;
  h.lr = 0.05, h.momentum = 0.9, h.weight_decay = 5e-4;
  Optimizer opt(OptimizerKind::kSgd, model.parameters(), {h, h, h});
  std::mt19937_64 rng(1);
  std::uniform_int_distribution<int> pick(0, train.size() - 1);
  std::vector<float> x(size_t(o.batch) * train.image_bytes());
  std::vector<int> y(o.batch), idx(o.batch);
  Tape tape;
  auto step = [&] {
    for (int& i : idx) i = pick(rng);
    make_batch(train, idx.data(), o.batch, {0.2860f}, {0.3530f}, Augment{}, rng, x.data(), y.data());
    const Activation& logits = model.forward(x.data(), o.batch, true, &tape);
    softmax_cross_entropy(o.batch, model.classes(), logits.value.data(), y.data(), model.logits_grad(),
                          nullptr);
    model.zero_grad();
    model.backward(tape);
    opt.step(1.0);
  };
  for (int i = 0; i < 5; ++i) step();
  const auto t0 = std::chrono::steady_clock::now();
  const double c0 = cpu_seconds();
  for (int i = 0; i < o.steps; ++i) step();
  const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  cpu_per_step = (cpu_seconds() - c0) / o.steps;
  return o.steps * double(o.batch) / dt;
}

// Runs the anchor; returns its images/s and peak RSS parsed from its last line.
bool torch_images_per_second(const Options& o, double& ips, double& rss) {
  if (!std::filesystem::exists(o.anchor)) {
    std::cerr << "anchor not found: " << o.anchor << "\n";
    return false;
  }
  const std::string cmd = "/usr/bin/python3 " + o.anchor + " --steps " + std::to_string(o.steps) +
                          " --threads " + std::to_string(o.threads) + " --batch " + std::to_string(o.batch) +
                          " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return false;
  char line[512];
  bool found = false;
  while (std::fgets(line, sizeof line, p)) {
    if (const char* at = std::strstr(line, "images/s")) {
      (void)at;
      std::string s(line);
      const size_t c = s.find(": ");
      const size_t r = s.find("peak RSS ");
      if (c != std::string::npos && r != std::string::npos) {
        ips = std::stod(s.substr(c + 2));
        rss = std::stod(s.substr(r + 9));
        found = true;
      }
    }
    std::cout << "  torch> " << line;
  }
  pclose(p);
  return found;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options o = parse(argc, argv);
    std::cout << "ResNet-8, 1x28x28 Fashion-MNIST, batch " << o.batch << ", " << o.threads << " threads, "
              << o.steps << " timed steps after 5 warm-up steps\n";
    double cpu_per_step = 0;
    const double ours = odimo_images_per_second(o, cpu_per_step);
    const double our_rss = peak_rss_mib(RUSAGE_SELF);
    std::cout << "odimo: " << int(ours) << " images/s, peak RSS " << int(our_rss) << " MiB ("
              << int(1000 * cpu_per_step) << " CPU-ms per step over all threads)\n";
    if (!o.torch) return 0;
    double theirs = 0, their_rss = 0;
    if (!torch_images_per_second(o, theirs, their_rss)) {
      std::cout << "PyTorch anchor did not run (install python3-torch; run with /usr/bin/python3)\n";
      return 1;
    }
    std::cout << "torch: " << int(theirs) << " images/s, peak RSS " << int(their_rss) << " MiB\n";
    std::printf("ratio odimo/torch: %.2f (images/s), memory %.2f (peak RSS)\n", ours / theirs,
                our_rss / their_rss);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "bench_train: " << e.what() << "\n";
    return 2;
  }
}
