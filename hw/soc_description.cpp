#include "hw/soc_description.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>

#include "proto/error.h"
#include "proto/proto_io.h"

namespace odimo {
namespace {

// Builds messages "<origin>: field '<path>': value <v> <what>".
struct Check {
  const std::string& origin;

  [[noreturn]] void fail(const std::string& field, const std::string& value, const std::string& what) const {
    throw Error(origin + ": field '" + field + "': value " + value + " " + what);
  }
  template <typename T>
  void positive(const std::string& field, T v) const {
    if (!(v > 0)) fail(field, num(v), "must be > 0");
  }
  template <typename T>
  void non_negative(const std::string& field, T v) const {
    if (!(v >= 0)) fail(field, num(v), "must be >= 0");
  }
  void fraction(const std::string& field, double v) const {
    if (!(v >= 0 && v <= 1)) fail(field, num(v), "must be in [0, 1]");
  }
  template <typename T>
  static std::string num(T v) {
    std::ostringstream o;
    o << v;
    return o.str();
  }
};

std::string quoted(const std::string& s) {
  return "'" + s + "'";
}

void check_ops(const Check& at, const std::string& field,
               const google::protobuf::RepeatedPtrField<std::string>& ops) {
  for (int i = 0; i < ops.size(); ++i)
    if (!op_from_name(ops[i]))
      at.fail(field + "[" + std::to_string(i) + "]", quoted(ops[i]),
              "is not an operator (known: " + all_op_names() + ")");
}

void check_digital(const Check& at, const std::string& p, const proto::DigitalArrayParams& d) {
  at.positive(p + ".pe_rows", d.pe_rows());
  at.positive(p + ".pe_cols", d.pe_cols());
  at.positive(p + ".weight_memory_bytes", d.weight_memory_bytes());
  at.non_negative(p + ".block_overhead_cycles", d.block_overhead_cycles());
  at.non_negative(p + ".row_overhead_cycles", d.row_overhead_cycles());
  at.positive(p + ".eltwise_lanes", d.eltwise_lanes());
}

void check_aimc(const Check& at, const std::string& p, const proto::AimcParams& a) {
  at.positive(p + ".rows", a.rows());
  at.positive(p + ".cols", a.cols());
  at.positive(p + ".mvm_ns", a.mvm_ns());
  at.non_negative(p + ".row_program_cycles", a.row_program_cycles());
  if (a.unroll_size() == 0) at.fail(p + ".unroll", "[]", "must list at least the factor 1");
  for (int i = 0; i < a.unroll_size(); ++i)
    at.positive(p + ".unroll[" + std::to_string(i) + "]", a.unroll(i));
  at.non_negative(p + ".min_channel_rows", a.min_channel_rows());
  at.non_negative(p + ".postproc_cycles_per_mvm", a.postproc_cycles_per_mvm());
  at.non_negative(p + ".postproc_latency_cycles", a.postproc_latency_cycles());
  at.positive(p + ".cell_bits", a.cell_bits());
}

void check_cluster(const Check& at, const std::string& p, const proto::ClusterParams& c) {
  at.positive(p + ".cores", c.cores());
  at.positive(p + ".matmul_out_channels", c.matmul_out_channels());
  at.positive(p + ".matmul_pixels", c.matmul_pixels());
  at.non_negative(p + ".im2col_cycles_per_element", c.im2col_cycles_per_element());
  at.positive(p + ".matmul_step_cycles", c.matmul_step_cycles());
  at.non_negative(p + ".matmul_overhead_cycles", c.matmul_overhead_cycles());
  at.fraction(p + ".matmul_load_fraction", c.matmul_load_fraction());
  at.positive(p + ".dw_cycles_per_mac", c.dw_cycles_per_mac());
  at.positive(p + ".eltwise_cycles_per_element", c.eltwise_cycles_per_element());
  at.non_negative(p + ".job_overhead_cycles", c.job_overhead_cycles());
}

void check_dwe(const Check& at, const std::string& p, const proto::DweParams& d) {
  at.positive(p + ".channels_per_pass", d.channels_per_pass());
  at.positive(p + ".cycles_per_pixel", d.cycles_per_pixel());
  if (d.kernels_size() == 0) at.fail(p + ".kernels", "[]", "must list the supported kernel sides");
  for (int i = 0; i < d.kernels_size(); ++i)
    at.positive(p + ".kernels[" + std::to_string(i) + "]", d.kernels(i));
  at.non_negative(p + ".fill_cycles_per_tap", d.fill_cycles_per_tap());
  at.non_negative(p + ".fill_cycles_per_tap_column", d.fill_cycles_per_tap_column());
  at.non_negative(p + ".tcdm_ports", d.tcdm_ports());
  at.fraction(p + ".load_fraction", d.load_fraction());
}

void check_cu(const Check& at, const SocDescription& d, int i) {
  const proto::ComputeUnit& cu = d.soc.cu(i);
  const std::string p = "cu[" + std::to_string(i) + "]";
  if (cu.name().empty()) at.fail(p + ".name", "''", "must be set");
  if (cu.kind() == proto::CU_KIND_UNSPECIFIED) at.fail(p + ".kind", "unset", "must be set");
  check_ops(at, p + ".accepts", cu.accepts());
  check_ops(at, p + ".fuses", cu.fuses());
  at.non_negative(p + ".busy_power_mw", cu.busy_power_mw());
  at.non_negative(p + ".idle_power_mw", cu.idle_power_mw());
  if (!cu.l1().empty() && !std::any_of(d.soc.memory().begin(), d.soc.memory().end(),
                                       [&](const proto::Memory& m) { return m.name() == cu.l1(); }))
    at.fail(p + ".l1", quoted(cu.l1()), "names no memory of the SoC");
  if (cu.l1().empty() && cu.kind() != proto::RISCV_HOST)
    at.fail(p + ".l1", "''",
            "must name the memory holding its activation tiles (only a riscv_host works in L2)");
  switch (cu.kind()) {
    case proto::DIGITAL_ARRAY:
      return check_digital(at, p + ".digital", cu.digital());
    case proto::AIMC:
      return check_aimc(at, p + ".aimc", cu.aimc());
    case proto::RISCV_CLUSTER:
      return check_cluster(at, p + ".cluster", cu.cluster());
    case proto::DWE:
      return check_dwe(at, p + ".dwe", cu.dwe());
    case proto::RISCV_HOST:
      at.positive(p + ".core.cycles_per_mac", cu.core().cycles_per_mac());
      at.positive(p + ".core.cycles_per_element", cu.core().cycles_per_element());
      return;
    default:
      at.fail(p + ".kind", std::to_string(int(cu.kind())), "is not a known CU kind");
  }
}

void check_memories(const Check& at, const proto::Soc& soc) {
  std::set<std::string> names;
  for (int i = 0; i < soc.memory_size(); ++i) {
    const proto::Memory& m = soc.memory(i);
    const std::string p = "memory[" + std::to_string(i) + "]";
    if (m.name().empty()) at.fail(p + ".name", "''", "must be set");
    if (!names.insert(m.name()).second) at.fail(p + ".name", quoted(m.name()), "is given twice");
    at.positive(p + ".size_bytes", m.size_bytes());
    at.positive(p + ".port_bytes_per_cycle", m.port_bytes_per_cycle());
    at.non_negative(p + ".banks", m.banks());
    at.non_negative(p + ".latency_cycles", m.latency_cycles());
    at.non_negative(p + ".read_pj_per_byte", m.read_pj_per_byte());
    at.non_negative(p + ".write_pj_per_byte", m.write_pj_per_byte());
    at.fraction(p + ".access_density", m.access_density());
  }
  if (!names.count(soc.l2())) at.fail("l2", quoted(soc.l2()), "names no memory of the SoC");
}

void check_cu_names(const Check& at, const SocDescription& d) {
  const proto::Soc& soc = d.soc;
  std::set<std::string> names;
  for (int i = 0; i < soc.cu_size(); ++i)
    if (!names.insert(soc.cu(i).name()).second)
      at.fail("cu[" + std::to_string(i) + "].name", quoted(soc.cu(i).name()), "is given twice");
  if (!names.count(soc.default_cu()))
    at.fail("default_cu", quoted(soc.default_cu()), "names no CU (CUs: " + d.cu_names() + ")");
  for (int i = 0; i < soc.fallback_size(); ++i)
    if (!names.count(soc.fallback(i)))
      at.fail("fallback[" + std::to_string(i) + "]", quoted(soc.fallback(i)),
              "names no CU (CUs: " + d.cu_names() + ")");
}

}  // namespace

const proto::ComputeUnit* SocDescription::find_cu(const std::string& name) const {
  for (const auto& c : soc.cu())
    if (c.name() == name) return &c;
  return nullptr;
}

const proto::ComputeUnit& SocDescription::cu(const std::string& name) const {
  if (const auto* c = find_cu(name)) return *c;
  throw Error("unknown CU '" + name + "' on SoC '" + soc.name() + "' (CUs: " + cu_names() + ")");
}

int SocDescription::cu_index(const std::string& name) const {
  for (int i = 0; i < soc.cu_size(); ++i)
    if (soc.cu(i).name() == name) return i;
  return -1;
}

std::string SocDescription::cu_names() const {
  std::string s;
  for (const auto& c : soc.cu()) s += (s.empty() ? "" : ", ") + c.name();
  return s;
}

const proto::Memory& SocDescription::memory(const std::string& name) const {
  for (const auto& m : soc.memory())
    if (m.name() == name) return m;
  throw Error(origin + ": no memory called '" + name + "'");
}

const proto::Memory* SocDescription::l1_of(const proto::ComputeUnit& cu) const {
  return cu.l1().empty() ? nullptr : &memory(cu.l1());
}

bool cu_accepts(const proto::ComputeUnit& cu, Op op) {
  return std::find(cu.accepts().begin(), cu.accepts().end(), op_name(op)) != cu.accepts().end();
}

bool cu_fuses(const proto::ComputeUnit& cu, Op op) {
  return std::find(cu.fuses().begin(), cu.fuses().end(), op_name(op)) != cu.fuses().end();
}

bool cu_can_run(const proto::ComputeUnit& cu, const Layer& layer, Op op, std::string* why) {
  auto no = [&](const std::string& reason) {
    if (why) *why = reason;
    return false;
  };
  if (!cu_accepts(cu, op)) return no(cu.name() + " cannot run " + op_name(op));
  if (cu.kind() == proto::AIMC && op == Op::kConv2d && layer.groups != 1)
    return no(cu.name() + " cannot run grouped convolutions (groups " + std::to_string(layer.groups) + ")");
  if (cu.kind() == proto::DWE) {
    const auto& k = cu.dwe().kernels();
    if (std::find(k.begin(), k.end(), layer.kernel) == k.end())
      return no(cu.name() + " cannot run a " + std::to_string(layer.kernel) + "x" +
                std::to_string(layer.kernel) + " kernel");
  }
  return true;
}

const char* cu_kind_name(proto::CuKind kind) {
  switch (kind) {
    case proto::DIGITAL_ARRAY:
      return "digital_array";
    case proto::AIMC:
      return "aimc";
    case proto::RISCV_CLUSTER:
      return "riscv_cluster";
    case proto::DWE:
      return "dwe";
    case proto::RISCV_HOST:
      return "riscv_host";
    default:
      return "unspecified";
  }
}

SocDescription build_soc(const proto::Soc& soc, const std::string& origin) {
  SocDescription d{soc, origin};
  Check at{d.origin};
  if (soc.name().empty()) at.fail("name", "''", "must be set");
  at.positive("clock_mhz", soc.clock_mhz());
  at.non_negative("shared_power_mw", soc.shared_power_mw());
  if (soc.cu_size() == 0) at.fail("cu", "[]", "must list at least one compute unit");
  check_memories(at, soc);
  check_cu_names(at, d);
  for (int i = 0; i < soc.cu_size(); ++i) check_cu(at, d, i);
  at.positive("dma.bytes_per_cycle", soc.dma().bytes_per_cycle());
  at.non_negative("dma.setup_cycles", soc.dma().setup_cycles());
  at.positive("dma.burst_bytes", soc.dma().burst_bytes());
  at.non_negative("dma.sync_quantum_cycles", soc.dma().sync_quantum_cycles());
  at.non_negative("host.configure_cycles", soc.host().configure_cycles());
  at.non_negative("host.launch_cycles", soc.host().launch_cycles());
  at.non_negative("host.sync_cycles", soc.host().sync_cycles());
  return d;
}

std::string socs_dir() {
  if (const char* env = std::getenv("ODIMO_SOCS"); env && *env) return env;
  return ODIMO_SOURCE_DIR "/hw/socs";
}

std::vector<std::string> shipped_socs() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(socs_dir(), ec))
    // "diana.calibration.pbtxt" and the like sit next to the SoCs: not SoCs themselves
    if (e.path().extension() == ".pbtxt" && e.path().stem().string().find('.') == std::string::npos)
      names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

SocDescription load_soc(const std::string& spec) {
  std::string path = spec;
  if (!std::filesystem::exists(path) && spec.find('/') == std::string::npos) {
    const std::string shipped = socs_dir() + "/" + spec + ".pbtxt";
    if (!std::filesystem::exists(shipped)) {
      std::string names;
      for (const auto& s : shipped_socs()) names += (names.empty() ? "" : ", ") + s;
      throw Error(spec + ": no such file, and not a shipped SoC (shipped: " + names + ")");
    }
    path = shipped;
  }
  proto::Soc soc;
  read_text_proto(path, &soc);
  return build_soc(soc, path);
}

}  // namespace odimo
