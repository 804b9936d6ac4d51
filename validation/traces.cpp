#include "validation/traces.h"

#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

#include "hw/energy.h"
#include "proto/error.h"
#include "proto/proto_io.h"

namespace odimo::validation {

const char* const kTraceHeader =
    "name,op,in_c,in_h,in_w,out_c,kernel,stride,padding,groups,split,cycles,energy_uj,busy";

namespace {

const std::vector<std::string>& columns() {
  static const std::vector<std::string> c = {"name",  "op",     "in_c",      "in_h",    "in_w",
                                             "out_c", "kernel", "stride",    "padding", "groups",
                                             "split", "cycles", "energy_uj", "busy"};
  return c;
}

std::vector<std::string> split_on(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) out.push_back(cur);
  if (!s.empty() && s.back() == sep) out.push_back("");
  return out;
}

// A whole-cell finite number.
bool parse_number(const std::string& s, double* v) {
  size_t used = 0;
  try {
    *v = std::stod(s, &used);
  } catch (const std::exception&) {
    return false;
  }
  return !s.empty() && used == s.size() && std::isfinite(*v);
}

// Errors "<file>:<line>: column '<name>': value '<v>' <what>".
struct RowCheck {
  const std::string& file;
  int line;
  const std::vector<std::string>& cells;

  [[noreturn]] void fail(size_t col, const std::string& what) const {
    throw Error(file + ":" + std::to_string(line) + ": column '" + columns()[col] + "': value '" +
                cells[col] + "' " + what);
  }
  // A finite number in [lo, hi].
  double number(size_t col, double lo, double hi) const {
    double v = 0;
    if (!parse_number(cells[col], &v)) fail(col, "is not a number");
    if (v < lo || v > hi) {
      std::ostringstream o;
      o << "must be a number in [" << lo << ", " << hi << "]";
      fail(col, o.str());
    }
    return v;
  }
  int count(size_t col, int lo, int hi) const {
    const double v = number(col, lo, hi);
    if (v != std::floor(v)) fail(col, "must be a whole number");
    return int(v);
  }
};

// "cu=count[:variant];..." -> mapping splits with contiguous ranges in the listed order.
void parse_split(const RowCheck& at, size_t col, const SocDescription& soc, proto::SuiteSplit* out) {
  int first = 0;
  for (const std::string& part : split_on(at.cells[col], ';')) {
    const size_t eq = part.find('=');
    if (eq == std::string::npos) at.fail(col, "must be 'cu=count[:variant];...'");
    const std::string cu = part.substr(0, eq);
    std::string count = part.substr(eq + 1), variant;
    if (const size_t colon = count.find(':'); colon != std::string::npos) {
      variant = count.substr(colon + 1);
      count = count.substr(0, colon);
    }
    if (!soc.find_cu(cu)) at.fail(col, "names CU '" + cu + "', not one of " + soc.cu_names());
    double n = 0;
    if (!parse_number(count, &n) || n != std::floor(n) || n < 1 || n > (1 << 24))
      at.fail(col, "gives CU '" + cu + "' " + (count.empty() ? "no" : "'" + count + "'") +
                       " channels (a count in [1, 16777216])");
    proto::CuChannels* c = out->add_cu();
    c->set_cu(cu);
    c->set_first(first);
    c->set_count(int(n));
    c->set_variant(variant);
    first += int(n);
  }
  if (first == 0) at.fail(col, "gives no CU any channels");
}

TraceRow parse_row(const RowCheck& at, const SocDescription& soc) {
  proto::SuiteCase c;
  c.set_name(at.cells[0].empty() ? "line " + std::to_string(at.line) : at.cells[0]);
  c.mutable_input()->set_c(at.count(2, 1, 1 << 24));
  c.mutable_input()->set_h(at.count(3, 1, 1 << 16));
  c.mutable_input()->set_w(at.count(4, 1, 1 << 16));
  proto::Layer* l = c.mutable_layer();
  l->set_op(at.cells[1]);
  if (!op_from_name(at.cells[1])) at.fail(1, "is not an operator (known: " + all_op_names() + ")");
  l->set_out_channels(at.count(5, 0, 1 << 24));
  l->set_kernel(at.count(6, 0, 1 << 12));
  l->set_stride(at.count(7, 0, 1 << 12));
  l->set_padding(at.count(8, 0, 1 << 12));
  l->set_groups(at.count(9, 0, 1 << 24));
  parse_split(at, 10, soc, c.add_split());
  proto::Suite one;
  *one.add_cases() = c;
  TraceRow row;
  row.line = at.line;
  // shapes, operators the CUs run, channels covered, the SoC's split rule (errors name file:line)
  row.point = expand_suite(one, soc, at.file + ":" + std::to_string(at.line)).at(0);
  row.point.name = c.name();
  row.cycles = at.number(11, 1, 1e15);
  if (!at.cells[12].empty()) row.energy_uj = at.number(12, 0, 1e12);
  if (!at.cells[13].empty()) {  // read_traces pads a row without the optional busy column
    std::map<std::string, double> busy;
    for (const std::string& part : split_on(at.cells[13], ';')) {
      const size_t eq = part.find('=');
      if (eq == std::string::npos) at.fail(13, "must be 'cu=cycles;...'");
      double v = 0;
      if (!parse_number(part.substr(eq + 1), &v) || v < 0 || v > 1e15)
        at.fail(13, "gives '" + part.substr(0, eq) + "' busy cycles that are not a number in [0, 1e15]");
      busy[part.substr(0, eq)] = v;
    }
    for (const CuShare& s : row.point.split.shares) {
      if (!busy.count(s.cu)) at.fail(13, "has no busy cycles for CU '" + s.cu + "' of the split");
      row.busy_cycles.push_back(busy[s.cu]);
    }
  }
  return row;
}

}  // namespace

