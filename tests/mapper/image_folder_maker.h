#pragma once
// Writes small image folders for the tests and the loader benchmark: seeded images
// (a class-coloured gradient plus noise, so a few steps can learn them) encoded with
// libjpeg-turbo and libpng, and the broken variants the error tests need.
#include <cstdint>
#include <string>

namespace odimo::testing {

struct FolderSpec {
  int classes = 3;
  int train_per_class = 4, val_per_class = 2;
  int h = 20, w = 24, c = 3;
  bool png = false;  // every other image is a PNG (else all JPEG)
  uint64_t seed = 1;
};

// DIR/train/classK/imgN.jpg|png and DIR/val/...; DIR is replaced.
void make_image_folder(const std::string& dir, const FolderSpec& spec);

// Applies a defect to a folder written by make_image_folder; returns the file or folder
// the error message must name. Defects: corrupt, truncated, truncated-png, wrong-format,
// unsupported, empty-class, no-train, no-val, mismatched-classes, no-classes.
std::string break_image_folder(const std::string& dir, const std::string& defect);

void write_jpeg(const std::string& path, const uint8_t* pixels, int h, int w, int c, int quality);
void write_png(const std::string& path, const uint8_t* pixels, int h, int w, int c);

}  // namespace odimo::testing
