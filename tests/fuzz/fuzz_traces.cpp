// Measured-layer CSV (validation/traces.h): odimo calibrate/validate --traces FILE on
// DIANA, read and turned into suite points and results as both commands do.
#include "hw/soc_description.h"
#include "tests/fuzz/fuzz_input.h"
#include "validation/traces.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const odimo::SocDescription soc = odimo::load_soc("diana");
  const std::string path = odimo::fuzz::write_input("traces.csv", data, size);
  return odimo::fuzz::expect_error_or_success([&] {
    std::vector<odimo::validation::TraceRow> rows = odimo::validation::read_traces(path, soc);
    (void)odimo::validation::trace_points(rows);
    (void)odimo::validation::trace_results(soc, rows);
    odimo::validation::hold_out(rows, 0.2);
  });
}

// libsystemc.so references sc_main (as cli/cmd_simulate.cpp notes); libFuzzer's main is the entry.
extern "C" int sc_main(int, char**) {
  return 0;
}
