# The five libraries, found the way shared/reference/toolchain.md verified on Debian 12.

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
find_package(OpenMP REQUIRED COMPONENTS CXX)
find_package(ZLIB REQUIRED)
find_package(Threads REQUIRED)
