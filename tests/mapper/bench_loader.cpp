// bench_loader: the image-folder loader alone, no network. Writes a folder of seeded
// JPEGs (--images N of --size S x S RGB, 10 classes, quality 90) to a temporary folder,
// then times (1) listing + decoding + resizing into the cache on --threads T threads,
// the cold start of every run, and (2) cutting training batches from the warm cache
// (random-resized crop + flip + normalise at --input C x H x W) on the one background
// thread of BatchQueue, as `odimo train` does. Prints images/s of both (median of
// --rounds R). Not a test.
//
//   bench_loader [--images 2000] [--size 64] [--input 3x32x32] [--threads 2] [--batch 128]
//                [--rounds 3] [--dir PATH]
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "mapper/data/batch_queue.h"
#include "mapper/data/image_folder.h"
#include "proto/error.h"
#include "tests/mapper/image_folder_maker.h"

using namespace odimo;
using namespace odimo::mapper;
namespace fs = std::filesystem;

namespace {

struct Options {
  int images = 2000, size = 64, threads = 2, batch = 128, rounds = 3;
  Shape input{3, 32, 32};
  std::string dir;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--images")
      o.images = std::atoi(v.c_str());
    else if (a == "--size")
      o.size = std::atoi(v.c_str());
    else if (a == "--threads")
      o.threads = std::atoi(v.c_str());
    else if (a == "--batch")
      o.batch = std::atoi(v.c_str());
    else if (a == "--rounds")
      o.rounds = std::atoi(v.c_str());
    else if (a == "--input")
      o.input = parse_shape(v, "--input");
    else if (a == "--dir")
      o.dir = v;
    else
      throw Error("bench_loader: unknown option " + a);
  }
  if (o.images < 10 || o.size < 1 || o.threads < 1 || o.batch < 1 || o.rounds < 1)
    throw Error("bench_loader: --images >= 10, --size, --threads, --batch, --rounds >= 1");
  return o;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// CPU seconds of the whole process (all threads), user + system.
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) try {
  const Options o = parse(argc, argv);
  const std::string dir =
      o.dir.empty()
          ? (fs::temp_directory_path() / ("odimo_bench_loader_" + std::to_string(::getpid()))).string()
          : o.dir;
  testing::FolderSpec spec;
  spec.classes = 10;
  spec.train_per_class = o.images / 10;
  spec.val_per_class = 1;
  spec.h = spec.w = o.size;
  testing::make_image_folder(dir, spec);
  uintmax_t bytes = 0;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(dir) / "train"))
    if (e.is_regular_file()) bytes += e.file_size();
  std::printf("folder %s: %d JPEGs of %dx%d RGB in train/, %.1f KB each; cache %s, input %s\n", dir.c_str(),
              spec.classes * spec.train_per_class, o.size, o.size,
              bytes / 1024.0 / (spec.classes * spec.train_per_class),
              folder_cache_shape(o.input).str().c_str(), o.input.str().c_str());
  std::vector<double> decode, batches, decode_cpu, batches_cpu;
  for (int r = 0; r < o.rounds; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    double c0 = cpu_seconds();
    const Dataset d = load_image_folder(list_image_folder(dir + "/train"), "bench", o.input, o.threads);
    decode.push_back(d.size() / seconds_since(t0));
    decode_cpu.push_back(d.size() / (cpu_seconds() - c0));
    std::vector<int> order(d.size());
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), std::mt19937_64(r));
    const std::vector<float> mean(o.input.c, 0.45f), sd(o.input.c, 0.25f);
    const int64_t steps = (d.size() + o.batch - 1) / o.batch;
    t0 = std::chrono::steady_clock::now();
    c0 = cpu_seconds();
    BatchQueue q(steps, o.batch, o.input.elements(), [&](int64_t s, Batch& b) {
      b.n = std::min<int>(o.batch, d.size() - int(s * o.batch));
      make_folder_batch(d, order.data() + s * o.batch, b.n, mean, sd, true, 1, r, b.x.data(), b.y.data());
    });
    double sink = 0;
    for (int64_t s = 0; s < steps; ++s) sink += q.next().x[0];
    batches.push_back(d.size() / seconds_since(t0));
    batches_cpu.push_back(d.size() / (cpu_seconds() - c0));
    if (sink == 12345.678) std::printf(" ");  // keeps the reads
  }
  std::printf(
      "decode + resize into the cache (%d threads): %.0f images/s, %.0f per CPU-second (medians of %d)\n",
      o.threads, median(decode), median(decode_cpu), o.rounds);
  std::printf("training batches from the cache (1 background thread): %.0f images/s, %.0f per CPU-second\n",
              median(batches), median(batches_cpu));
  if (o.dir.empty()) fs::remove_all(dir);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "%s\n", e.what());
  return 2;
}