std::string TraceRow::network() const {
  const size_t slash = point.name.rfind('/');
  return slash == std::string::npos ? "" : point.name.substr(0, slash);
}

std::vector<TraceRow> read_traces(const std::string& path, const SocDescription& soc) {
  std::istringstream in(read_file(path));
  std::string text;
  std::vector<TraceRow> rows;
  int line = 0;
  while (std::getline(in, text)) {
    ++line;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (line == 1) {
      if (text != kTraceHeader)
        throw Error(path + ":1: the header must be '" + std::string(kTraceHeader) + "'");
      continue;
    }
    if (text.empty() || text[0] == '#') continue;
    std::vector<std::string> cells = split_on(text, ',');
    if (cells.size() < columns().size() - 1 || cells.size() > columns().size())
      throw Error(path + ":" + std::to_string(line) + ": " + std::to_string(cells.size()) +
                  " columns, expected " + std::to_string(columns().size()) + " (" + kTraceHeader + ")");
    cells.resize(columns().size());
    rows.push_back(parse_row(RowCheck{path, line, cells}, soc));
  }
  if (rows.empty()) throw Error(path + ": no trace rows after the header");
  return rows;
}

namespace {

// Geometry columns as a network file would give them: window fields only for
// windowed operators, groups only for grouped convolutions (0 = the default).
std::string geometry_cells(const Layer& l) {
  const bool windowed =
      l.op == Op::kConv2d || l.op == Op::kDepthwise || l.op == Op::kAvgPool || l.op == Op::kMaxPool;
  const int groups = l.op == Op::kConv2d && l.groups > 1 ? l.groups : 0;
  std::ostringstream o;
  o << op_name(l.op) << "," << l.in.c << "," << l.in.h << "," << l.in.w << ","
    << (l.op == Op::kConv2d || l.op == Op::kDepthwise || l.op == Op::kLinear ? l.out.c : 0) << ","
    << (windowed ? l.kernel : 0) << "," << (windowed ? l.stride : 0) << "," << (windowed ? l.padding : 0)
    << "," << groups;
  return o.str();
}

std::string split_cell(const LayerSplit& split) {
  std::string s;
  for (const CuShare& c : split.shares)
    s += (s.empty() ? "" : ";") + c.cu + "=" + std::to_string(c.channels) +
         (c.variant.empty() ? "" : ":" + c.variant);
  return s;
}

std::string number(double v) {
  std::ostringstream o;
  o.precision(std::numeric_limits<double>::max_digits10);
  o << v;
  return o.str();
}

}  // namespace

