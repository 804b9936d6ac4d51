// The AIMC's non-idealities (hw/cu/analog_nonideality.h): read noise given as a fraction of
// the ADC full scale or in LSBs, bad values refused naming the option; the column mismatch
// of a chip instance seeded, fixed for one instance, different across instances.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "hw/cu/analog_nonideality.h"
#include "hw/field_check.h"
#include "hw/soc_description.h"
#include "proto/error.h"

using namespace odimo;

namespace {

IntegerBehaviour diana_aimc() {
  const SocDescription soc = load_soc("diana");
  const int cu = soc.cu_index("aimc");
  return soc.unit(cu).integer_behaviour(FieldCheck{soc.origin}, "cu[" + std::to_string(cu) + "]");
}

}  // namespace

TEST_CASE("read noise: a fraction of the full scale or NLSB, one LSB of the 6-bit ADC being 1/32 of 2^5") {
  const ReadNoise f = parse_read_noise("--aimc-noise", "0.05");
  CHECK(!f.in_lsb);
  CHECK(f.value == 0.05);
  CHECK(f.sigma_lsb(6) == 0.05 * 32);  // full scale: the largest code magnitude, 32 LSB
  CHECK(f.fraction(6) == 0.05);
  const ReadNoise l = parse_read_noise("--aimc-noise", "1lsb");
  CHECK(l.in_lsb);
  CHECK(l.sigma_lsb(6) == 1.0);
  CHECK(l.fraction(6) == 1.0 / 32);
  CHECK(parse_read_noise("--adc-noise", "0.5LSB") == ReadNoise::lsb(0.5));
  CHECK(parse_read_noise("--adc-noise", "0").none());
  CHECK(parse_read_noise("--adc-noise", "0lsb").none());
  CHECK(l.text() == "1lsb");
  CHECK(ReadNoise(0.05).text() == "0.05");
  CHECK(ReadNoise::lsb(0.25).text() == "0.25lsb");
  // the text reads back as the same value
  CHECK(parse_read_noise("x", ReadNoise(0.1 + 0.2).text()) == ReadNoise(0.1 + 0.2));
}

TEST_CASE(
    "read noise: negative, NaN, infinite, absurd LSB counts and garbage are refused naming the option") {
  for (const char* bad : {"-1", "-0.5lsb", "nan", "inf", "nanlsb", "1e9lsb", "1025lsb", "11", "abc", "",
                          "lsb", " 1", "1 lsb", "1lsbx", "0.05x"}) {
    CAPTURE(bad);
    CHECK_THROWS_WITH_AS(
        parse_read_noise("--aimc-noise", bad),
        doctest::Contains(("--aimc-noise: '" + std::string(bad) + "': expected a noise sigma").c_str()),
        Error);
  }
  CHECK(parse_read_noise("o", "1024lsb").sigma_lsb(6) == 1024);
  CHECK(parse_read_noise("o", "10").value == 10);
}

TEST_CASE("column mismatch: seeded, the same chip for the same seed and index, another for another") {
  const IntegerBehaviour b = diana_aimc();
  REQUIRE(b.columns == 512);
  REQUIRE(b.column_gain_sigma > 0);
  REQUIRE(b.column_offset_sigma_lsb > 0);
  const ColumnMismatch a = draw_column_mismatch(b, 1, 0, 2);
  CHECK(a.gain.size() == 512);
  CHECK(a.offset_lsb.size() == 512);
  const ColumnMismatch again = draw_column_mismatch(b, 1, 0, 2);
  CHECK(a.gain == again.gain);
  CHECK(a.offset_lsb == again.offset_lsb);
  CHECK(draw_column_mismatch(b, 1, 1, 2).gain != a.gain);  // another instance
  CHECK(draw_column_mismatch(b, 2, 0, 2).gain != a.gain);  // another seed
  CHECK(draw_column_mismatch(b, 1, 0, 3).gain != a.gain);  // another CU
  // The spread is the SoC file's (512 draws: within 20 %).
  double g2 = 0, o2 = 0;
  for (size_t j = 0; j < a.gain.size(); ++j) {
    g2 += a.gain[j] * a.gain[j];
    o2 += a.offset_lsb[j] * a.offset_lsb[j];
  }
  CHECK(std::sqrt(g2 / 512) == doctest::Approx(b.column_gain_sigma).epsilon(0.2));
  CHECK(std::sqrt(o2 / 512) == doctest::Approx(b.column_offset_sigma_lsb).epsilon(0.2));
  // column j sees s (1 + gain_j) + offset_j LSB; columns wrap at the array's width
  CHECK(a.apply(100, 3, 4) == 100 * (1 + a.gain[3]) + a.offset_lsb[3] * 4);
  CHECK(a.apply(100, 3 + 512, 4) == a.apply(100, 3, 4));
}

TEST_CASE("column mismatch: none for a digital CU or a SoC file without it") {
  IntegerBehaviour digital;
  CHECK(draw_column_mismatch(digital, 1, 0, 0).empty());
  IntegerBehaviour b = diana_aimc();
  b.column_gain_sigma = 0;
  b.column_offset_sigma_lsb = 0;
  CHECK(draw_column_mismatch(b, 1, 0, 2).empty());
}

TEST_CASE("column mismatch: a SoC file's spread out of range is refused naming the field") {
  for (auto [gain, offset] : {std::pair{0.7, 0.5}, std::pair{-0.1, 0.5}, std::pair{0.02, -1.0},
                              std::pair{std::numeric_limits<double>::quiet_NaN(), 0.5}}) {
    proto::Soc p = load_soc("diana").soc;
    for (auto& cu : *p.mutable_cu())
      if (cu.has_aimc()) {
        cu.mutable_aimc()->set_column_gain_sigma(gain);
        cu.mutable_aimc()->set_column_offset_sigma_lsb(offset);
      }
    CAPTURE(gain);
    CAPTURE(offset);
    CHECK_THROWS_WITH_AS(build_soc(p, "bad.pbtxt"), doctest::Contains("bad.pbtxt: field 'cu[2].aimc.column_"),
                         Error);
  }
}
