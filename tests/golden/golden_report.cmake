# Golden per-layer cycles and energy: runs `odimo simulate`, extracts one line per
# simulated layer from the JSON report and compares it with a golden file, or,
# with -DREGENERATE=1 (the `regenerate_goldens` target, never a test), rewrites it.
#   cmake -DODIMO=odimo -DSOC=diana -DNET=resnet20 -DMAPPING=all:digital
#         -DGOLDEN=tests/golden/x.golden -DWORK=<dir> [-DREGENERATE=1] -P golden_report.cmake
# Line format (cycles at the SoC clock, energy in pJ rounded to the nearest pJ):
#   <layer> <cycles> <energy> <cu>=<busy cycles>/<stall cycles>/<energy> ...
#   total <cycles> <energy>
cmake_minimum_required(VERSION 3.25)
foreach(v ODIMO SOC NET MAPPING GOLDEN WORK)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "golden_report.cmake: -D${v}=... is required")
  endif()
endforeach()

# A JSON number in uJ ("0.79967802", "5.2e-07", "12") -> whole pJ, rounded half up.
function(uj_to_pj uj out)
  if(NOT uj MATCHES "^([0-9]*)(\\.([0-9]*))?([eE]([-+]?[0-9]+))?$")
    message(FATAL_ERROR "golden_report.cmake: '${uj}' is not a non-negative JSON number")
  endif()
  set(_digits "${CMAKE_MATCH_1}${CMAKE_MATCH_3}")
  if(_digits STREQUAL "")
    message(FATAL_ERROR "golden_report.cmake: '${uj}' is not a number")
  endif()
  string(LENGTH "${CMAKE_MATCH_3}" _frac)
  set(_exp 0)
  if(CMAKE_MATCH_5)
    set(_exp ${CMAKE_MATCH_5})
  endif()
  math(EXPR _shift "${_exp} + 6 - ${_frac}")  # value = digits * 10^(_shift) pJ
  if(_shift GREATER_EQUAL 0)
    string(REPEAT "0" ${_shift} _zeros)
    set(_int "${_digits}${_zeros}")
    set(_up 0)
  else()
    math(EXPR _drop "-${_shift}")
    string(REPEAT "0" ${_drop} _pad)
    string(PREPEND _digits "${_pad}")  # at least one digit stays
    string(LENGTH "${_digits}" _len)
    math(EXPR _keep "${_len} - ${_drop}")
    string(SUBSTRING "${_digits}" 0 ${_keep} _int)
    string(SUBSTRING "${_digits}" ${_keep} 1 _first_dropped)
    set(_up 0)
    if(_first_dropped GREATER_EQUAL 5)
      set(_up 1)
    endif()
  endif()
  math(EXPR _pj "${_int} + ${_up}")  # decimal, leading zeros and all
  set(${out} ${_pj} PARENT_SCOPE)
endfunction()

# Field `key` of the object at `path` (a list), or 0 when the report omits it.
function(json_or_zero json out)
  string(JSON _v ERROR_VARIABLE _e GET "${json}" ${ARGN})
  if(_e)
    set(_v 0)
  endif()
  set(${out} "${_v}" PARENT_SCOPE)
endfunction()

get_filename_component(_name "${GOLDEN}" NAME_WE)
set(_report "${WORK}/${_name}.report.json")
file(MAKE_DIRECTORY "${WORK}")
execute_process(COMMAND "${ODIMO}" simulate --soc "${SOC}" --net "${NET}" --mapping "${MAPPING}"
                        --report "${_report}"
                RESULT_VARIABLE _rc OUTPUT_QUIET ERROR_VARIABLE _err)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "odimo simulate failed (${_rc}): ${_err}")
endif()
file(READ "${_report}" _json)
string(JSON _n LENGTH "${_json}" layers)
get_filename_component(_mapping_name "${MAPPING}" NAME)  # no absolute paths in golden files
set(_out "# odimo simulate --soc ${SOC} --net ${NET} --mapping ${_mapping_name}\n")
string(APPEND _out "# layer cycles energy_pj cu=busy_cycles/stall_cycles/energy_pj ...\n")
math(EXPR _last "${_n} - 1")
foreach(i RANGE ${_last})
  string(JSON _ncu ERROR_VARIABLE _e LENGTH "${_json}" layers ${i} cu)
  if(_e OR _ncu EQUAL 0)
    continue()  # fused into another layer, or a view
  endif()
  string(JSON _layer GET "${_json}" layers ${i} name)
  json_or_zero("${_json}" _cycles layers ${i} cycles)
  json_or_zero("${_json}" _energy layers ${i} energy_uj)
  uj_to_pj("${_energy}" _energy)
  set(_line "${_layer} ${_cycles} ${_energy}")
  math(EXPR _lastcu "${_ncu} - 1")
  foreach(k RANGE ${_lastcu})
    string(JSON _cu GET "${_json}" layers ${i} cu ${k} cu)
    json_or_zero("${_json}" _busy layers ${i} cu ${k} busy_cycles)
    json_or_zero("${_json}" _stall layers ${i} cu ${k} stall_cycles)
    json_or_zero("${_json}" _cu_energy layers ${i} cu ${k} energy_uj)
    uj_to_pj("${_cu_energy}" _cu_energy)
    string(APPEND _line " ${_cu}=${_busy}/${_stall}/${_cu_energy}")
  endforeach()
  string(APPEND _out "${_line}\n")
endforeach()
json_or_zero("${_json}" _total total cycles)
json_or_zero("${_json}" _total_energy total energy_uj)
uj_to_pj("${_total_energy}" _total_energy)
string(APPEND _out "total ${_total} ${_total_energy}\n")

if(REGENERATE)
  file(WRITE "${GOLDEN}" "${_out}")
  message(STATUS "wrote ${GOLDEN}")
  return()
endif()
file(WRITE "${WORK}/${_name}.golden" "${_out}")
file(READ "${GOLDEN}" _golden)
if(NOT _golden STREQUAL _out)
  execute_process(COMMAND diff -u "${GOLDEN}" "${WORK}/${_name}.golden")
  message(FATAL_ERROR "per-layer cycles or energy differ from ${GOLDEN} (see the diff above). If the change "
                      "is intended: `cmake --build build --target regenerate_goldens`, review "
                      "`git diff tests/golden` and say why in the commit message.")
endif()
