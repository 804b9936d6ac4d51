// JPEG and PNG decoding (see image_decode.h).
#include "mapper/data/image_decode.h"

#include <png.h>
#include <turbojpeg.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "proto/error.h"

namespace odimo::mapper {
namespace {

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw Error(path + ": cannot read (" + ec.message() + ")");
  if (int64_t(size) > kMaxImageFileBytes)
    throw Error(path + ": " + std::to_string(size) + " bytes: expected an image file of at most 256 MiB");
  std::vector<uint8_t> bytes(size);
  std::ifstream in(path, std::ios::binary);
  if (!in.read(reinterpret_cast<char*>(bytes.data()), std::streamsize(size)))
    throw Error(path + ": cannot read");
  return bytes;
}

void check_sides(const std::string& path, int64_t h, int64_t w) {
  if (h < 1 || w < 1 || h > kMaxImageSide || w > kMaxImageSide)
    throw Error(path + ": image size " + std::to_string(w) + "x" + std::to_string(h) +
                ": expected sides of 1 to " + std::to_string(kMaxImageSide) + " pixels");
}

// One decompressor per thread, reused for every file that thread decodes.
struct JpegDecoder {
  tjhandle handle = tjInitDecompress();
  ~JpegDecoder() {
    if (handle) tjDestroy(handle);
  }
};

// The smallest DCT scaling of w x h that keeps both sides at least min_w x min_h.
void scale_down(int& w, int& h, int min_h, int min_w) {
  int n = 0;
  const tjscalingfactor* f = tjGetScalingFactors(&n);
  int best_w = w, best_h = h;
  for (int i = 0; f && i < n; ++i) {
    const int sw = TJSCALED(w, f[i]), sh = TJSCALED(h, f[i]);
    if (sw >= min_w && sh >= min_h && int64_t(sw) * sh < int64_t(best_w) * best_h) best_w = sw, best_h = sh;
  }
  w = best_w, h = best_h;
}

Image decode_jpeg(const std::string& path, const std::vector<uint8_t>& bytes, int channels, int min_h,
                  int min_w) {
  thread_local JpegDecoder dec;
  if (!dec.handle) throw Error(path + ": cannot start the JPEG decoder");
  int w = 0, h = 0, subsamp = 0, colorspace = 0;
  if (tjDecompressHeader3(dec.handle, bytes.data(), bytes.size(), &w, &h, &subsamp, &colorspace) != 0)
    throw Error(path + ": corrupt JPEG (" + tjGetErrorStr2(dec.handle) + ")");
  check_sides(path, h, w);
  if (min_h > 0 && min_w > 0) scale_down(w, h, min_h, min_w);
  Image img{h, w, channels, std::vector<uint8_t>(size_t(h) * w * channels)};
  // Warnings (a truncated file is "premature end of JPEG file") fail the image too: a
  // silently grey-padded picture would be wrong data.
  if (tjDecompress2(dec.handle, bytes.data(), bytes.size(), img.pixels.data(), w, 0, h,
                    channels == 1 ? TJPF_GRAY : TJPF_RGB, TJFLAG_ACCURATEDCT) != 0)
    throw Error(path + ": corrupt or truncated JPEG (" + tjGetErrorStr2(dec.handle) + ")");
  return img;
}

Image decode_png(const std::string& path, const std::vector<uint8_t>& bytes, int channels) {
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&png, bytes.data(), bytes.size())) {
    const std::string why = png.message;
    png_image_free(&png);
    throw Error(path + ": corrupt PNG (" + why + ")");
  }
  if (png.width > uint32_t(kMaxImageSide) || png.height > uint32_t(kMaxImageSide)) png_image_free(&png);
  check_sides(path, png.height, png.width);
  png.format = channels == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
  Image img{int(png.height), int(png.width), channels, std::vector<uint8_t>(PNG_IMAGE_SIZE(png))};
  const png_color black{0, 0, 0};  // transparent pixels are composited onto black
  if (!png_image_finish_read(&png, &black, img.pixels.data(), 0, nullptr)) {
    const std::string why = png.message;
    png_image_free(&png);
    throw Error(path + ": corrupt or truncated PNG (" + why + ")");
  }
  png_image_free(&png);
  return img;
}

std::string first_bytes(const std::vector<uint8_t>& b) {
  std::string s;
  char hex[4];
  for (size_t i = 0; i < std::min<size_t>(4, b.size()); ++i) {
    std::snprintf(hex, sizeof hex, i ? " %02x" : "%02x", b[i]);
    s += hex;
  }
  return "bytes " + s;
}

}  // namespace

Image decode_image(const std::string& path, int channels, int min_h, int min_w) {
  if (channels != 1 && channels != 3)
    throw Error(path + ": " + std::to_string(channels) + " channels: image folders give 1 (gray) or 3 (RGB)");
  const std::vector<uint8_t> bytes = read_bytes(path);
  if (bytes.size() >= 3 && bytes[0] == 0xff && bytes[1] == 0xd8 && bytes[2] == 0xff)
    return decode_jpeg(path, bytes, channels, min_h, min_w);
  if (bytes.size() >= 8 && png_sig_cmp(bytes.data(), 0, 8) == 0) return decode_png(path, bytes, channels);
  throw Error(path + (bytes.empty() ? ": empty file" : ": starts with " + first_bytes(bytes)) +
              ": expected a JPEG or PNG image");
}

}  // namespace odimo::mapper
