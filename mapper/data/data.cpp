// Data-set readers (IDX via zlib, CIFAR binary), synthetic data, splits, batches.
#include "mapper/data/data.h"

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <numeric>

#include "mapper/data/image_folder.h"
#include "proto/error.h"
#include "proto/proto_io.h"

namespace odimo::mapper {
namespace {

std::vector<uint8_t> read_gzip(const std::string& path) {
  if (!file_exists(path))
    throw Error(path +
                ": no such file (Fashion-MNIST comes with Debian's dataset-fashion-mnist package; elsewhere "
                "give --dataset fashion-mnist:DIR with the four *-ubyte.gz files)");
  check_readable_file(path);
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw Error(path + ": cannot open");
  std::vector<uint8_t> out;
  std::vector<uint8_t> buf(1 << 20);
  int got;
  while ((got = gzread(f, buf.data(), unsigned(buf.size()))) > 0)
    out.insert(out.end(), buf.begin(), buf.begin() + got);
  int err = 0;
  const char* msg = gzerror(f, &err);
  const bool bad = got < 0 || (err != Z_OK && err != Z_STREAM_END);
  const std::string why = bad ? msg : "";
  gzclose(f);
  if (bad) throw Error(path + ": corrupt or truncated gzip data (" + why + ")");
  return out;
}

uint32_t big_endian(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}

// IDX: magic 0x0000 08 <ndim>, ndim big-endian u32 extents, then the bytes.
std::vector<uint8_t> read_idx(const std::string& path, int ndim, std::vector<uint32_t>& dims) {
  std::vector<uint8_t> raw = read_gzip(path);
  if (raw.size() < 4 || raw[0] || raw[1] || raw[2] != 0x08 || raw[3] != ndim)
    throw Error(path + ": not an unsigned-byte IDX file with " + std::to_string(ndim) + " dimensions");
  const size_t header = 4 + 4 * size_t(ndim);
  if (raw.size() < header) throw Error(path + ": truncated IDX header");
  // Each multiply of the extents is checked first: a forged header cannot overflow the count.
  size_t count = 1;
  std::string extents;
  dims.clear();
  for (int i = 0; i < ndim; ++i) {
    dims.push_back(big_endian(&raw[4 + 4 * i]));
    extents += (i ? " x " : "") + std::to_string(dims.back());
    if (dims.back() > uint32_t(INT32_MAX))
      throw Error(path + ": IDX extent " + std::to_string(dims.back()) + ": expected at most 2^31-1");
  }
  for (uint32_t d : dims) {
    if (d && count > SIZE_MAX / d)
      throw Error(path + ": IDX extents " + extents + ": their product overflows 64 bits (corrupt header?)");
    count *= d;
  }
  if (raw.size() - header != count)
    throw Error(path + ": IDX header promises " + std::to_string(count) + " bytes of data, file has " +
                std::to_string(raw.size() - header) + " (truncated?)");
  return std::vector<uint8_t>(raw.begin() + header, raw.end());
}

void check_labels(const Dataset& d, const std::string& origin) {
  for (uint16_t l : d.labels)
    if (l >= d.classes) throw Error(origin + ": label " + std::to_string(l) + " out of range");
}

Dataset subset(const Dataset& d, const std::vector<int>& idx, const std::string& name) {
  Dataset s;
  s.name = name;
  s.shape = d.shape;
  s.crop = d.crop;
  s.classes = d.classes;
  const int64_t b = d.image_bytes();
  s.pixels.resize(idx.size() * b);
  s.labels.resize(idx.size());
  for (size_t i = 0; i < idx.size(); ++i) {
    std::copy_n(d.pixels.begin() + idx[i] * b, b, s.pixels.begin() + i * b);
    s.labels[i] = d.labels[idx[i]];
  }
  return s;
}

}  // namespace

Dataset load_fashion_mnist(const std::string& dir, bool train) {
  const std::string pre = dir + "/" + (train ? "train" : "t10k");
  std::vector<uint32_t> idims, ldims;
  Dataset d;
  d.name = std::string("fashion-mnist/") + (train ? "train" : "test");
  d.pixels = read_idx(pre + "-images-idx3-ubyte.gz", 3, idims);
  const std::vector<uint8_t> labels = read_idx(pre + "-labels-idx1-ubyte.gz", 1, ldims);
  d.labels.assign(labels.begin(), labels.end());
  if (idims[0] != ldims[0])
    throw Error(pre + ": " + std::to_string(idims[0]) + " images but " + std::to_string(ldims[0]) +
                " labels");
  d.shape = {1, int(idims[1]), int(idims[2])};
  d.classes = 10;
  check_labels(d, pre + "-labels-idx1-ubyte.gz");
  return d;
}

// CIFAR binary version: records of <label bytes><3072 bytes, planes R,G,B of 32x32>.
// CIFAR-10: data_batch_1..5.bin / test_batch.bin, 1 label byte; CIFAR-100: train.bin /
// test.bin, 2 label bytes (coarse, fine; we use fine).
Dataset load_cifar(const std::string& dir, bool hundred, bool train) {
  std::vector<std::string> files;
  if (hundred)
    files = {train ? "train.bin" : "test.bin"};
  else if (train)
    files = {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
             "data_batch_5.bin"};
  else
    files = {"test_batch.bin"};
  const int label_bytes = hundred ? 2 : 1, plane = 32 * 32, record = label_bytes + 3 * plane;
  Dataset d;
  d.name = std::string(hundred ? "cifar100/" : "cifar10/") + (train ? "train" : "test");
  d.shape = {3, 32, 32};
  d.classes = hundred ? 100 : 10;
  for (const auto& f : files) {
    const std::string path = dir + "/" + f;
    if (!file_exists(path))
      throw Error(path + ": no such file (expected the CIFAR binary version in " + dir + ")");
    const std::string bytes = read_file(path);
    const std::vector<uint8_t> raw(bytes.begin(), bytes.end());
    if (raw.empty() || raw.size() % record)
      throw Error(path + ": " + std::to_string(raw.size()) + " bytes is not a whole number of " +
                  std::to_string(record) + "-byte CIFAR records (truncated or wrong format?)");
    for (size_t r = 0; r < raw.size(); r += record) {
      d.labels.push_back(raw[r + label_bytes - 1]);
      const uint8_t* img = &raw[r + label_bytes];
      for (int p = 0; p < plane; ++p)
        for (int c = 0; c < 3; ++c) d.pixels.push_back(img[c * plane + p]);  // CHW -> HWC
    }
  }
  check_labels(d, dir);
  return d;
}

Dataset make_synthetic(const Shape& shape, int classes, int count, uint64_t seed) {
  if (classes < 1 || shape.elements() < 1) throw Error("synthetic data: need at least one class and pixel");
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> pixel(0, 255), label(0, classes - 1), noise(-60, 60);
  const int64_t b = shape.elements();
  std::vector<uint8_t> templates(classes * b);
  for (auto& v : templates) v = uint8_t(pixel(rng));
  Dataset d;
  d.name = "synthetic";
  d.shape = shape;
  d.classes = classes;
  d.pixels.resize(count * b);
  d.labels.resize(count);
  for (int i = 0; i < count; ++i) {
    d.labels[i] = uint8_t(label(rng));
    for (int64_t j = 0; j < b; ++j)
      d.pixels[i * b + j] = uint8_t(std::clamp(templates[d.labels[i] * b + j] + noise(rng), 0, 255));
  }
  return d;
}

DataSplits load_dataset_for(const Network& net, const std::string& spec, double val_fraction, uint64_t seed,
                            int threads, const std::string& fashion_dir) {
  const int outputs = net.layers.back().out.c;
  DataSplits data = load_dataset(spec, val_fraction, seed, net.input, outputs, fashion_dir, threads);
  if (data.train.input() != net.input)
    throw Error("--dataset " + spec + " has " + data.train.input().str() + " images but " + net.name +
                " expects " + net.input.str() + " (use --input " + data.train.input().str() + ")");
  if (data.train.size() == 0) throw Error("--dataset " + spec + ": the training split is empty");
  if (outputs < data.train.classes)
    throw Error(net.name + " has " + std::to_string(outputs) + " outputs but " + spec + " has " +
                std::to_string(data.train.classes) + " classes");
  return data;
}

DataSplits load_dataset(const std::string& spec, double val_fraction, uint64_t seed, const Shape& net_input,
                        int synthetic_classes, const std::string& fashion_dir, int threads) {
  DataSplits s;
  Dataset train;
  auto dir_of = [&](size_t prefix) {
    if (spec.size() <= prefix)
      throw Error("--dataset " + spec + ": give the folder, e.g. cifar10:/data/cifar");
    return spec.substr(prefix);
  };
  if (spec == "fashion-mnist" || spec.rfind("fashion-mnist:", 0) == 0) {
    const std::string dir = spec == "fashion-mnist" ? fashion_dir : dir_of(14);
    train = load_fashion_mnist(dir, true);
    s.test = load_fashion_mnist(dir, false);
  } else if (spec.rfind("cifar10:", 0) == 0) {
    train = load_cifar(dir_of(8), false, true);
    s.test = load_cifar(dir_of(8), false, false);
  } else if (spec.rfind("cifar100:", 0) == 0) {
    train = load_cifar(dir_of(9), true, true);
    s.test = load_cifar(dir_of(9), true, false);
  } else if (spec.rfind("imagefolder:", 0) == 0) {
    load_image_folders(dir_of(12), net_input, threads, train, s.test);
  } else if (spec == "synthetic") {
    train = make_synthetic(net_input, synthetic_classes, 1024, seed);
    s.test = make_synthetic(net_input, synthetic_classes, 256, seed);  // same templates
    s.test.name = "synthetic/test";
  } else {
    throw Error(
        "--dataset: unknown data set '" + spec +
        "' (fashion-mnist, fashion-mnist:DIR, cifar10:DIR, cifar100:DIR, imagefolder:DIR, synthetic)");
  }
  if (val_fraction < 0 || val_fraction >= 1) throw Error("--val-fraction must be in [0, 1)");
  std::vector<int> order(train.size());
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(seed ^ 0x5eedULL);
  std::shuffle(order.begin(), order.end(), rng);
  const int nval = int(std::lround(val_fraction * train.size()));
  s.validation =
      subset(train, std::vector<int>(order.begin(), order.begin() + nval), train.name + "/validation");
  std::vector<int> rest(order.begin() + nval, order.end());
  std::sort(rest.begin(), rest.end());
  s.train = subset(train, rest, train.name);
  const int C = train.shape.c;
  std::vector<double> sum(C, 0.0), sq(C, 0.0);
  for (size_t i = 0; i < s.train.pixels.size(); ++i) {
    const double v = s.train.pixels[i] / 255.0;
    sum[i % C] += v, sq[i % C] += v * v;
  }
  const double per = double(s.train.pixels.size() / C);
  for (int c = 0; c < C; ++c) {
    const double m = sum[c] / per;
    s.mean.push_back(float(m));
    s.stddev.push_back(float(std::sqrt(std::max(sq[c] / per - m * m, 1e-12))));
  }
  return s;
}

void make_batch(const Dataset& d, const int* idx, int n, const std::vector<float>& mean,
                const std::vector<float>& stddev, const Augment& aug, std::mt19937_64& rng, float* x,
                int* y) {
  const int H = d.shape.h, W = d.shape.w, C = d.shape.c;
  std::vector<float> lut(256 * C);  // pixel value -> normalised value, per channel
  for (int c = 0; c < C; ++c)
    for (int v = 0; v < 256; ++v) lut[v * C + c] = (v / 255.0f - mean[c]) / stddev[c];
  std::uniform_int_distribution<int> shift(-aug.crop_padding, aug.crop_padding), coin(0, 1);
  for (int i = 0; i < n; ++i) {
    const uint8_t* img = d.pixels.data() + int64_t(idx[i]) * d.image_bytes();
    y[i] = d.labels[idx[i]];
    const int dy = aug.crop_padding ? shift(rng) : 0, dx = aug.crop_padding ? shift(rng) : 0;
    const bool flip = aug.flip && coin(rng);
    float* out = x + int64_t(i) * d.image_bytes();
    for (int r = 0; r < H; ++r)
      for (int col = 0; col < W; ++col) {
        const int sr = r + dy, sc = (flip ? W - 1 - col : col) + dx;
        for (int c = 0; c < C; ++c) {
          const bool inside = sr >= 0 && sr < H && sc >= 0 && sc < W;  // zero padding (normalised 0 pixel)
          out[(r * W + col) * C + c] = inside ? lut[img[(sr * W + sc) * C + c] * C + c] : lut[c];
        }
      }
  }
}

void fill_batch(const Dataset& d, const int* idx, int n, const std::vector<float>& mean,
                const std::vector<float>& stddev, const Augment& aug, std::mt19937_64& rng, uint64_t seed,
                int epoch, float* x, int* y) {
  if (d.folder())
    make_folder_batch(d, idx, n, mean, stddev, aug.flip || aug.crop_padding > 0, seed, epoch, x, y);
  else
    make_batch(d, idx, n, mean, stddev, aug, rng, x, y);
}

int int8_input_shift(const DataSplits& d) {
  double m = 1e-6;
  for (size_t c = 0; c < d.mean.size(); ++c)
    m = std::max({m, (1.0 - double(d.mean[c])) / d.stddev[c], double(d.mean[c]) / d.stddev[c]});
  return std::clamp(int(std::floor(std::log2(127.0 / m))), -8, 16);
}

}  // namespace odimo::mapper
