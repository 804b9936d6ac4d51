# The libraries, found as Debian 12 packages them.

# SystemC 2.3.4: Debian ships only pkg-config files.
find_package(PkgConfig REQUIRED)
pkg_check_modules(SystemC REQUIRED IMPORTED_TARGET systemc>=2.3.4)
add_library(odimo_systemc INTERFACE)
target_link_libraries(odimo_systemc INTERFACE PkgConfig::SystemC)
if(CMAKE_CXX_STANDARD GREATER 17)
  target_compile_definitions(odimo_systemc INTERFACE SC_CPLUSPLUS=201703L)
endif()

find_package(Eigen3 3.4 REQUIRED NO_MODULE)
find_package(Boost 1.74 REQUIRED CONFIG COMPONENTS graph)
find_package(Protobuf 3.21 REQUIRED)
find_package(doctest 2.4 REQUIRED)
find_package(CLI11 2.1 REQUIRED CONFIG)  # Debian libcli11-dev: the odimo command lines
find_package(OpenMP REQUIRED COMPONENTS CXX)
find_package(ZLIB REQUIRED)
# Image folders (mapper/data/image_decode.h): JPEG through libjpeg-turbo's TurboJPEG API
# (libturbojpeg0-dev, pkg-config only) and PNG through libpng (libpng-dev).
pkg_check_modules(TurboJPEG REQUIRED IMPORTED_TARGET libturbojpeg)
find_package(PNG REQUIRED)
# ONNX 1.12 (libonnx-dev): `.onnx` networks (workloads/onnx_import.h); its classes are
# protobuf-lite and link against the same libprotobuf.
find_package(ONNX CONFIG REQUIRED)
find_package(Threads REQUIRED)

# MPI is optional: `odimo sweep run --mpi` (plain C API, used from C++ without the
# deprecated C++ bindings). Without it everything else builds and every other test runs.
set(ODIMO_WITH_MPI AUTO CACHE STRING "Build odimo sweep run --mpi: AUTO (if found), ON (required) or OFF")
set_property(CACHE ODIMO_WITH_MPI PROPERTY STRINGS AUTO ON OFF)
set(ODIMO_HAVE_MPI OFF)
if(ODIMO_WITH_MPI STREQUAL "OFF")
  message(STATUS "odimo: MPI disabled (ODIMO_WITH_MPI=OFF); odimo sweep run --mpi is not built")
else()
  set(MPI_CXX_SKIP_MPICXX ON)
  if(ODIMO_WITH_MPI STREQUAL "ON")
    find_package(MPI REQUIRED COMPONENTS CXX)
  else()
    find_package(MPI QUIET COMPONENTS CXX)
  endif()
  if(MPI_CXX_FOUND)
    set(ODIMO_HAVE_MPI ON)
    message(STATUS "odimo: MPI ${MPI_CXX_VERSION} found; odimo sweep run --mpi is built")
  else()
    message(STATUS "odimo: MPI not found; odimo sweep run --mpi is not built (apt-get install libopenmpi-dev)")
  endif()
endif()

# The Python module (python/) is optional: pybind11 (pybind11-dev) and the Python headers
# (python3-dev) of Debian's /usr/bin/python3, whose site-packages hold python3-torch.
# Its static libraries then link into a shared object: every target is position independent.
set(ODIMO_HAVE_PYTHON OFF)
if(NOT ODIMO_PYTHON STREQUAL "OFF" AND NOT ODIMO_SANITIZE AND NOT ODIMO_FUZZ)
  if(NOT Python_EXECUTABLE AND EXISTS /usr/bin/python3)
    set(Python_EXECUTABLE /usr/bin/python3)
  endif()
  set(PYBIND11_FINDPYTHON ON)
  if(ODIMO_PYTHON STREQUAL "ON")
    find_package(Python 3.9 REQUIRED COMPONENTS Interpreter Development.Module)
    find_package(pybind11 2.6 REQUIRED CONFIG)
  else()
    find_package(Python 3.9 QUIET COMPONENTS Interpreter Development.Module)
    find_package(pybind11 2.6 QUIET CONFIG)
  endif()
  if(Python_FOUND AND pybind11_FOUND)
    set(ODIMO_HAVE_PYTHON ON)
    set(CMAKE_POSITION_INDEPENDENT_CODE ON)
    message(STATUS "odimo: Python module built for ${Python_EXECUTABLE} (pybind11 ${pybind11_VERSION})")
  else()
    message(STATUS "odimo: Python module not built (apt-get install pybind11-dev python3-dev)")
  endif()
endif()
