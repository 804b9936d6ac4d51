#include "sim/trace_writer.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "proto/json_string.h"

namespace odimo::sim {
namespace {

// VCD identifiers: printable characters from '!' on.
std::string vcd_id(size_t i) {
  std::string id;
  do {
    id += char('!' + i % 90);
    i /= 90;
  } while (i);
  return id;
}

}  // namespace

std::string perfetto_json(const hw::TraceLog& trace, double clock_mhz, const std::string& title) {
  std::ostringstream o;
  o.precision(12);
  o << "{\"displayTimeUnit\": \"ns\", \"otherData\": {\"title\": \"" << json_escaped(title)
    << "\", \"clock_mhz\": " << clock_mhz << "},\n\"traceEvents\": [\n";
  o << "{\"ph\": \"M\", \"pid\": 1, \"name\": \"process_name\", \"args\": {\"name\": \""
    << json_escaped(title) << "\"}}";
  for (size_t t = 0; t < trace.tracks.size(); ++t)
    o << ",\n{\"ph\": \"M\", \"pid\": 1, \"tid\": " << t
      << ", \"name\": \"thread_name\", \"args\": {\"name\": \"" << json_escaped(trace.tracks[t]) << "\"}}";
  for (const auto& e : trace.events)
    o << ",\n{\"ph\": \"X\", \"pid\": 1, \"tid\": " << e.track << ", \"name\": \"" << json_escaped(e.name)
      << "\", \"ts\": " << e.start / clock_mhz << ", \"dur\": " << e.duration / clock_mhz
      << ", \"args\": {\"start_cycle\": " << e.start << ", \"cycles\": " << e.duration << "}}";
  o << "\n]}\n";
  return o.str();
}

std::string vcd(const hw::TraceLog& trace, double clock_mhz) {
  // value changes: time (ps) -> (track, level); a track is busy while any of its intervals is open
  std::map<int64_t, std::map<int, int>> delta;
  auto ps = [&](double cycles) { return int64_t(std::llround(cycles * 1e6 / clock_mhz)); };
  for (const auto& e : trace.events) {
    delta[ps(e.start)][e.track] += 1;
    delta[ps(e.start + e.duration)][e.track] -= 1;
  }
  std::ostringstream o;
  o << "$date odimo simulate $end\n$version odimo virtual SoC $end\n$timescale 1ps $end\n$scope module soc "
       "$end\n";
  for (size_t t = 0; t < trace.tracks.size(); ++t) {
    std::string name = trace.tracks[t];  // one VCD word: no blank, control character or ':'
    for (char& c : name)
      if (c == ':' || static_cast<unsigned char>(c) <= ' ' || c == 0x7f) c = '_';
    o << "$var wire 1 " << vcd_id(t) << " " << name << "_busy $end\n";
  }
  o << "$upscope $end\n$enddefinitions $end\n#0\n$dumpvars\n";
  for (size_t t = 0; t < trace.tracks.size(); ++t) o << "0" << vcd_id(t) << "\n";
  o << "$end\n";
  std::vector<int> open(trace.tracks.size(), 0);
  for (const auto& [time, changes] : delta) {
    std::ostringstream step;
    for (const auto& [track, d] : changes) {
      const bool was = open[track] > 0;
      open[track] += d;
      if ((open[track] > 0) != was) step << (open[track] > 0 ? "1" : "0") << vcd_id(track) << "\n";
    }
    if (!step.str().empty()) o << "#" << time << "\n" << step.str();
  }
  return o.str();
}

}  // namespace odimo::sim