void check_trace_name(const std::string& name, const std::string& what) {
  const size_t bad = name.find_first_of(",\n\r");
  if (bad != std::string::npos)
    throw Error(what + ": its name holds " + (name[bad] == ',' ? std::string("a comma") : "a line break") +
                ", which a trace file (CSV) cannot hold");
  if (!name.empty() && name[0] == '#')
    throw Error(what + ": its name starts with '#', which marks a comment line");
}

void check_trace_names(const Network& net) {
  check_trace_name(net.name, "--trace-csv: network '" + net.name + "'");
  for (const Layer& l : net.layers)
    check_trace_name(net.name + "/" + l.name, "--trace-csv: layer '" + l.name + "' of " + net.name);
}

std::string trace_row(const std::string& name, const SuitePoint& point, const sim::JobResult& r) {
  check_trace_name(name, "trace row '" + name + "'");
  std::string busy;
  for (const auto& c : r.cu) busy += (busy.empty() ? "" : ";") + c.cu + "=" + std::to_string(c.busy_cycles);
  return name + "," + geometry_cells(point.layer) + "," + split_cell(point.split) + "," +
         std::to_string(r.cycles) + "," + number(r.energy_pj * 1e-6) + "," + busy;
}

std::string trace_rows(const Network& net, const ResolvedMapping& mapping, const proto::Report& report) {
  check_trace_names(net);
  std::string out = std::string(kTraceHeader) + "\n";
  for (size_t i = 0; i < net.layers.size() && int(i) < report.layers_size(); ++i) {
    const LayerSplit& split = mapping.layers[i];
    const proto::LayerReport& r = report.layers(int(i));
    if (!split.runs()) continue;
    std::string busy;
    for (const auto& c : r.cu())
      busy += (busy.empty() ? "" : ";") + c.cu() + "=" + std::to_string(c.busy_cycles());
    out += net.name + "/" + net.layers[i].name + "," + geometry_cells(net.layers[i]) + "," +
           split_cell(split) + "," + std::to_string(r.cycles()) + "," + number(r.energy_uj()) + "," + busy +
           "\n";
  }
  return out;
}

void hold_out(std::vector<TraceRow>& rows, double fraction) {
  const int k = fraction > 0 ? std::max(1, int(std::lround(1.0 / fraction))) : 0;
  for (size_t i = 0; i < rows.size(); ++i) rows[i].point.holdout = k > 0 && (i % k) == size_t(k - 1);
}

std::vector<SuitePoint> trace_points(const std::vector<TraceRow>& rows) {
  std::vector<SuitePoint> points;
  for (const TraceRow& r : rows) points.push_back(r.point);
  return points;
}

std::vector<sim::JobResult> trace_results(const SocDescription& soc, const std::vector<TraceRow>& rows) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<sim::JobResult> out;
  for (const TraceRow& row : rows) {
    sim::JobResult r;
    r.name = row.point.name;
    r.cycles = std::llround(row.cycles);
    r.energy_pj = row.energy_uj >= 0 ? row.energy_uj * 1e6 : nan;
    double power = power_pj(soc.soc.shared_power_mw(), row.cycles, soc.clock_mhz());
    for (size_t k = 0; k < row.point.split.shares.size(); ++k) {
      sim::CuResult c;
      c.cu = row.point.split.shares[k].cu;
      c.channels = row.point.split.shares[k].channels;
      const bool known = !row.busy_cycles.empty() || row.point.split.shares.size() == 1;
      const double busy = !row.busy_cycles.empty() ? row.busy_cycles[k] : row.cycles;
      c.busy_cycles = known ? std::llround(busy) : -1;
      power += cu_power_pj(soc, soc.cu(c.cu), known ? busy : 0, row.cycles);
      r.cu.push_back(c);
    }
    // the memory part of a measured energy: what power x time does not explain (NaN when unknown)
    if (!r.cu.empty()) r.cu[0].memory_energy_pj = row.energy_uj >= 0 ? r.energy_pj - power : nan;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace odimo::validation
