// Timeline writers: cycles -> us (Perfetto) and ps (VCD); overlapping intervals
// of one track give one busy span in the VCD.
#include <doctest/doctest.h>

#include "sim/trace_writer.h"

using namespace odimo;

TEST_CASE("VCD: one busy wire per track, overlapping intervals merge") {
  hw::TraceLog t;
  t.enabled = true;
  const int cu = t.track("digital");
  const int dma = t.track("dma:digital");
  t.add(cu, "a", 0, 260);    // 0 .. 1 us at 260 MHz
  t.add(cu, "b", 130, 260);  // overlaps: busy until 1.5 us
  t.add(dma, "in", 520, 26);
  const std::string v = sim::vcd(t, 260);
  CHECK(v.find("$var wire 1 ! digital_busy $end") != std::string::npos);
  CHECK(v.find("$var wire 1 \" dma_digital_busy $end") != std::string::npos);
  CHECK(v.find("#0\n1!\n") != std::string::npos);
  CHECK(v.find("#1000000\n") == std::string::npos);  // no falling edge at the end of "a"
  CHECK(v.find("#1500000\n0!\n") != std::string::npos);
  CHECK(v.find("#2000000\n1\"\n") != std::string::npos);
  CHECK(v.find("#2100000\n0\"\n") != std::string::npos);
}

TEST_CASE("VCD: a track name with blanks or control characters is still one word") {
  hw::TraceLog t;
  t.enabled = true;
  t.add(t.track("my cu\tx\ny"), "a", 0, 260);
  const std::string v = sim::vcd(t, 260);
  CHECK(v.find("$var wire 1 ! my_cu_x_y_busy $end\n") != std::string::npos);
}

TEST_CASE("Perfetto trace-event JSON: tracks named, times in us") {
  hw::TraceLog t;
  t.enabled = true;
  t.track("host");
  t.add(t.track("aimc"), "conv mvm", 520, 1300);
  const std::string j = sim::perfetto_json(t, 260, "net on soc");
  CHECK(j.find("\"tid\": 1, \"name\": \"thread_name\", \"args\": {\"name\": \"aimc\"}") != std::string::npos);
  CHECK(j.find("\"name\": \"conv mvm\", \"ts\": 2, \"dur\": 5") != std::string::npos);
}

TEST_CASE("a disabled trace records nothing") {
  hw::TraceLog t;
  t.add(t.track("x"), "e", 0, 10);
  CHECK(t.events.empty());
}
