#pragma once
// A mapping as Python callers give it, resolved against a SoC and a network:
//   "default" or ""                       each layer on the SoC's default CU
//   "all:CU"                              every layer on CU where it can run
//   a path                                a mapping file (proto/mapping.proto, text format)
//   {layer: {cu: [channels]}}             explicit output channels per CU, per layer
//   an odimo.Mapping (has .text)          a mapping in text format (e.g. from NetworkCost.export)
#include <pybind11/pybind11.h>

#include "hw/mapping.h"

namespace odimo::python {

ResolvedMapping resolve_mapping_argument(const Network& net, const SocDescription& soc,
                                         const pybind11::object& mapping);

// The mapping message of a {layer: {cu: [channels]}} dict; Error on a malformed dict.
proto::Mapping mapping_from_dict(const pybind11::dict& layers, const SocDescription& soc, const Network& net);

}  // namespace odimo::python
