// Image folders written at test time (see image_folder_maker.h).
#include "tests/mapper/image_folder_maker.h"

#include <png.h>
#include <turbojpeg.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <vector>

namespace odimo::testing {
namespace {

namespace fs = std::filesystem;

std::vector<uint8_t> read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_all(const fs::path& p, const std::vector<uint8_t>& b) {
  std::ofstream out(p, std::ios::binary);
  out.write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
}

std::vector<uint8_t> make_pixels(const FolderSpec& s, int label, std::mt19937_64& rng) {
  std::vector<uint8_t> px(size_t(s.h) * s.w * s.c);
  std::uniform_int_distribution<int> noise(-20, 20);
  for (int y = 0; y < s.h; ++y)
    for (int x = 0; x < s.w; ++x)
      for (int c = 0; c < s.c; ++c) {
        const int base = (label * 80 + c * 60 + (c == label % s.c ? 8 * x : 8 * y)) % 256;
        px[(size_t(y) * s.w + x) * s.c + c] = uint8_t(std::clamp(base + noise(rng), 0, 255));
      }
  return px;
}

}  // namespace

void write_jpeg(const std::string& path, const uint8_t* pixels, int h, int w, int c, int quality) {
  tjhandle tj = tjInitCompress();
  unsigned char* out = nullptr;
  unsigned long size = 0;
  const int rc = tjCompress2(tj, pixels, w, 0, h, c == 1 ? TJPF_GRAY : TJPF_RGB, &out, &size,
                             c == 1 ? TJSAMP_GRAY : TJSAMP_420, quality, 0);
  if (rc != 0) throw std::runtime_error(path + ": " + tjGetErrorStr2(tj));
  write_all(path, std::vector<uint8_t>(out, out + size));
  tjFree(out);
  tjDestroy(tj);
}

void write_png(const std::string& path, const uint8_t* pixels, int h, int w, int c) {
  png_image img{};
  img.version = PNG_IMAGE_VERSION;
  img.width = uint32_t(w), img.height = uint32_t(h);
  img.format = c == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
  if (!png_image_write_to_file(&img, path.c_str(), 0, pixels, 0, nullptr))
    throw std::runtime_error(path + ": " + img.message);
}

void make_image_folder(const std::string& dir, const FolderSpec& s) {
  fs::remove_all(dir);
  std::mt19937_64 rng(s.seed);
  for (const char* split : {"train", "val"})
    for (int k = 0; k < s.classes; ++k) {
      const fs::path folder = fs::path(dir) / split / ("class" + std::to_string(k));
      fs::create_directories(folder);
      const int count = std::string(split) == "train" ? s.train_per_class : s.val_per_class;
      for (int i = 0; i < count; ++i) {
        const std::vector<uint8_t> px = make_pixels(s, k, rng);
        const std::string stem = (folder / ("img" + std::to_string(i))).string();
        if (s.png && i % 2)
          write_png(stem + ".png", px.data(), s.h, s.w, s.c);
        else
          write_jpeg(stem + ".jpg", px.data(), s.h, s.w, s.c, 90);
      }
    }
}

std::string break_image_folder(const std::string& dir, const std::string& defect) {
  const fs::path d(dir), img = d / "train" / "class1" / "img0.jpg";
  if (defect == "corrupt") {
    std::vector<uint8_t> b = {0xff, 0xd8, 0xff};  // a JPEG start, then garbage
    for (int i = 0; i < 200; ++i) b.push_back(uint8_t(i * 37));
    write_all(img, b);
    return img.string();
  }
  if (defect == "truncated") {  // cut in the middle of the entropy-coded data after the SOS marker
    std::vector<uint8_t> b = read_all(img);
    size_t sos = 0;
    while (sos + 1 < b.size() && !(b[sos] == 0xff && b[sos + 1] == 0xda)) ++sos;
    b.resize(sos + (b.size() - sos) / 2);
    write_all(img, b);
    return img.string();
  }
  if (defect == "truncated-png") {
    const fs::path p = d / "train" / "class1" / "img1.png";
    std::vector<uint8_t> b = read_all(p);
    b.resize(b.size() * 2 / 3);
    write_all(p, b);
    return p.string();
  }
  if (defect == "wrong-format") {  // a GIF named .jpg
    write_all(img, {'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0, 0, 0});
    return img.string();
  }
  if (defect == "unsupported") {
    const fs::path p = d / "val" / "class0" / "extra.bmp";
    write_all(p, {'B', 'M', 0, 0});
    return p.string();
  }
  if (defect == "empty-class") {
    const fs::path p = d / "train" / "class2";
    fs::remove_all(p);
    fs::create_directories(p);
    write_all(p / "notes.txt", {'x'});  // not an image: the folder still has none
    return p.string();
  }
  if (defect == "no-train" || defect == "no-val") {
    const fs::path p = d / (defect == "no-train" ? "train" : "val");
    fs::remove_all(p);
    return p.string();
  }
  if (defect == "mismatched-classes") {
    fs::rename(d / "val" / "class2", d / "val" / "zebra");
    return "zebra";
  }
  if (defect == "no-classes") {
    fs::remove_all(d / "train");
    fs::create_directories(d / "train");
    return (d / "train").string();
  }
  throw std::runtime_error("unknown defect '" + defect + "'");
}

}  // namespace odimo::testing
