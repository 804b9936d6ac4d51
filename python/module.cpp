// The `odimo._odimo` extension: the SoC side (load, simulate, cost, mappings) and the
// differentiable network cost (network_cost_binding.cpp). odimo/__init__.py wraps
// it into the Python API that python/README.md documents.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "hw/soc_description.h"
#include "mapper/cost/calibrated_model.h"
#include "mapper/cost/cost_report.h"
#include "proto/error.h"
#include "proto/proto_io.h"
#include "python/calibration_binding.h"
#include "python/mapping_argument.h"
#include "python/network_cost_binding.h"
#include "python/simulation_process.h"
#include "workloads/network.h"

// libsystemc.so references sc_main and resolves it when the module loads (hence visible,
// though pybind11 hides everything else); the module never calls it.
extern "C" __attribute__((visibility("default"))) int sc_main(int, char**) {
  return 0;
}

namespace py = pybind11;

namespace odimo::python {
namespace {

std::vector<std::string> cu_names(const SocDescription& soc) {
  std::vector<std::string> names;
  for (const auto& cu : soc.soc.cu()) names.push_back(cu.name());
  return names;
}

std::vector<std::string> layer_names(const Network& net) {
  std::vector<std::string> names;
  for (const auto& l : net.layers) names.push_back(l.name);
  return names;
}

Network load_network_argument(const std::string& spec, const std::optional<std::string>& input) {
  return load_network(spec, input ? std::optional<Shape>(parse_shape(*input, "input")) : std::nullopt);
}

std::string simulate_json(const SocDescription& soc, const Network& net, const py::object& mapping) {
  const ResolvedMapping resolved = resolve_mapping_argument(net, soc, mapping);
  py::gil_scoped_release unlocked;
  return to_json(simulate_in_child(soc, net, resolved));
}

std::string cost_json(const SocDescription& soc, const Network& net, const py::object& mapping,
                      const std::string& model, const std::string& calibration) {
  const ResolvedMapping resolved = resolve_mapping_argument(net, soc, mapping);
  const auto cost_model = cost::make_model(model, calibration, soc);
  return to_json(cost::predict_network(net, soc, resolved, *cost_model, ODIMO_VERSION));
}

// A {layer: {cu: [channels]}} dict as mapping-file text, checked against the SoC and network.
std::string mapping_text(const SocDescription& soc, const Network& net, const py::dict& layers) {
  const proto::Mapping m = mapping_from_dict(layers, soc, net);
  resolve_mapping(net, soc, m, "mapping dict");
  return to_text_proto(m);
}

void define_soc_side(py::module_& m) {
  py::class_<SocDescription, std::shared_ptr<SocDescription>>(m, "Soc")
      .def_property_readonly("name", &SocDescription::name)
      .def_property_readonly("origin", [](const SocDescription& s) { return s.origin; })
      .def_property_readonly("clock_mhz", &SocDescription::clock_mhz)
      .def_property_readonly("cus", &cu_names)
      .def_property_readonly("default_cu", [](const SocDescription& s) { return s.soc.default_cu(); })
      .def_property_readonly("text", [](const SocDescription& s) { return to_text_proto(s.soc); })
      .def("__repr__",
           [](const SocDescription& s) { return "<odimo.Soc " + s.name() + ": " + s.cu_names() + ">"; });
  py::class_<Network, std::shared_ptr<Network>>(m, "Network")
      .def_property_readonly("name", [](const Network& n) { return n.name; })
      .def_property_readonly("origin", [](const Network& n) { return n.origin; })
      .def_property_readonly("input", [](const Network& n) { return n.input.str(); })
      .def_property_readonly("layers", &layer_names)
      .def("__repr__", [](const Network& n) {
        return "<odimo.Network " + n.name + " (input " + n.input.str() + ", " +
               std::to_string(n.layers.size()) + " layers)>";
      });
  m.def("load_soc", [](const std::string& spec) { return std::make_shared<SocDescription>(load_soc(spec)); });
  m.def("load_network", [](const std::string& spec, const std::optional<std::string>& input) {
    return std::make_shared<Network>(load_network_argument(spec, input));
  });
  m.def("shipped_socs", &shipped_socs);
  m.def("shipped_networks", &shipped_workloads);
  m.def("simulate_json", &simulate_json);
  m.def("cost_json", &cost_json);
  m.def("mapping_text", &mapping_text);
  m.def("check_mapping", [](const SocDescription& soc, const Network& net, const py::object& mapping) {
    resolve_mapping_argument(net, soc, mapping);
  });
  m.attr("__version__") = ODIMO_VERSION;
}

}  // namespace
}  // namespace odimo::python

PYBIND11_MODULE(_odimo, m) {
  m.doc() = "odimo's C++ core: virtual SoCs, analytic cost models and the differentiable network cost";
  py::register_exception<odimo::Error>(m, "Error", PyExc_ValueError);  // odimo.Error: the one-line message
  odimo::python::define_soc_side(m);
  odimo::python::define_network_cost(m);
  odimo::python::define_calibration(m);
}
