#include "hw/cu/cu_model.h"

#include <algorithm>
#include <map>

#include "hw/soc_description.h"
#include "proto/error.h"

namespace odimo {
namespace {

struct KindEntry {
  std::string block;  // name of the parameter block in the SoC file
  CuFactory make;
};

std::map<int, KindEntry>& registry() {
  static std::map<int, KindEntry> kinds;  // by proto::ComputeUnit::ParamsCase
  return kinds;
}

}  // namespace

bool register_cu_kind(int params_case, const char* block, CuFactory make) {
  registry()[params_case] = {block, make};
  return true;
}

std::string known_cu_kinds() {
  std::string s;
  for (const auto& [params_case, kind] : registry()) {
    const std::unique_ptr<CuModel> probe = kind.make(proto::ComputeUnit());
    s += (s.empty() ? "" : ", ") + std::string(probe->kind_name()) + " (" + kind.block + " { ... })";
  }
  return s;
}

std::shared_ptr<const CuModel> make_cu_model(const proto::ComputeUnit& cu, const std::string& where) {
  auto it = registry().find(int(cu.params_case()));
  if (cu.params_case() == proto::ComputeUnit::PARAMS_NOT_SET || it == registry().end())
    throw Error(where + ": CU '" + cu.name() +
                "' carries no parameter block of a known kind (known: " + known_cu_kinds() + ")");
  return std::shared_ptr<const CuModel>(it->second.make(cu));
}

double CuModel::memory_pj(const SocDescription& soc, const JobPlan& plan) const {
  const proto::Memory& l2 = soc.l2();
  const proto::Memory* l1 = soc.l1_of(m_cu);
  if (!l1) throw Error("CU '" + name() + "' has no L1: its kind must say how its memory energy is counted");
  double e = 0;
  for (const Tile& t : plan.tiles) {
    const double in = double(t.in_bytes + t.weight_bytes), out = double(t.out_bytes);
    e += in * (l2.read_pj_per_byte() + l1->write_pj_per_byte()) +
         out * (l1->read_pj_per_byte() + l2.write_pj_per_byte());
    e += t.l1_read_bytes * l1->read_pj_per_byte() + t.l1_write_bytes * l1->write_pj_per_byte();
  }
  return e;
}

bool CuModel::accepts(Op op) const {
  return std::find(m_cu.accepts().begin(), m_cu.accepts().end(), op_name(op)) != m_cu.accepts().end();
}

bool CuModel::fuses(Op op) const {
  return std::find(m_cu.fuses().begin(), m_cu.fuses().end(), op_name(op)) != m_cu.fuses().end();
}

bool CuModel::runnable_op(const Layer& layer, Op* op) const {
  if (can_run(layer, layer.op)) {
    *op = layer.op;
    return true;
  }
  if (layer.op == Op::kConv2d && layer.in.c == layer.out.c && can_run(layer, Op::kDepthwise)) {
    *op = Op::kDepthwise;
    return true;
  }
  return false;
}

bool CuModel::can_run(const Layer& layer, Op op, std::string* why) const {
  std::string reason = accepts(op) ? cannot_run(layer, op) : name() + " cannot run " + op_name(op);
  if (reason.empty()) return true;
  if (why) *why = reason;
  return false;
}

void CuModel::check_format(const FieldCheck& at, const std::string& path) const {
  const proto::NumericFormat& f = m_cu.format();
  NumberFormat parsed;
  if (!parse_weight_coding(f.quantizer(), &parsed))
    at.fail(path + ".format.quantizer", "'" + f.quantizer() + "'",
            "is not a weight coding (int<N>-pow2, int<N>-per-channel with N in 2..16, ternary or float)");
  if (parsed.weight_scale != NumberFormat::WeightScale::kFloat && f.weight_bits() != 0 &&
      f.weight_bits() != parsed.weight_bits)
    at.fail(path + ".format.weight_bits", std::to_string(f.weight_bits()),
            "must be " + std::to_string(parsed.weight_bits) + " (the bits of format.quantizer '" +
                f.quantizer() + "')");
  at.non_negative(path + ".format.activation_bits", f.activation_bits());
}

NumberFormat CuModel::number_format() const {
  const proto::NumericFormat& f = m_cu.format();
  NumberFormat n;
  parse_weight_coding(f.quantizer(), &n);  // checked when the SoC file was loaded (check_format)
  n.activation_bits = f.activation_bits();
  return n;
}

IntegerBehaviour CuModel::integer_behaviour(const FieldCheck& at, const std::string& path) const {
  at.fail(path, "'" + name() + "' (" + kind_name() + ")", "has no integer pipeline (odimo deploy)");
}

IntegerBehaviour CuModel::digital_integer(const FieldCheck& at, const std::string& field,
                                          int mac_bits) const {
  const proto::NumericFormat& f = m_cu.format();
  const std::string need = "must be given (> 0) to run the integer pipeline (odimo deploy)";
  if (mac_bits <= 0) at.fail(field, std::to_string(mac_bits), need);
  at.within(field, mac_bits, 8, 63);
  IntegerBehaviour b;
  b.weight_bits = f.weight_bits();
  b.input_bits = f.activation_bits();
  b.output_bits = f.output_bits();
  b.accumulator_bits = mac_bits;
  at.within(field.substr(0, field.find('.')) + ".format.weight_bits", b.weight_bits, 2, 16);
  at.within(field.substr(0, field.find('.')) + ".format.activation_bits", b.input_bits, 1, 16);
  at.within(field.substr(0, field.find('.')) + ".format.output_bits", b.output_bits, 1, 16);
  return b;
}

}  // namespace odimo
