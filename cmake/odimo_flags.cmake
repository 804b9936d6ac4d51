# Compiler flags shared by every odimo target (applied through odimo_options).
# Our own code builds warning-free; ODIMO_WERROR (default ON, also in CI) keeps it so.
# Generated protobuf code (odimo_proto) does not link odimo_options.
option(ODIMO_WERROR "Treat compiler warnings in odimo's own targets as errors" ON)
add_library(odimo_options INTERFACE)
target_compile_options(odimo_options INTERFACE -Wall -Wextra -Wno-unused-parameter)
if(ODIMO_WERROR)
  target_compile_options(odimo_options INTERFACE -Werror)
endif()

# Eigen's AVX2 kernels beat its AVX-512 ones on the Zen 4 machines we run on
# (measured on the Zen 4 machines we build on); only enable them when this CPU has AVX2,
# so a binary built here never dies with an illegal instruction here.
if(ODIMO_NATIVE_AVX2 AND CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64" AND EXISTS /proc/cpuinfo)
  file(READ /proc/cpuinfo _odimo_cpuinfo)
  if(_odimo_cpuinfo MATCHES " avx2 " AND _odimo_cpuinfo MATCHES " fma ")
    target_compile_options(odimo_options INTERFACE -march=x86-64-v3)
  endif()
endif()

if(ODIMO_SANITIZE)
  target_compile_options(odimo_options INTERFACE -fsanitize=address,undefined
                         -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(odimo_options INTERFACE -fsanitize=address,undefined)
endif()

# ODIMO_FUZZ: coverage for libFuzzer in odimo's own code (the harnesses link -fsanitize=fuzzer).
if(ODIMO_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "ODIMO_FUZZ needs clang (-DCMAKE_CXX_COMPILER=clang++-14), not ${CMAKE_CXX_COMPILER_ID}")
  endif()
  target_compile_options(odimo_options INTERFACE -fsanitize=fuzzer-no-link)
endif()

# Position-independent code (set when the Python module is built, cmake/odimo_deps.cmake):
# calls between odimo's own functions still bind locally and inline as without it.
if(CMAKE_POSITION_INDEPENDENT_CODE)
  target_compile_options(odimo_options INTERFACE -fno-semantic-interposition)
endif()
