#pragma once
// What the virtual SoC did, interval by interval, for Perfetto and VCD output.
// Times are in SoC clock cycles (the simulator's time base: 1 cycle = 1 ns of
// SystemC time; see sim/simulator.h).
#include <string>
#include <vector>

namespace odimo::hw {

struct TraceEvent {
  int track = 0;        // index into TraceLog::tracks
  std::string name;     // e.g. "s1b1_conv1 matmul", "dma in 16384 B"
  double start = 0;     // cycles
  double duration = 0;  // cycles
};

struct TraceLog {
  bool enabled = false;
  std::vector<std::string> tracks;  // "host", CU names, "dma:<cu>"
  std::vector<TraceEvent> events;

  int track(const std::string& name);  // index of `name`, added when new
  void add(int track, const std::string& name, double start, double duration) {
    if (enabled && duration > 0) events.push_back({track, name, start, duration});
  }
};

inline int TraceLog::track(const std::string& name) {
  for (size_t i = 0; i < tracks.size(); ++i)
    if (tracks[i] == name) return int(i);
  tracks.push_back(name);
  return int(tracks.size()) - 1;
}

}  // namespace odimo::hw
