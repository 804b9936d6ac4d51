#include "python/network_cost_binding.h"

#include <pybind11/stl.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "mapper/cost/calibrated_model.h"
#include "mapper/search/export.h"
#include "mapper/search/network_cost.h"
#include "mapper/search/search_space.h"
#include "proto/error.h"
#include "proto/proto_io.h"

namespace py = pybind11;

namespace odimo::python {
namespace {

using Counts = std::vector<std::vector<double>>;
using Assignments = std::vector<std::vector<int>>;

// Owns what search::NetworkCost refers to; never moved once built.
class CostHandle {
 public:
  CostHandle(const SocDescription& soc, const Network& net, const std::string& target,
             const std::string& model, const std::string& calibration)
      : m_soc(soc),
        m_net(net),
        m_model(cost::make_model(model, calibration, m_soc)),
        m_cost(m_net, m_soc, *m_model, search::search_space(m_net, m_soc), search::parse_target(target)) {}
  CostHandle(const CostHandle&) = delete;
  CostHandle& operator=(const CostHandle&) = delete;

  const search::NetworkCost& cost() const { return m_cost; }
  const SocDescription& soc() const { return m_soc; }
  const Network& net() const { return m_net; }

  // (total, d total / d counts) at `temperature` (0: the hard max of odimo cost).
  std::pair<double, Counts> evaluate(const Counts& counts, double temperature) const {
    check_counts(counts, temperature);
    double total = m_cost.fixed();
    Counts grads(counts.size());
    for (size_t s = 0; s < counts.size(); ++s) total += m_cost.layer(s, counts[s], temperature, &grads[s]);
    return {total, grads};
  }

  std::string export_text(const Assignments& assignments) const {
    check_assignments(assignments);
    return to_text_proto(search::export_mapping(m_net, m_soc, m_cost.space(), assignments));
  }

  Counts counts_of(const Assignments& assignments) const {
    check_assignments(assignments);
    Counts counts;
    for (size_t s = 0; s < assignments.size(); ++s)
      counts.push_back(search::NetworkCost::counts(assignments[s], int(m_cost.space()[s].cus.size())));
    return counts;
  }

  Assignments baseline(const std::string& name) const {
    const auto& space = m_cost.space();
    if (name == "policy") return search::policy_assignment(space, m_net, m_soc);
    if (name == "greedy") return search::best_split_per_layer(m_cost, 1);
    if (name.rfind("all:", 0) == 0) return search::all_on(space, m_soc, name.substr(4));
    throw Error("baseline '" + name + "': expected all:CU, policy or greedy");
  }

 private:
  void check_counts(const Counts& counts, double temperature) const;
  void check_assignments(const Assignments& assignments) const;

  SocDescription m_soc;
  Network m_net;
  std::unique_ptr<cost::CostModel> m_model;
  search::NetworkCost m_cost;
};

std::string layer_where(const search::SearchableLayer& l) {
  return "searchable layer '" + l.layer_name + "'";
}

void CostHandle::check_counts(const Counts& counts, double temperature) const {
  const auto& space = m_cost.space();
  if (!std::isfinite(temperature) || temperature < 0)
    throw Error("temperature " + std::to_string(temperature) + ": expected a finite value >= 0");
  if (counts.size() != space.size())
    throw Error("counts: " + std::to_string(counts.size()) + " layers given, the search space has " +
                std::to_string(space.size()));
  for (size_t s = 0; s < space.size(); ++s) {
    if (counts[s].size() != space[s].cus.size())
      throw Error(layer_where(space[s]) + ": " + std::to_string(counts[s].size()) +
                  " counts given, expected " + std::to_string(space[s].cus.size()) + " (one per option)");
    for (double n : counts[s])
      if (!std::isfinite(n) || n < 0 || n > space[s].channels)
        throw Error(layer_where(space[s]) + ": channel count " + std::to_string(n) + " is not in [0, " +
                    std::to_string(space[s].channels) + "]");
  }
}

void CostHandle::check_assignments(const Assignments& assignments) const {
  const auto& space = m_cost.space();
  if (assignments.size() != space.size())
    throw Error("assignments: " + std::to_string(assignments.size()) +
                " layers given, the search space has " + std::to_string(space.size()));
  for (size_t s = 0; s < space.size(); ++s) {
    if (int(assignments[s].size()) != space[s].channels)
      throw Error(layer_where(space[s]) + ": " + std::to_string(assignments[s].size()) +
                  " choices given, expected one per output channel (" + std::to_string(space[s].channels) +
                  ")");
    for (int o : assignments[s])
      if (o < 0 || o >= int(space[s].cus.size()))
        throw Error(layer_where(space[s]) + ": option " + std::to_string(o) + " is not in [0, " +
                    std::to_string(space[s].cus.size()) + ")");
  }
}

py::list space_description(const CostHandle& h) {
  py::list layers;
  const bool contiguous = h.soc().soc.split_rule() == proto::CONTIGUOUS_IN_CU_ORDER;
  for (const auto& s : h.cost().space()) {
    py::dict d;
    d["name"] = s.layer_name;
    d["index"] = s.layer;
    d["channels"] = s.channels;
    std::vector<std::string> options;
    std::vector<int> granularity;  // channels per step of the CU's staircase (the gradient's secant)
    for (int cu : s.cus) {
      options.push_back(h.soc().soc.cu(cu).name());
      granularity.push_back(std::max(1, h.soc().unit(cu).channel_granularity()));
    }
    d["options"] = options;
    d["variants"] = s.variants;
    d["relaxation"] = s.relaxation == search::Relaxation::kThermometric ? "thermometric" : "channel-softmax";
    d["split_rule"] = contiguous ? "contiguous-in-cu-order" : "any-subset";
    d["granularity"] = granularity;
    layers.append(d);
  }
  return layers;
}

}  // namespace

void define_network_cost(py::module_& m) {
  py::class_<CostHandle>(m, "NetworkCost")
      .def(py::init<const SocDescription&, const Network&, const std::string&, const std::string&,
                    const std::string&>(),
           py::arg("soc"), py::arg("net"), py::arg("target") = "latency", py::arg("model") = "calibrated",
           py::arg("calibration") = "")
      .def_property_readonly("space", &space_description)
      .def_property_readonly("fixed", [](const CostHandle& h) { return h.cost().fixed(); })
      .def_property_readonly("target",
                             [](const CostHandle& h) { return search::target_name(h.cost().target()); })
      .def_property_readonly("clock_mhz", [](const CostHandle& h) { return h.soc().clock_mhz(); })
      .def("evaluate", &CostHandle::evaluate, py::arg("counts"), py::arg("temperature"))
      .def("export", &CostHandle::export_text, py::arg("assignments"))
      .def("counts", &CostHandle::counts_of, py::arg("assignments"))
      .def("baseline", &CostHandle::baseline, py::arg("name"));
}

}  // namespace odimo::python
