// Data-set readers on small files written by the test: valid, truncated and
// wrong-format IDX (gzip) and CIFAR binaries; splits, normalisation, augmentation.
#include <doctest/doctest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

#include "mapper/data/data.h"
#include "proto/error.h"

namespace odimo::mapper {
namespace {

namespace fs = std::filesystem;

void write_gz(const fs::path& p, const std::vector<uint8_t>& bytes) {
  gzFile f = gzopen(p.c_str(), "wb");
  REQUIRE(f);
  gzwrite(f, bytes.data(), unsigned(bytes.size()));
  gzclose(f);
}

std::vector<uint8_t> idx(uint8_t ndim, std::vector<uint32_t> dims, uint8_t fill) {
  std::vector<uint8_t> b = {0, 0, 0x08, ndim};
  size_t n = 1;
  for (uint32_t d : dims) {
    for (int s = 24; s >= 0; s -= 8) b.push_back(uint8_t(d >> s));
    n *= d;
  }
  for (size_t i = 0; i < n; ++i) b.push_back(uint8_t(fill + i % 7));
  return b;
}

struct FakeMnist {
  fs::path dir = fs::temp_directory_path() / ("odimo_fmnist_" + std::to_string(::getpid()));
  FakeMnist() {
    fs::create_directories(dir);
    for (const char* split : {"train", "t10k"}) {
      write_gz(dir / (std::string(split) + "-images-idx3-ubyte.gz"), idx(3, {20, 4, 4}, 10));
      write_gz(dir / (std::string(split) + "-labels-idx1-ubyte.gz"), idx(1, {20}, 0));
    }
  }
  ~FakeMnist() { fs::remove_all(dir); }
};

TEST_CASE("Fashion-MNIST IDX reader: shapes, labels, split and normalisation") {
  FakeMnist f;
  const Dataset d = load_fashion_mnist(f.dir.string(), true);
  CHECK(d.size() == 20);
  CHECK(d.shape == Shape{1, 4, 4});
  CHECK(d.labels[8] == 1);  // labels cycle 0..6
  const DataSplits s = load_dataset("fashion-mnist", 0.25, 1, {}, 0, f.dir.string());
  CHECK(s.train.size() == 15);
  CHECK(s.validation.size() == 5);
  CHECK(s.test.size() == 20);
  REQUIRE(s.mean.size() == 1);
  CHECK(s.mean[0] > 10 / 255.0f);
  CHECK(s.mean[0] < 17 / 255.0f);
  const DataSplits t = load_dataset("fashion-mnist:" + f.dir.string(), 0.25, 1, {}, 0, "/nonexistent");
  CHECK(t.train.pixels == s.train.pixels);
  CHECK(t.test.labels == s.test.labels);
  CHECK_THROWS_WITH_AS(load_dataset("fashion-mnist:", 0.1, 1, {}, 0), doctest::Contains("give the folder"),
                       Error);
}

TEST_CASE("IDX extents whose product overflows or exceeds the file are errors naming the file") {
  FakeMnist f;
  const fs::path images = f.dir / "train-images-idx3-ubyte.gz";
  auto raw = idx(3, {20, 4, 4}, 10);
  for (int b = 4; b < 16; ++b) raw[b] = b % 4 ? 0xff : 0x7f;  // (2^31-1)^3 overflows 64 bits
  write_gz(images, raw);
  CHECK_THROWS_WITH_AS(load_fashion_mnist(f.dir.string(), true),
                       doctest::Contains("train-images-idx3-ubyte.gz: IDX extents 2147483647 x 2147483647 x "
                                         "2147483647: their product overflows"),
                       Error);
  raw[4] = 0xff;  // 2^32-1 images: beyond the int range of image indices
  write_gz(images, raw);
  CHECK_THROWS_WITH_AS(load_fashion_mnist(f.dir.string(), true),
                       doctest::Contains("train-images-idx3-ubyte.gz: IDX extent 4294967295"), Error);
  raw = idx(3, {20, 4, 4}, 10);
  raw[4] = 0x7f;  // 2^31-ish images of 4x4: more than the file holds, no overflow
  write_gz(images, raw);
  CHECK_THROWS_WITH_AS(load_fashion_mnist(f.dir.string(), true),
                       doctest::Contains("train-images-idx3-ubyte.gz: IDX header promises 34091303232 bytes"),
                       Error);
}

TEST_CASE("corrupt data files are clear errors") {
  FakeMnist f;
  const fs::path images = f.dir / "train-images-idx3-ubyte.gz";
  auto raw = idx(3, {20, 4, 4}, 10);
  raw.resize(raw.size() - 5);  // truncated data
  write_gz(images, raw);
  CHECK_THROWS_WITH_AS(load_fashion_mnist(f.dir.string(), true), doctest::Contains("truncated"), Error);
  write_gz(images, idx(1, {20}, 0));  // labels where images belong
  CHECK_THROWS_WITH_AS(load_fashion_mnist(f.dir.string(), true),
                       doctest::Contains("not an unsigned-byte IDX"), Error);
  { std::ofstream(images, std::ios::binary) << "this is not gzip data at all, but longer than a header"; }
  CHECK_THROWS_AS(load_fashion_mnist(f.dir.string(), true), Error);
  fs::remove(images);
  CHECK_THROWS_WITH_AS(load_fashion_mnist(f.dir.string(), true), doctest::Contains("no such file"), Error);
}

TEST_CASE("CIFAR binary reader: HWC pixels, fine labels, wrong sizes rejected") {
  const fs::path dir = fs::temp_directory_path() / ("odimo_cifar_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::vector<char> rec(2 + 3072);
  rec[0] = 3, rec[1] = 42;                           // coarse, fine
  rec[2] = 7, rec[2 + 1024] = 8, rec[2 + 2048] = 9;  // pixel 0 of R, G, B planes
  for (const char* f : {"train.bin", "test.bin"}) {
    std::ofstream out(dir / f, std::ios::binary);
    out.write(rec.data(), rec.size());
    out.write(rec.data(), rec.size());
  }
  const Dataset d = load_cifar(dir.string(), true, true);
  CHECK(d.size() == 2);
  CHECK(d.labels[0] == 42);
  CHECK(d.pixels[0] == 7);
  CHECK(d.pixels[1] == 8);
  CHECK(d.pixels[2] == 9);
  {
    std::ofstream out(dir / "test.bin", std::ios::binary);
    out.write(rec.data(), 100);
  }
  CHECK_THROWS_WITH_AS(load_cifar(dir.string(), true, false), doctest::Contains("CIFAR records"), Error);
  CHECK_THROWS_WITH_AS(load_cifar(dir.string(), false, true),
                       doctest::Contains("data_batch_1.bin: no such file"), Error);
  CHECK_THROWS_WITH_AS(load_dataset("cifar10:", 0.1, 1, {}, 0), doctest::Contains("give the folder"), Error);
  CHECK_THROWS_WITH_AS(load_dataset("imagenet", 0.1, 1, {}, 0), doctest::Contains("unknown data set"), Error);
  fs::remove_all(dir);
}

TEST_CASE("synthetic set is deterministic in its seed; batches normalise, crop and flip") {
  const Dataset a = make_synthetic({1, 4, 4}, 3, 10, 5), b = make_synthetic({1, 4, 4}, 3, 10, 5);
  CHECK(a.pixels == b.pixels);
  CHECK(a.labels == b.labels);
  Dataset one;
  one.shape = {1, 1, 3};
  one.classes = 2;
  one.pixels = {0, 51, 255};
  one.labels = {1};
  std::mt19937_64 rng(1);
  std::vector<float> x(3);
  int y = -1, i0 = 0;
  make_batch(one, &i0, 1, {0.2f}, {0.5f}, Augment{}, rng, x.data(), &y);
  CHECK(y == 1);
  CHECK(x[0] == doctest::Approx(-0.4));
  CHECK(x[1] == doctest::Approx(0.0));
  CHECK(x[2] == doctest::Approx(1.6));
  // Flip always happens with probability 1/2: over 20 draws both orders appear.
  int flipped = 0;
  for (int t = 0; t < 20; ++t) {
    make_batch(one, &i0, 1, {0.2f}, {0.5f}, Augment{0, true}, rng, x.data(), &y);
    flipped += x[0] == doctest::Approx(1.6);
  }
  CHECK(flipped > 0);
  CHECK(flipped < 20);
}

}  // namespace
}  // namespace odimo::mapper
