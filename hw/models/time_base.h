#pragma once
// The virtual SoC's time base: one clock cycle = 1 ns of SystemC time, so
// cycle counts are exact (SystemC's default 1 ps resolution leaves 1/1000-cycle
// steps for the AIMC's 18.2-cycle MVM). Converting to real time uses Soc.clock_mhz.
#include <systemc>

#include <cmath>

namespace odimo::hw {

// Assumes SystemC's default 1 ps resolution (checked when the Simulator starts);
// from_value avoids sc_time's unit conversion on the hot path (same rounding).
inline sc_core::sc_time cycles(double c) {
  return sc_core::sc_time::from_value(sc_core::sc_time::value_type(std::llround(c * 1000.0)));
}
inline double to_cycles(const sc_core::sc_time& t) {
  return double(t.value()) / 1000.0;
}
inline double now_cycles() {
  return to_cycles(sc_core::sc_time_stamp());
}

}  // namespace odimo::hw
