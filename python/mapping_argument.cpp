#include "python/mapping_argument.h"

#include "proto/error.h"
#include "proto/proto_io.h"

namespace py = pybind11;

namespace odimo::python {
namespace {

std::string key_text(const py::handle& key, const std::string& what) {
  if (!py::isinstance<py::str>(key)) throw Error("mapping dict: " + what + " names must be strings");
  return key.cast<std::string>();
}

void add_channels(const py::handle& value, const std::string& where, proto::CuChannels* cu) {
  if (py::isinstance<py::str>(value) || !py::isinstance<py::iterable>(value))
    throw Error("mapping dict: " + where + ": expected a list of output-channel indices");
  for (const py::handle& c : value) {
    if (!py::isinstance<py::int_>(c) || py::isinstance<py::bool_>(c))
      throw Error("mapping dict: " + where + ": channel " + std::string(py::str(c)) + " is not an integer");
    const long long index = c.cast<long long>();
    if (index < 0 || index > (1LL << 30))
      throw Error("mapping dict: " + where + ": channel " + std::to_string(index) + " out of range");
    cu->add_channels(int(index));
  }
}

}  // namespace

proto::Mapping mapping_from_dict(const py::dict& layers, const SocDescription& soc, const Network& net) {
  proto::Mapping m;
  m.set_soc(soc.name());
  m.set_network(net.name);
  for (const auto& [layer_key, per_cu] : layers) {
    const std::string layer = key_text(layer_key, "layer");
    if (!py::isinstance<py::dict>(per_cu))
      throw Error("mapping dict: layer '" + layer + "': expected {cu: [channels]}");
    proto::LayerMapping* lm = m.add_layer();
    lm->set_layer(layer);
    for (const auto& [cu_key, channels] : per_cu.cast<py::dict>()) {
      proto::CuChannels* cu = lm->add_split();
      cu->set_cu(key_text(cu_key, "CU"));
      add_channels(channels, "layer '" + layer + "', CU '" + cu->cu() + "'", cu);
    }
  }
  return m;
}

ResolvedMapping resolve_mapping_argument(const Network& net, const SocDescription& soc,
                                         const py::object& mapping) {
  if (mapping.is_none()) return resolve_mapping(net, soc, "");
  if (py::isinstance<py::str>(mapping)) {
    const std::string spec = mapping.cast<std::string>();
    return resolve_mapping(net, soc, spec == "default" ? "" : spec);
  }
  if (py::isinstance<py::dict>(mapping))
    return resolve_mapping(net, soc, mapping_from_dict(mapping.cast<py::dict>(), soc, net), "mapping dict");
  if (py::hasattr(mapping, "text")) {
    proto::Mapping m;
    parse_text_proto(py::str(mapping.attr("text")).cast<std::string>(), "mapping", &m);
    return resolve_mapping(net, soc, m, "mapping");
  }
  throw Error(
      "mapping: expected \"default\", \"all:CU\", a mapping file, a {layer: {cu: [channels]}} dict or an "
      "odimo.Mapping");
}

}  // namespace odimo::python
