// Image-folder listing, decoding into the cache, and batches (see image_folder.h).
#include "mapper/data/image_folder.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "mapper/data/image_decode.h"
#include "mapper/data/image_geometry.h"
#include "proto/error.h"

namespace odimo::mapper {
namespace {

namespace fs = std::filesystem;

std::string lower_extension(const fs::path& p) {
  std::string e = p.extension().string();
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char ch) { return char(std::tolower(ch)); });
  return e;
}

// Image files of one class folder, recursively (Tiny-ImageNet keeps them in CLASS/images/),
// sorted. Files with other extensions (Tiny-ImageNet's *_boxes.txt) are not images and are
// skipped; image formats odimo does not read are errors, not silently missing data.
std::vector<std::string> class_images(const fs::path& dir) {
  std::vector<std::string> out;
  const auto opts = fs::directory_options::follow_directory_symlink;
  for (const auto& e : fs::recursive_directory_iterator(dir, opts)) {
    if (!e.is_regular_file() || e.path().filename().string().front() == '.') continue;
    const std::string ext = lower_extension(e.path());
    if (ext == ".jpg" || ext == ".jpeg" || ext == ".png")
      out.push_back(e.path().string());
    else if (ext == ".gif" || ext == ".bmp" || ext == ".webp" || ext == ".tif" || ext == ".tiff" ||
             ext == ".ppm" || ext == ".pgm" || ext == ".heic")
      throw Error(e.path().string() + ": format " + ext +
                  ": expected a JPEG (.jpg, .jpeg) or PNG (.png) image");
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string gib(double bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f GiB", bytes / double(int64_t(1) << 30));
  return text;
}

struct DecodeJob {
  const FolderListing& listing;
  const Shape& cache;
  Dataset& out;
  std::atomic<size_t> next{0};
  std::vector<std::string> errors;  // per file; the lowest-numbered one is reported
};

void decode_into_cache(DecodeJob& job) {
  const Shape& s = job.cache;
  std::vector<float> resized(size_t(s.elements()));
  for (size_t i; (i = job.next.fetch_add(1)) < job.listing.files.size();) {
    try {
      const Image img = decode_image(job.listing.files[i], s.c, s.h, s.w);
      resample(img.pixels.data(), img.h, img.w, s.c, centre_box(img.h, img.w, s.h, s.w), s.h, s.w, false,
               resized.data());
      uint8_t* dst = job.out.pixels.data() + int64_t(i) * s.elements();
      for (size_t k = 0; k < resized.size(); ++k) dst[k] = uint8_t(resized[k] + 0.5f);  // in [0, 255]
    } catch (const Error& e) {
      job.errors[i] = e.what();
    } catch (const std::exception& e) {  // out of memory, ...: never past the thread
      job.errors[i] = job.listing.files[i] + ": cannot decode (" + e.what() + ")";
    }
  }
}

}  // namespace

namespace {
FolderListing list_split(const std::string& split_dir);
}  // namespace

FolderListing list_image_folder(const std::string& split_dir) {
  try {
    return list_split(split_dir);
  } catch (const fs::filesystem_error& e) {  // unreadable folder, symlink loop, ...
    throw Error(e.path1().string() + ": cannot list (" + e.code().message() + ")");
  }
}

namespace {

FolderListing list_split(const std::string& split_dir) {
  FolderListing l;
  l.dir = split_dir;
  if (!fs::is_directory(split_dir))
    throw Error(split_dir +
                ": no such folder (imagefolder:DIR expects DIR/train/CLASS/*.jpg and DIR/val/CLASS/*.jpg)");
  for (const auto& e : fs::directory_iterator(split_dir, fs::directory_options::follow_directory_symlink))
    if (e.is_directory() && e.path().filename().string().front() != '.')
      l.classes.push_back(e.path().filename().string());
  std::sort(l.classes.begin(), l.classes.end());
  if (l.classes.empty())
    throw Error(split_dir + ": no class folders, so no images (expected " + split_dir + "/CLASS/*.jpg)");
  if (l.classes.size() > 65535)
    throw Error(split_dir + ": " + std::to_string(l.classes.size()) +
                " class folders: expected at most 65535");
  for (size_t c = 0; c < l.classes.size(); ++c) {
    const std::vector<std::string> files = class_images(fs::path(split_dir) / l.classes[c]);
    if (files.empty())
      throw Error((fs::path(split_dir) / l.classes[c]).string() +
                  ": empty class folder: expected .jpg, .jpeg or .png images");
    l.files.insert(l.files.end(), files.begin(), files.end());
    l.labels.insert(l.labels.end(), files.size(), int(c));
  }
  if (l.files.size() > size_t(INT32_MAX)) throw Error(split_dir + ": more than 2^31-1 images");
  return l;
}

}  // namespace

Shape folder_cache_shape(const Shape& input) {
  return {input.c, int(std::lround(input.h * 8.0 / 7)), int(std::lround(input.w * 8.0 / 7))};
}

Dataset load_image_folder(const FolderListing& listing, const std::string& name, const Shape& input,
                          int threads) {
  if (input.c != 1 && input.c != 3)
    throw Error(listing.dir + ": the network takes " + input.str() +
                " inputs: image folders give 1 (gray) or 3 (RGB) channels (use --input)");
  const Shape cache = folder_cache_shape(input);
  const int64_t n = int64_t(listing.files.size()), per = std::max<int64_t>(1, cache.elements());
  if (n > kMaxFolderCacheBytes / per)  // checked by division: n * per could overflow
    throw Error(listing.dir + ": " + std::to_string(n) + " images cached at " + cache.str() + " need " +
                gib(double(n) * double(per)) + ": expected at most " + gib(double(kMaxFolderCacheBytes)) +
                " (image folders are held in memory; use a smaller --input or fewer images)");
  Dataset d;
  d.name = name;
  d.shape = cache;
  d.crop = input;
  d.classes = int(listing.classes.size());
  d.labels.assign(listing.labels.begin(), listing.labels.end());
  d.pixels.resize(size_t(n * per));
  DecodeJob job{listing, cache, d, {}, std::vector<std::string>(listing.files.size())};
  std::vector<std::thread> pool;
  for (int t = 1; t < std::max(1, threads); ++t) pool.emplace_back(decode_into_cache, std::ref(job));
  decode_into_cache(job);
  for (auto& t : pool) t.join();
  for (const std::string& e : job.errors)
    if (!e.empty()) throw Error(e);
  return d;
}

void load_image_folders(const std::string& dir, const Shape& input, int threads, Dataset& train,
                        Dataset& test) {
  const FolderListing tl = list_image_folder((fs::path(dir) / "train").string());
  const FolderListing vl = list_image_folder((fs::path(dir) / "val").string());
  if (tl.classes != vl.classes) {
    std::vector<std::string> only_train, only_val;
    std::set_difference(tl.classes.begin(), tl.classes.end(), vl.classes.begin(), vl.classes.end(),
                        std::back_inserter(only_train));
    std::set_difference(vl.classes.begin(), vl.classes.end(), tl.classes.begin(), tl.classes.end(),
                        std::back_inserter(only_val));
    auto names = [](const std::vector<std::string>& v) {
      std::string s;
      for (size_t i = 0; i < std::min<size_t>(v.size(), 5); ++i) s += (i ? ", " : "") + v[i];
      return (v.empty() ? "none" : s) + (v.size() > 5 ? ", ..." : "");
    };
    throw Error(vl.dir + ": class folders differ from " + tl.dir + ": only in train: " + names(only_train) +
                "; only in val: " + names(only_val) + ": expected the same class folders in train/ and val/");
  }
  train = load_image_folder(tl, "imagefolder/train", input, threads);
  test = load_image_folder(vl, "imagefolder/val", input, threads);
}

void make_folder_batch(const Dataset& d, const int* idx, int n, const std::vector<float>& mean,
                       const std::vector<float>& stddev, bool train, uint64_t seed, int epoch, float* x,
                       int* y) {
  const Shape& s = d.shape;
  const int C = s.c;
  const int64_t out = d.crop.elements();
  std::vector<float> scale(C), shift(C);  // v in [0, 255] -> (v / 255 - mean) / stddev
  for (int c = 0; c < C; ++c) scale[c] = 1.0f / (255.0f * stddev[c]), shift[c] = -mean[c] / stddev[c];
  for (int i = 0; i < n; ++i) {
    const uint8_t* img = d.pixels.data() + int64_t(idx[i]) * s.elements();
    y[i] = d.labels[idx[i]];
    CropBox box = centre_crop(s.h, s.w, d.crop.h, d.crop.w);
    bool flip = false;
    if (train) {
      ImageRng rng(seed, epoch, idx[i]);
      box = random_resized_box(s.h, s.w, rng);
      flip = rng.next() & 1;
    }
    float* dst = x + i * out;
    resample(img, s.h, s.w, C, box, d.crop.h, d.crop.w, flip, dst);
    for (int64_t p = 0; p < out; p += C)
      for (int c = 0; c < C; ++c) dst[p + c] = dst[p + c] * scale[c] + shift[c];
  }
}

}  // namespace odimo::mapper
