#pragma once
// odimo._odimo.NetworkCost: the search's differentiable cost (mapper/search/network_cost.h)
// for callers that compute channel counts themselves (odimo/torch.py wraps it).
#include <pybind11/pybind11.h>

namespace odimo::python {

void define_network_cost(pybind11::module_& m);

}  // namespace odimo::python
