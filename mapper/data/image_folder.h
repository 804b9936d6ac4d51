#pragma once
// Image-folder data sets (`--dataset imagefolder:DIR`, the ImageNet / Tiny-ImageNet
// layout): DIR/train/CLASS/**/*.{jpg,jpeg,png} and DIR/val/CLASS/**/*, classes the
// sorted folder names, the same in train/ and val/.
//
// Design (mapper/README.md, "Image folders"): every image is decoded once, on
// `threads` threads, resized (shorter side) and centre-cropped to the cache size
// folder_cache_shape(input) = 8/7 of the network input (the 256/224 of the ImageNet
// recipe) and kept in memory as bytes in a Dataset whose `crop` is the network input.
// Batches then cut the input from the cache: evaluation the centre crop, training a
// random-resized crop + horizontal flip drawn from ImageRng(seed, epoch, index).
#include <string>
#include <vector>

#include "mapper/data/data.h"

namespace odimo::mapper {

struct FolderListing {
  std::string dir;                   // DIR/train or DIR/val
  std::vector<std::string> classes;  // sorted folder names
  std::vector<std::string> files;    // sorted within each class, classes in order
  std::vector<int> labels;           // index into classes, per file
};

// Lists one split; throws Error naming the folder or file on a missing split folder, no
// class folders, a class folder without images, or an image in a format odimo cannot read.
FolderListing list_image_folder(const std::string& split_dir);

// Network input C x H x W -> cache C x round(8H/7) x round(8W/7).
Shape folder_cache_shape(const Shape& input);

// Cached bytes above this are refused (assumption: half of a 24 GB machine; streaming
// from disk for ImageNet-sized folders is not built).
inline constexpr int64_t kMaxFolderCacheBytes = int64_t(12) << 30;

// Decodes and caches a listing (see above); the lowest-numbered failing file is the error.
Dataset load_image_folder(const FolderListing& listing, const std::string& name, const Shape& input,
                          int threads);

// Train and test (val/) sets of DIR, after checking that both list the same classes.
void load_image_folders(const std::string& dir, const Shape& input, int threads, Dataset& train,
                        Dataset& test);

// x (n images of d.crop, (N,H,W,C), normalised), y from images idx[0..n) of a folder set:
// `train` random-resized crop + flip from ImageRng(seed, epoch, idx[i]), else centre crop.
void make_folder_batch(const Dataset& d, const int* idx, int n, const std::vector<float>& mean,
                       const std::vector<float>& stddev, bool train, uint64_t seed, int epoch, float* x,
                       int* y);

}  // namespace odimo::mapper
