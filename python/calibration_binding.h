#pragma once
// odimo.calibrate and odimo.validate on measured layers (trace CSVs, validation/traces.h),
// as `odimo calibrate --traces` and `odimo validate --traces`.
#include <pybind11/pybind11.h>

namespace odimo::python {

void define_calibration(pybind11::module_& m);

}  // namespace odimo::python
