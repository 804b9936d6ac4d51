# Fails unless FILE holds one complete JSON value:  cmake -DFILE=path -P json_check.cmake
# (CMake's own JSON parser, so the fault tests need no interpreter beyond CMake.)
cmake_minimum_required(VERSION 3.25)
file(READ "${FILE}" _text)
string(JSON _type ERROR_VARIABLE _err TYPE "${_text}")
if(_err OR NOT _type STREQUAL "OBJECT")
  message(FATAL_ERROR "${FILE}: not a complete JSON object: ${_err}")
endif()
