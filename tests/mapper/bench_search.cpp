// bench_train --search: wall time and peak memory of an ODiMO search against plain
// quantized training of the same network for the same number of steps. Each run is a
// forked child, so its peak RSS (wait4's ru_maxrss) is its own.
#include "bench_search.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>
#include <sstream>
#include <vector>

#include "hw/soc_description.h"
#include "mapper/cost/calibrated_model.h"
#include "mapper/search/quantization.h"
#include "mapper/search/search_run.h"
#include "mapper/train/trainer.h"
#include "proto/error.h"

using namespace odimo;

namespace {

struct ProcessCost {
  double seconds = 0, rss_mib = 0;
};

// Runs `job` in a child process; its wall time and peak RSS.
ProcessCost in_child(const std::function<void()>& job) {
  std::fflush(stdout);
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid < 0) throw Error("fork failed");
  if (pid == 0) {
    try {
      job();
    } catch (const std::exception& e) {
      std::cerr << "bench_train --search: " << e.what() << "\n";
      _exit(2);
    }
    _exit(0);
  }
  int status = 0;
  rusage u{};
  if (wait4(pid, &status, 0, &u) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw Error("a benchmark child failed");
  ProcessCost c;
  c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  c.rss_mib = u.ru_maxrss / 1024.0;
  return c;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

struct Setup {
  std::string soc, net;
  std::string plain;  // the CU whose number format the plain training uses
};

Setup setup_for(const std::string& soc) {
  if (soc == "diana") return {soc, "resnet20", "digital"};
  if (soc == "darkside") return {soc, "mobilenetv1-0.25-odimo", "cluster"};
  throw Error("--search: expected diana or darkside, not '" + soc + "'");
}

void plain_training(const Setup& s, int steps, int threads) {
  mapper::TrainConfig c;
  c.net = s.net;
  c.input = Shape{1, 28, 28};
  c.epochs = 2;
  c.steps_per_epoch = steps;
  c.threads = threads;
  const SocDescription soc = load_soc(s.soc);
  c.quant = search::quantization_on(soc, soc.cu_index(s.plain), s.soc + ":" + s.plain);
  c.progress = false;
  std::ostringstream log;
  mapper::train(c, log);
}

void odimo_search(const Setup& s, int steps, int threads, double conv_branch_threshold) {
  const SocDescription soc = load_soc(s.soc);
  std::string origin;
  const cost::CalibratedModel model(soc, cost::load_calibration("", soc, &origin), origin);
  const auto compat = cost::make_compat_model(soc);
  search::SearchConfig c;
  c.net = s.net;
  c.input = Shape{1, 28, 28};
  c.warmup_epochs = 0, c.search_epochs = 1, c.finetune_epochs = 1;
  c.steps_per_epoch = steps;
  c.threads = threads;
  c.lambda = 1;
  if (conv_branch_threshold >= 0) c.conv_branch_threshold = conv_branch_threshold;
  c.progress = false;
  std::ostringstream log;
  search::run_search(c, soc, model, *compat, log);
}

}  // namespace

int bench_search(const std::string& soc, int steps, int rounds, int threads, double conv_branch_threshold) {
  const Setup s = setup_for(soc);
  std::printf(
      "search on %s: %s, 1x28x28 Fashion-MNIST, batch 128, %d threads; search = 1 search + 1 fine-tune "
      "epoch of %d steps (conv branch threshold %s), plain = %s training, 2 epochs of %d steps; %d "
      "alternating round(s)\n",
      soc.c_str(), s.net.c_str(), threads, steps,
      conv_branch_threshold >= 0 ? std::to_string(conv_branch_threshold).c_str() : "default",
      (s.soc + ":" + s.plain).c_str(), steps, rounds);
  std::vector<double> time_ratio, rss_ratio;
  for (int r = 1; r <= rounds; ++r) {
    const ProcessCost p = in_child([&] { plain_training(s, steps, threads); });
    const ProcessCost q = in_child([&] { odimo_search(s, steps, threads, conv_branch_threshold); });
    time_ratio.push_back(q.seconds / p.seconds), rss_ratio.push_back(q.rss_mib / p.rss_mib);
    std::printf("round %d: plain %.1f s, %.0f MiB; search %.1f s, %.0f MiB; ratios %.2f (time), %.2f (RSS)\n",
                r, p.seconds, p.rss_mib, q.seconds, q.rss_mib, time_ratio.back(), rss_ratio.back());
    std::fflush(stdout);
  }
  std::printf("ratio search/plain: median %.2f (wall time), %.2f (peak RSS)\n", median(time_ratio),
              median(rss_ratio));
  return 0;
}
