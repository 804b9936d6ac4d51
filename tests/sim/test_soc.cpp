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
