// Benchmark (not a test): how much faster than the chip a whole `odimo simulate`
// process is, start-up included, on the shipped ImageNet networks. Each run is a
// child process; its CPU time (user + system, from wait4) is compared with the
// chip time the run reports (total latency). CPU time rather than wall time: the
// build machine is shared. Runs alternate between the networks; medians are printed,
// with the CPU time a run may take to be 25x faster than the chip (chip time / 25),
// to compare with the start-up alone (`odimo help`).
//   bench_process [repetitions] [odimo binary]   (default 5, the odimo of this build)
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

struct Case {
  std::string soc;
  std::string net;  // empty: the start-up alone (`odimo help`)
  double chip_ms = 0;
  std::vector<double> cpu_ms;
};

struct Run {
  std::string output;
  double cpu_ms = 0;
};

Run run_process(const std::string& odimo, const std::vector<std::string>& args) {
  int out[2];
  if (pipe(out) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    std::vector<char*> argv{const_cast<char*>(odimo.c_str())};
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(odimo.c_str(), argv.data());
    _exit(127);
  }
  close(out[1]);
  Run r;
  char buf[4096];
  for (ssize_t n; (n = read(out[0], buf, sizeof buf)) > 0;) r.output.append(buf, size_t(n));
  close(out[0]);
  int status = 0;
  rusage usage{};
  if (wait4(pid, &status, 0, &usage) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error(odimo + " " + (args.size() > 4 ? args[4] : args[0]) + " failed");
  auto ms = [](const timeval& t) { return double(t.tv_sec) * 1e3 + double(t.tv_usec) * 1e-3; };
  r.cpu_ms = ms(usage.ru_utime) + ms(usage.ru_stime);
  return r;
}

// The chip time of a run: "total: N cycles = X us at F MHz" in the printed report.
double chip_ms(const std::string& output) {
  const size_t total = output.rfind("total:");
  const size_t eq = output.find(" = ", total);
  if (total == std::string::npos || eq == std::string::npos)
    throw std::runtime_error("no total in the output");
  return std::strtod(output.c_str() + eq + 3, nullptr) * 1e-3;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five;
  in >> one >> five;
  return one + " (1 min), " + five + " (5 min)";
}

}  // namespace

int main(int argc, char** argv) {
  const int reps = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  const std::string odimo = argc > 2 ? argv[2] : ODIMO_BINARY;
  std::vector<Case> cases{{"", "", 0, {}}};
  for (const char* soc : {"diana", "darkside"})
    for (const char* net : {"resnet18-imagenet", "mobilenetv1-1.0-imagenet", "mobilenetv1-0.5-imagenet",
                            "mobilenetv1-0.25-imagenet"})
      cases.push_back({soc, net, 0, {}});
  try {
    std::printf("%s, %d runs per network (alternating), load average %s\n\n", odimo.c_str(), reps,
                load_average().c_str());
    for (int rep = 0; rep < reps; ++rep)
      for (Case& c : cases) {
        const Run r = c.net.empty() ? run_process(odimo, {"help"})
                                    : run_process(odimo, {"simulate", "--soc", c.soc, "--net", c.net});
        if (!c.net.empty()) c.chip_ms = chip_ms(r.output);
        c.cpu_ms.push_back(r.cpu_ms);
      }
    std::printf("%-9s %-26s %10s %12s %12s %10s %12s\n", "soc", "network", "chip ms", "CPU ms med",
                "CPU ms min", "chip/CPU", "25x needs");
    for (const Case& c : cases) {
      const double med = median(c.cpu_ms);
      const double min = *std::min_element(c.cpu_ms.begin(), c.cpu_ms.end());
      if (c.net.empty())
        std::printf("%-36s %10s %12.1f %12.1f\n", "start-up (odimo help)", "", med, min);
      else
        std::printf("%-9s %-26s %10.2f %12.1f %12.1f %10.1f %9.1f ms\n", c.soc.c_str(), c.net.c_str(),
                    c.chip_ms, med, min, c.chip_ms / std::max(med, 1e-3), c.chip_ms / 25);
    }
    std::printf("\nload average at the end %s\n", load_average().c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_process: %s\n", e.what());
    return 2;
  }
  return 0;
}
