#pragma once
// Image classification data sets, stored as 8-bit pixels (N,H,W,C) and
// normalised per batch: Fashion-MNIST (gzipped IDX), CIFAR-10/100 (binary
// version) and a seeded synthetic set. Every missing, truncated or
// wrong-format file is an odimo::Error naming the file.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "workloads/network.h"

namespace odimo::mapper {

struct Dataset {
  std::string name;
  Shape shape;  // per image (c,h,w)
  int classes = 0;
  std::vector<uint8_t> pixels;  // (N,H,W,C)
  std::vector<uint8_t> labels;  // (N)
  int size() const { return int(labels.size()); }
  int64_t image_bytes() const { return shape.elements(); }
};

struct DataSplits {
  Dataset train, validation, test;
  std::vector<float> mean, stddev;  // per channel, of the training pixels in [0, 1]
};

inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// "fashion-mnist" (from `fashion_dir`), "fashion-mnist:DIR" (gzipped IDX files in DIR), "cifar10:DIR",
// "cifar100:DIR" or "synthetic". `val_fraction` of the training set (a seeded permutation) becomes the
// validation set. `synthetic_shape`/`synthetic_classes` size the synthetic set (taken from the network).
DataSplits load_dataset(const std::string& spec, double val_fraction, uint64_t seed,
                        const Shape& synthetic_shape, int synthetic_classes,
                        const std::string& fashion_dir = kFashionMnistDir);

Dataset load_fashion_mnist(const std::string& dir, bool train);
Dataset load_cifar(const std::string& dir, bool hundred, bool train);
// Class templates plus noise: learnable in a few steps, deterministic in `seed`.
Dataset make_synthetic(const Shape& shape, int classes, int count, uint64_t seed);

struct Augment {
  int crop_padding = 0;  // random crop after zero-padding by this many pixels
  bool flip = false;     // random horizontal flip
};

// Fills x (n images, (N,H,W,C) floats, normalised) and y from images idx[0..n).
void make_batch(const Dataset& d, const int* idx, int n, const std::vector<float>& mean,
                const std::vector<float>& stddev, const Augment& aug, std::mt19937_64& rng, float* x, int* y);

}  // namespace odimo::mapper
