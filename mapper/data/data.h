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
  Shape shape;  // per stored image (c,h,w)
  Shape
      crop;  // image folders (mapper/data/image_folder.h): the network input cut from each image; else empty
  int classes = 0;
  std::vector<uint8_t> pixels;   // (N,H,W,C)
  std::vector<uint16_t> labels;  // (N)
  int size() const { return int(labels.size()); }
  int64_t image_bytes() const { return shape.elements(); }
  bool folder() const { return crop.elements() > 0; }
  Shape input() const { return folder() ? crop : shape; }  // per batch image
};

struct DataSplits {
  Dataset train, validation, test;
  std::vector<float> mean, stddev;  // per channel, of the training pixels in [0, 1]
};

inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// "fashion-mnist" (from `fashion_dir`), "fashion-mnist:DIR" (gzipped IDX files in DIR), "cifar10:DIR",
// "cifar100:DIR", "imagefolder:DIR" (mapper/data/image_folder.h; val/ is the test set) or "synthetic".
// `val_fraction` of the training set (a seeded permutation) becomes the validation set.
// `net_input`/`synthetic_classes` size the synthetic set; `net_input` is also the crop of image
// folders, which are decoded on `threads` threads.
DataSplits load_dataset(const std::string& spec, double val_fraction, uint64_t seed, const Shape& net_input,
                        int synthetic_classes, const std::string& fashion_dir = kFashionMnistDir,
                        int threads = 2);

// The one rule of train, search and deploy for the data a network meets: load_dataset with the
// network's input and (synthetic data) its outputs as the classes; refused (Error) when the
// images have another shape than the network's input, the training split is empty, or the
// data set has more classes than the network has outputs (its last layer's channels; the
// network's stated class count is not used: imported networks state none).
DataSplits load_dataset_for(const Network& net, const std::string& spec, double val_fraction, uint64_t seed,
                            int threads, const std::string& fashion_dir = kFashionMnistDir);

Dataset load_fashion_mnist(const std::string& dir, bool train);
Dataset load_cifar(const std::string& dir, bool hundred, bool train);
// Class templates plus noise: learnable in a few steps, deterministic in `seed`.
Dataset make_synthetic(const Shape& shape, int classes, int count, uint64_t seed);

// The int8 shift of the network input the integer network uses (round(x * 2^k), k the
// largest shift that keeps every normalised value of the data set's range in [-128, 127]).
int int8_input_shift(const DataSplits& d);

struct Augment {
  int crop_padding = 0;  // random crop after zero-padding by this many pixels
  bool flip = false;     // random horizontal flip
};

// Fills x (n images, (N,H,W,C) floats, normalised) and y from images idx[0..n).
void make_batch(const Dataset& d, const int* idx, int n, const std::vector<float>& mean,
                const std::vector<float>& stddev, const Augment& aug, std::mt19937_64& rng, float* x, int* y);

// One batch of any set, the call of the training loops and of evaluation: fixed-size sets go
// through make_batch (`aug` drawn from `rng`, in call order); image folders through
// make_folder_batch: with any `aug` a random-resized crop + flip per image from
// (seed, epoch, index), with Augment{} (evaluation) the centre crop.
void fill_batch(const Dataset& d, const int* idx, int n, const std::vector<float>& mean,
                const std::vector<float>& stddev, const Augment& aug, std::mt19937_64& rng, uint64_t seed,
                int epoch, float* x, int* y);

}  // namespace odimo::mapper
