#include "hw/soc_description.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>

#include "proto/error.h"
#include "proto/proto_io.h"

namespace odimo {
namespace {

using Check = FieldCheck;

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

void check_cu(const Check& at, SocDescription& d, int i) {
  const proto::ComputeUnit& cu = d.soc.cu(i);
  const std::string p = "cu[" + std::to_string(i) + "]";
  if (cu.name().empty()) at.fail(p + ".name", "''", "must be set");
  if (cu.params_case() == proto::ComputeUnit::PARAMS_NOT_SET)
    at.fail(p, quoted(cu.name()), "carries no parameter block: its kind is one of " + known_cu_kinds());
  d.units.push_back(make_cu_model(cu, d.origin));
  const CuModel& unit = *d.units.back();
  check_ops(at, p + ".accepts", cu.accepts());
  check_ops(at, p + ".fuses", cu.fuses());
  at.non_negative(p + ".busy_power_mw", cu.busy_power_mw());
  at.non_negative(p + ".idle_power_mw", cu.idle_power_mw());
  if (!cu.l1().empty() && !std::any_of(d.soc.memory().begin(), d.soc.memory().end(),
                                       [&](const proto::Memory& m) { return m.name() == cu.l1(); }))
    at.fail(p + ".l1", quoted(cu.l1()), "names no memory of the SoC");
  if (cu.l1().empty() && !unit.is_host())
    at.fail(p + ".l1", "''",
            "must name the memory holding its activation tiles (only a host core works in L2)");
  unit.check_format(at, p);
  unit.check(at, p);
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
  if (soc.has_policy()) {
    for (const auto& [field, cu] :
         {std::pair{"policy.cu", soc.policy().cu()}, {"policy.otherwise", soc.policy().otherwise()}})
      if (!names.count(cu)) at.fail(field, quoted(cu), "names no CU (CUs: " + d.cu_names() + ")");
    if (soc.policy().min_input_channels() < 0)
      at.fail("policy.min_input_channels", std::to_string(soc.policy().min_input_channels()), "must be >= 0");
  }
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

const CuModel& SocDescription::unit(const std::string& name) const {
  const int i = cu_index(name);
  if (i < 0) throw Error("unknown CU '" + name + "' on SoC '" + soc.name() + "' (CUs: " + cu_names() + ")");
  return *units.at(size_t(i));
}

SocDescription build_soc(const proto::Soc& soc, const std::string& origin) {
  SocDescription d{soc, origin, {}};
  Check at{d.origin};
  if (soc.name().empty()) at.fail("name", "''", "must be set");
  at.positive("clock_mhz", soc.clock_mhz());
  at.within("clock_mhz", soc.clock_mhz(), 1e-3, 1e5);  // 1 kHz .. 100 GHz
  if (!proto::SplitRule_IsValid(soc.split_rule()))
    at.fail("split_rule", std::to_string(int(soc.split_rule())),
            "is not a split rule (ANY_SUBSET, CONTIGUOUS_IN_CU_ORDER)");
  at.non_negative("shared_power_mw", soc.shared_power_mw());
  if (soc.cu_size() == 0) at.fail("cu", "[]", "must list at least one compute unit");
  check_memories(at, soc);
  check_cu_names(at, d);
  if (!soc.off_chip().empty()) {
    const bool known = std::any_of(soc.memory().begin(), soc.memory().end(),
                                   [&](const proto::Memory& m) { return m.name() == soc.off_chip(); });
    if (!known) at.fail("off_chip", quoted(soc.off_chip()), "names no memory of the SoC");
    if (soc.off_chip() == soc.l2()) at.fail("off_chip", quoted(soc.off_chip()), "is the L2 itself");
    for (const auto& cu : soc.cu())
      if (cu.l1() == soc.off_chip())
        at.fail("off_chip", quoted(soc.off_chip()), "is the L1 of CU '" + cu.name() + "'");
  }
  for (int i = 0; i < soc.cu_size(); ++i) check_cu(at, d, i);
  at.positive("dma.bytes_per_cycle", soc.dma().bytes_per_cycle());
  at.non_negative("dma.setup_cycles", soc.dma().setup_cycles());
  at.positive("dma.burst_bytes", soc.dma().burst_bytes());
  if (soc.dma().burst_bytes() > d.l2().size_bytes())
    at.fail("dma.burst_bytes", std::to_string(soc.dma().burst_bytes()),
            "exceeds the L2 (" + std::to_string(d.l2().size_bytes()) +
                " bytes): a burst must fit the memory it reads");
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
  if (!file_exists(path) && spec.find('/') == std::string::npos) {
    const std::string shipped = socs_dir() + "/" + spec + ".pbtxt";
    if (!file_exists(shipped)) {
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
