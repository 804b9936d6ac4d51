// proto/output_file.h: where a write really lands, and which destinations are refused.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "proto/error.h"
#include "proto/output_file.h"
#include "proto/proto_io.h"

namespace fs = std::filesystem;

namespace {

struct Scratch {
  fs::path dir;
  Scratch() {
    std::string t = (fs::temp_directory_path() / "odimo-output-XXXXXX").string();
    REQUIRE(::mkdtemp(t.data()));
    dir = t;
  }
  ~Scratch() { fs::remove_all(dir); }
  std::string at(const std::string& name) const { return (dir / name).string(); }
};

}  // namespace

TEST_CASE("output_target follows symlink chains, relative to each link's folder") {
  Scratch s;
  fs::create_directory(s.at("sub"));
  fs::create_symlink("sub/b", s.at("a"));  // a -> sub/b -> c (in sub/), dangling
  fs::create_symlink("c", s.at("sub/b"));
  CHECK(fs::path(odimo::output_target(s.at("a"))).lexically_normal() == fs::path(s.at("sub/c")));
  CHECK(odimo::output_target(s.at("plain")) == s.at("plain"));
  fs::create_symlink("loop2", s.at("loop1"));
  fs::create_symlink("loop1", s.at("loop2"));
  CHECK_THROWS_AS(odimo::output_target(s.at("loop1")), odimo::Error);
}

TEST_CASE("write_file_atomic writes through a symlink and refuses a FIFO") {
  Scratch s;
  fs::create_symlink("target.txt", s.at("link.txt"));
  odimo::write_file_atomic(s.at("link.txt"), "one");
  CHECK(fs::is_symlink(s.at("link.txt")));
  CHECK(odimo::read_file(s.at("target.txt")) == "one");
  REQUIRE(::mkfifo(s.at("pipe").c_str(), 0600) == 0);
  CHECK_THROWS_WITH_AS(odimo::write_file_atomic(s.at("pipe"), "x"), doctest::Contains("is a FIFO"),
                       odimo::Error);
  CHECK(fs::is_fifo(s.at("pipe")));
  CHECK_THROWS_WITH_AS(odimo::write_file_atomic(s.at("no/such/file"), "x"),
                       doctest::Contains("does not exist"), odimo::Error);
}

TEST_CASE("check_output_files refuses two outputs naming one file, however spelled") {
  Scratch s;
  fs::create_symlink("r.json", s.at("l.json"));
  using odimo::OutputFile;
  CHECK_NOTHROW(
      odimo::check_output_files({{"--report", s.at("r.json")}, {"--trace", s.at("t.json")}, {"--vcd", ""}}));
  CHECK_THROWS_WITH_AS(
      odimo::check_output_files({{"--report", s.at("r.json")}, {"--trace", s.at("./r.json")}}),
      doctest::Contains("--report and --trace name the same file"), odimo::Error);
  CHECK_THROWS_AS(odimo::check_output_files({{"--report", s.at("l.json")}, {"--trace", s.at("r.json")}}),
                  odimo::Error);
}

TEST_CASE("check_output_dir: an existing folder, or a new one under a writable folder") {
  Scratch s;
  CHECK_NOTHROW(odimo::check_output_dir(s.at("new/deeper"), "--out"));
  CHECK_FALSE(fs::exists(s.at("new")));  // checked, not created
  std::ofstream(s.at("file")) << "x";
  CHECK_THROWS_WITH_AS(odimo::check_output_dir(s.at("file/x"), "--out"),
                       doctest::Contains("expected a folder"), odimo::Error);
}
