// Image folders: crop and resampling geometry, the per-image generator, decoding into the
// cache on any number of threads, batches, the prefetch queue, and training twice on a
// folder written by the test giving the same numbers.
#include <doctest/doctest.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "mapper/data/batch_queue.h"
#include "mapper/data/image_decode.h"
#include "mapper/data/image_folder.h"
#include "mapper/data/image_geometry.h"
#include "mapper/train/trainer.h"
#include "proto/error.h"
#include "tests/mapper/image_folder_maker.h"

namespace odimo::mapper {
namespace {

namespace fs = std::filesystem;

struct TempFolder {
  fs::path dir = fs::temp_directory_path() / ("odimo_folder_" + std::to_string(::getpid()));
  explicit TempFolder(const testing::FolderSpec& spec) { testing::make_image_folder(dir.string(), spec); }
  ~TempFolder() { fs::remove_all(dir); }
};

TEST_CASE("centre box: the shorter side fills the output, the longer is cut evenly") {
  const CropBox b = centre_box(40, 20, 10, 10);  // tall image to a square
  CHECK(b.y == 10);
  CHECK(b.x == 0);
  CHECK(b.h == 20);
  CHECK(b.w == 20);
  const CropBox wide = centre_box(30, 90, 15, 20);  // 30x90 covers 15x20 at scale 2: box 30x40
  CHECK(wide.h == 30);
  CHECK(wide.w == 40);
  CHECK(wide.x == 25);
  const CropBox c = centre_crop(73, 73, 64, 64);
  CHECK(c.y == 4);
  CHECK(c.x == 4);
  CHECK(c.h == 64);
}

TEST_CASE("resample: identity copies, constants stay, halving averages, mirror reverses") {
  std::vector<uint8_t> img(4 * 6 * 3);
  for (size_t i = 0; i < img.size(); ++i) img[i] = uint8_t(i * 5);
  std::vector<float> out(img.size());
  resample(img.data(), 4, 6, 3, {0, 0, 4, 6}, 4, 6, false, out.data());
  for (size_t i = 0; i < img.size(); ++i) CHECK(out[i] == float(img[i]));
  resample(img.data(), 4, 6, 3, {0, 0, 4, 6}, 4, 6, true, out.data());
  CHECK(out[0] == float(img[5 * 3]));      // row 0, column 0 <- column 5
  CHECK(out[5 * 3 + 1] == float(img[1]));  // row 0, column 5, channel 1 <- column 0
  std::vector<uint8_t> flat(10 * 10, 77);
  std::vector<float> small(3 * 7);
  resample(flat.data(), 10, 10, 1, {1.5, 0.25, 8, 9}, 3, 7, false, small.data());
  for (float v : small) CHECK(v == doctest::Approx(77).epsilon(1e-6));
  const std::vector<uint8_t> checker = {0, 200, 200, 0};  // 2x2 -> 1x1: the mean
  float one = 0;
  resample(checker.data(), 2, 2, 1, {0, 0, 2, 2}, 1, 1, false, &one);
  CHECK(one == doctest::Approx(100));
}

TEST_CASE("random-resized box: inside the image, area and aspect in range, seeded per image") {
  for (int i = 0; i < 500; ++i) {
    ImageRng rng(7, 1, i);
    const int h = 20 + i % 50, w = 30 + i % 37;
    const CropBox b = random_resized_box(h, w, rng);
    REQUIRE(b.h >= 1);
    REQUIRE(b.w >= 1);
    CHECK(b.y >= 0);
    CHECK(b.x >= 0);
    CHECK(b.y + b.h <= h);
    CHECK(b.x + b.w <= w);
    CHECK(b.y == std::floor(b.y));
    const double area = b.h * b.w / (double(h) * w), ratio = b.w / b.h;
    CHECK(area <= kCropMaxArea + 0.1);
    CHECK(area >= kCropMinArea * 0.5);  // integer sides round the drawn area
    CHECK(ratio >= kCropMinRatio * 0.8);
    CHECK(ratio <= kCropMaxRatio * 1.25);
  }
  ImageRng a(7, 1, 3), b(7, 1, 3), c(7, 2, 3), d(7, 1, 4);
  const uint64_t va = a.next();
  CHECK(va == b.next());
  CHECK(va != c.next());
  CHECK(va != d.next());
}

TEST_CASE("image folder: classes, splits, cache shape, decoding threads do not change a byte") {
  testing::FolderSpec spec;
  spec.png = true;
  TempFolder f(spec);
  const std::string ds = "imagefolder:" + f.dir.string();
  const DataSplits one = load_dataset(ds, 0.25, 3, {3, 16, 16}, 0, kFashionMnistDir, 1);
  const DataSplits two = load_dataset(ds, 0.25, 3, {3, 16, 16}, 0, kFashionMnistDir, 2);
  CHECK(one.train.size() == 9);
  CHECK(one.validation.size() == 3);
  CHECK(one.test.size() == 6);
  CHECK(one.train.classes == 3);
  CHECK(one.train.shape == Shape{3, 18, 18});
  CHECK(one.test.input() == Shape{3, 16, 16});
  CHECK(one.test.labels == std::vector<uint16_t>{0, 0, 1, 1, 2, 2});
  CHECK(one.train.pixels == two.train.pixels);
  CHECK(one.test.pixels == two.test.pixels);
  CHECK(one.mean == two.mean);
  // A cache beyond kMaxFolderCacheBytes is refused before anything is allocated.
  CHECK_THROWS_WITH_AS(
      load_dataset(ds, 0.25, 3, {3, 20000, 20000}, 0, kFashionMnistDir, 1),
      doctest::Contains("12 images cached at 3x22857x22857 need 17.5 GiB: expected at most 12.0 GiB"), Error);
  // A PNG is lossless: the cache of a same-size image is the image itself.
  const Image png = decode_image((f.dir / "val" / "class0" / "img1.png").string(), 3);
  const DataSplits same = load_dataset(ds, 0, 3, {3, 21, 18}, 0, kFashionMnistDir, 2);  // cache 3x24x21
  CHECK(png.h == 20);
  CHECK(png.w == 24);
  CHECK(same.test.shape == Shape{3, 24, 21});
  const Image gray = decode_image((f.dir / "val" / "class0" / "img0.jpg").string(), 1);
  CHECK(gray.c == 1);
  CHECK(gray.pixels.size() == 20 * 24);
  // A large JPEG is decoded at the smallest DCT scaling that still covers the cache.
  std::vector<uint8_t> big(64 * 64 * 3, 90);
  const std::string big_path = (f.dir / "big.jpg").string();
  testing::write_jpeg(big_path, big.data(), 64, 64, 3, 90);
  const Image scaled = decode_image(big_path, 3, 20, 17);  // 3/8: 24x24 (2/8, 16, is too small)
  CHECK(scaled.h == 24);
  CHECK(scaled.w == 24);
  CHECK(decode_image(big_path, 3).h == 64);
}

TEST_CASE("folder batches: centre crop for evaluation, seeded random crops for training") {
  testing::FolderSpec spec;
  TempFolder f(spec);
  const DataSplits s =
      load_dataset("imagefolder:" + f.dir.string(), 0, 3, {3, 16, 16}, 0, kFashionMnistDir, 2);
  const Dataset& d = s.train;
  const std::vector<float> mean = {0, 0, 0}, sd = {1, 1, 1};
  std::vector<float> x(2 * 3 * 16 * 16), x2(x.size());
  std::vector<int> y(2);
  const int idx[2] = {4, 8};
  make_folder_batch(d, idx, 2, mean, sd, false, 1, 1, x.data(), y.data());
  CHECK(y[0] == 1);
  CHECK(y[1] == 2);
  // Centre crop of the 18x18 cache at offset 1, values scaled to [0, 1].
  const uint8_t* img = d.pixels.data() + 4 * d.image_bytes();
  CHECK(x[0] == doctest::Approx(img[(1 * 18 + 1) * 3] / 255.0));
  CHECK(x[(5 * 16 + 9) * 3 + 2] == doctest::Approx(img[(6 * 18 + 10) * 3 + 2] / 255.0));
  make_folder_batch(d, idx, 2, mean, sd, true, 1, 1, x.data(), y.data());
  make_folder_batch(d, idx, 2, mean, sd, true, 1, 1, x2.data(), y.data());
  CHECK(x == x2);
  make_folder_batch(d, idx, 2, mean, sd, true, 1, 2, x2.data(), y.data());
  CHECK(x != x2);
  // An image's crop depends on its index, not on its place in the batch.
  const int swapped[2] = {8, 4};
  make_folder_batch(d, swapped, 2, mean, sd, true, 1, 1, x2.data(), y.data());
  CHECK(std::equal(x.begin(), x.begin() + 768, x2.begin() + 768));
}

TEST_CASE("batch queue: every step in order, the producer's error reaches the consumer") {
  std::atomic<int> made{0};
  {
    BatchQueue q(50, 2, 3, [&](int64_t s, Batch& b) {
      b.n = 1 + int(s % 2);
      b.x[0] = float(s);
      b.y[0] = int(s) * 10;
      ++made;
    });
    for (int s = 0; s < 50; ++s) {
      const Batch& b = q.next();
      CHECK(b.x[0] == float(s));
      CHECK(b.y[0] == s * 10);
      CHECK(b.n == 1 + s % 2);
    }
  }
  CHECK(made == 50);
  BatchQueue bad(5, 1, 1, [](int64_t s, Batch&) {
    if (s == 2) throw Error("x.jpg: broken");
  });
  bad.next();
  bad.next();
  CHECK_THROWS_WITH_AS(bad.next(), "x.jpg: broken", Error);
  BatchQueue early(1000, 1, 1, [](int64_t, Batch&) {});  // destroyed before it is drained
  early.next();
}

TEST_CASE("training on an image folder: two runs give the same numbers bit for bit") {
  testing::FolderSpec spec;
  spec.png = true;
  spec.train_per_class = 8;
  TempFolder f(spec);
  TrainConfig c;
  c.net = "tiny";
  c.input = Shape{3, 16, 16};
  c.dataset = "imagefolder:" + f.dir.string();
  c.epochs = 2;
  c.batch = 4;
  c.val_fraction = 0.25;
  c.progress = false;
  std::ostringstream log;
  const TrainResult a = train(c, log), b = train(c, log);
  REQUIRE(a.history.size() == 2);
  for (size_t e = 0; e < a.history.size(); ++e) {
    CHECK(a.history[e].train_loss() == b.history[e].train_loss());
    CHECK(a.history[e].validation_loss() == b.history[e].validation_loss());
  }
  CHECK(a.test_loss == b.test_loss);
  CHECK(std::isfinite(a.test_loss));
}

}  // namespace
}  // namespace odimo::mapper
