// SoC descriptions: the shipped files load, and every validation error names
// the file, the field and the bad value.
#include <doctest/doctest.h>

#include "hw/soc_description.h"
#include "tests/sim/helpers.h"

using namespace odimo;
using odimo::test::error_of;

TEST_CASE("shipped SoCs load with their CUs and memories") {
  SocDescription d = load_soc("diana");
  CHECK(d.name() == "diana");
  CHECK(d.cu_names() == "host, digital, aimc");
  CHECK(d.cu("aimc").aimc().rows() == 1152);
  CHECK(d.l2().size_bytes() == 524288);
  CHECK(d.l1_of(d.cu("digital"))->size_bytes() == 262144);
  CHECK(d.l1_of(d.cu("host")) == nullptr);
  CHECK(d.soc.default_cu() == "digital");

  SocDescription k = load_soc("darkside");
  CHECK(k.cu_names() == "cluster, dwe");
  CHECK(k.soc.split_rule() == proto::CONTIGUOUS_IN_CU_ORDER);
  CHECK(k.cu("dwe").dwe().channels_per_pass() == 16);

  SocDescription v = load_soc("diana-aimc2304");
  CHECK(v.cu("aimc").aimc().rows() == 2304);
}

TEST_CASE("unknown SoC names list the shipped ones") {
  CHECK(error_of([] { load_soc("nosuchsoc"); }).find("not a shipped SoC (shipped: darkside, diana") !=
        std::string::npos);
}

TEST_CASE("validation errors name file, field and value") {
  auto bad = [](const std::string& edit) { return error_of([&] { odimo::test::soc_with("diana", edit); }); };
  SocDescription d = load_soc("diana");
  proto::Soc s = d.soc;
  s.mutable_cu(2)->mutable_aimc()->set_rows(0);
  CHECK(error_of([&] { build_soc(s, "x.pbtxt"); }) ==
        "x.pbtxt: field 'cu[2].aimc.rows': value 0 must be > 0");
  CHECK(bad("default_cu: 'gpu'") ==
        "edited-diana: field 'default_cu': value 'gpu' names no CU (CUs: host, "
        "digital, aimc)");
  CHECK(bad("clock_mhz: -5").find("field 'clock_mhz': value -5 must be > 0") != std::string::npos);
  s = d.soc;
  s.mutable_cu(1)->add_accepts("softmax");
  CHECK(error_of([&] {
          build_soc(s, "x.pbtxt");
        }).find("field 'cu[1].accepts[4]': value 'softmax' is not an operator") != std::string::npos);
  s = d.soc;
  s.mutable_cu(1)->set_l1("sram");
  CHECK(error_of([&] { build_soc(s, "x.pbtxt"); }) ==
        "x.pbtxt: field 'cu[1].l1': value 'sram' names no memory of the SoC");
  s = d.soc;
  s.mutable_cu(1)->set_name("aimc");
  CHECK(error_of([&] { build_soc(s, "x.pbtxt"); }) ==
        "x.pbtxt: field 'cu[2].name': value 'aimc' is given twice");
  s = d.soc;
  s.mutable_cu(2)->clear_l1();
  CHECK(error_of([&] { build_soc(s, "x.pbtxt"); }).find("field 'cu[2].l1': value '' must name the memory") !=
        std::string::npos);
  s = d.soc;
  s.mutable_dma()->set_bytes_per_cycle(0);
  CHECK(error_of([&] { build_soc(s, "x.pbtxt"); }) ==
        "x.pbtxt: field 'dma.bytes_per_cycle': value 0 must be > 0");
}

TEST_CASE("text-format errors carry the position") {
  proto::Soc s;
  CHECK(error_of([&] {
          parse_text_proto("name: 'x'\nclock_mhz: fast\n", "bad.pbtxt", &s);
        }).find("bad.pbtxt:2") != std::string::npos);
}

TEST_CASE("CU capabilities: the AIMC runs no depthwise, the DWE only its kernel sizes") {
  SocDescription d = load_soc("diana");
  Network dw = odimo::test::one_conv(16, 8, 8, 16, 3, 1, 1, "depthwise");
  std::string why;
  CHECK_FALSE(d.unit("aimc").can_run(dw.layers[0], Op::kDepthwise, &why));
  CHECK(why == "aimc cannot run depthwise");
  CHECK(d.unit("digital").can_run(dw.layers[0], Op::kDepthwise));
  SocDescription k = load_soc("darkside");
  Network dw5 = odimo::test::one_conv(16, 8, 8, 16, 5, 1, 2, "depthwise");
  CHECK_FALSE(k.unit("dwe").can_run(dw5.layers[0], Op::kDepthwise, &why));
  CHECK(why == "dwe cannot run a 5x5 kernel");
}

TEST_CASE("each CU's number format is its home's answer, a bad format.quantizer names the field") {
  using Scale = NumberFormat::WeightScale;
  const SocDescription d = load_soc("diana");
  const NumberFormat digital = d.unit("digital").number_format(), aimc = d.unit("aimc").number_format();
  CHECK(digital.weight_scale == Scale::kPowerOfTwoPerLayer);
  CHECK(digital.weight_bits == 8);
  CHECK(digital.shift_requantisation);
  CHECK(!digital.adc);
  CHECK(aimc.weight_scale == Scale::kTernaryPerChannel);
  CHECK(aimc.weight_bits == 2);
  CHECK(aimc.activation_bits == 7);
  CHECK(aimc.adc);
  CHECK(aimc.adc_bits == 6);
  const NumberFormat cluster = load_soc("darkside").unit("cluster").number_format();
  CHECK(cluster.weight_scale == Scale::kPerChannel);
  CHECK(cluster.weight_bits == 8);
  CHECK(!cluster.shift_requantisation);

  proto::Soc s = d.soc;
  s.mutable_cu(1)->mutable_format()->set_quantizer("int4-per-channel");
  s.mutable_cu(1)->mutable_format()->set_weight_bits(4);
  const NumberFormat int4 = build_soc(s, "x.pbtxt").unit("digital").number_format();
  CHECK(int4.weight_scale == Scale::kPerChannel);
  CHECK(int4.weight_bits == 4);
  s.mutable_cu(1)->mutable_format()->set_quantizer("int3-pow2");
  CHECK(error_of([&] { build_soc(s, "x.pbtxt"); }) ==
        "x.pbtxt: field 'cu[1].format.weight_bits': value 4 must be 3 (the bits of format.quantizer "
        "'int3-pow2')");
  for (const char* q : {"int8-magic", "int1-pow2", "int17-per-channel", "intx-pow2", "ternary2"}) {
    s.mutable_cu(1)->mutable_format()->set_quantizer(q);
    CHECK(error_of([&] { build_soc(s, "x.pbtxt"); }) ==
          "x.pbtxt: field 'cu[1].format.quantizer': value '" + std::string(q) +
              "' is not a weight coding (int<N>-pow2, int<N>-per-channel with N in 2..16, ternary or float)");
  }
}
