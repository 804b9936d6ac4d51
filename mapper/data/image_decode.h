#pragma once
// Decoding of one JPEG (libjpeg-turbo's TurboJPEG API) or PNG (libpng's simplified
// API) file to 8-bit gray or RGB pixels. The format is told by the file's first
// bytes, not its name. Every unreadable, corrupt, truncated or oversized file is an
// odimo::Error naming it. Thread-safe.
#include <cstdint>
#include <string>
#include <vector>

namespace odimo::mapper {

struct Image {
  int h = 0, w = 0, c = 0;
  std::vector<uint8_t> pixels;  // (h, w, c)
};

// Limits of what is decoded (assumption: above any ImageNet photo, below what would
// exhaust memory on a 24 GB machine when several threads decode at once).
inline constexpr int kMaxImageSide = 16384;
inline constexpr int64_t kMaxImageFileBytes = int64_t(256) << 20;

// `channels`: 1 (converted to gray) or 3 (RGB; gray images are replicated). A JPEG larger
// than min_h x min_w on both sides is decoded at the smallest of libjpeg-turbo's DCT
// scalings (8/8, 7/8, ..., 1/8) that still covers min_h x min_w: far less work for photos
// that are resized down anyway.
Image decode_image(const std::string& path, int channels, int min_h = 0, int min_w = 0);

}  // namespace odimo::mapper
