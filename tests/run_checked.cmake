# Runs one command and checks both its exit status and its output, which CTest's
# PASS_REGULAR_EXPRESSION alone cannot (it ignores the status):
#   cmake -DSTATUS=<exit status> [-DREGEX=<regex>] -P run_checked.cmake -- COMMAND [ARGS...]
# STATUS is the exact status expected (0 for success, 2 for bad input); REGEX must
# match stdout and stderr together. Both are printed when a check fails.
cmake_minimum_required(VERSION 3.25)
if(NOT DEFINED STATUS)
  message(FATAL_ERROR "run_checked.cmake: -DSTATUS=... is required")
endif()
set(_cmd)
set(_after_dashes FALSE)
math(EXPR _last "${CMAKE_ARGC} - 1")
foreach(i RANGE 1 ${_last})
  if(_after_dashes)
    list(APPEND _cmd "${CMAKE_ARGV${i}}")
  elseif(CMAKE_ARGV${i} STREQUAL "--")
    set(_after_dashes TRUE)
  endif()
endforeach()
if(NOT _cmd)
  message(FATAL_ERROR "run_checked.cmake: no command after --")
endif()
# One variable for both pipes: stdout and stderr merged in the order produced, as CTest shows them.
execute_process(COMMAND ${_cmd} RESULT_VARIABLE _rc OUTPUT_VARIABLE _both ERROR_VARIABLE _both)
if(NOT _rc STREQUAL STATUS)
  message(FATAL_ERROR "exit status ${_rc}, expected ${STATUS}\n--- output:\n${_both}")
endif()
if(DEFINED REGEX AND NOT _both MATCHES "${REGEX}")
  message(FATAL_ERROR "the output does not match '${REGEX}'\n--- output:\n${_both}")
endif()
