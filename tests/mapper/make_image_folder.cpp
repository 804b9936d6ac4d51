// make_image_folder DIR [DEFECT] [--size CxHxW] [--classes K] [--per-class N] [--png]:
// writes a small image folder for the CLI tests (tests/mapper_tests.cmake), optionally
// broken by DEFECT (image_folder_maker.h), and prints the file the error must name.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <stdexcept>
#include <string>

#include "tests/mapper/image_folder_maker.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(
        stderr,
        "usage: make_image_folder DIR [DEFECT] [--size CxHxW] [--classes K] [--per-class N] [--png]\n");
    return 2;
  }
  odimo::testing::FolderSpec spec;
  spec.png = false;
  std::string defect;
  try {
    for (int i = 2; i < argc; ++i) {
      const std::string a = argv[i];
      if (a == "--png")
        spec.png = true;
      else if (a == "--size" && i + 1 < argc &&
               std::sscanf(argv[++i], "%dx%dx%d", &spec.c, &spec.h, &spec.w) == 3) {
      } else if (a == "--classes" && i + 1 < argc)
        spec.classes = std::atoi(argv[++i]);
      else if (a == "--per-class" && i + 1 < argc)
        spec.train_per_class = std::atoi(argv[++i]);
      else if (defect.empty() && a[0] != '-')
        defect = a;
      else
        throw std::runtime_error("bad argument '" + a + "'");
    }
    odimo::testing::make_image_folder(argv[1], spec);
    if (!defect.empty()) std::printf("%s\n", odimo::testing::break_image_folder(argv[1], defect).c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_image_folder: %s\n", e.what());
    return 1;
  }
  return 0;
}
