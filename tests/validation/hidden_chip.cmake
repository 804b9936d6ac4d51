# validation/hidden_chip_<soc>: a hidden chip (a copy of a shipped SoC
# with several numbers changed) is "measured" — its layer suite and some
# networks simulated and exported as traces — then the cost model is calibrated
# from those traces with the unchanged SoC file. The re-fitted model must be
# within 3 % per network of the hidden chip; the shipped calibration must not be.
#   -DODIMO= -DSOC= -DHIDDEN= -DSUITE= -DNETS="a;b" -DMAPPINGS="all:x;all:y" -DWORK=
function(run expect)
  execute_process(COMMAND ${ODIMO} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc STREQUAL expect)
    message(FATAL_ERROR "odimo ${ARGN}: exit status ${rc}, expected ${expect}\n${out}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
run(0 calibrate --soc ${HIDDEN} --suite ${SUITE} --traces-out ${WORK}/suite.csv)
set(rows "")
foreach(net ${NETS})
  foreach(m ${MAPPINGS})
    run(0 simulate --soc ${HIDDEN} --net ${net} --mapping ${m} --trace-csv ${WORK}/one.csv)
    file(STRINGS ${WORK}/one.csv lines)
    list(POP_FRONT lines header)
    foreach(l ${lines})
      string(REGEX REPLACE "^${net}/" "${net} ${m}/" l "${l}")  # one network per mapping
      string(APPEND rows "${l}\n")
    endforeach()
  endforeach()
endforeach()
file(WRITE ${WORK}/networks.csv "${header}\n${rows}")
run(0 calibrate --soc ${SOC} --traces ${WORK}/suite.csv --out ${WORK}/refit.calibration.pbtxt)
message(STATUS "${last_output}")
run(0 validate --soc ${SOC} --traces ${WORK}/networks.csv --calibration ${WORK}/refit.calibration.pbtxt
    --max-net-err 3)
message(STATUS "re-fitted on the hidden chip's traces:\n${last_output}")
run(1 validate --soc ${SOC} --traces ${WORK}/networks.csv --max-net-err 3)
message(STATUS "the shipped calibration on the same traces:\n${last_output}")

# Splits predicted from single-CU traces alone: the model is re-fitted on the suite's rows that
# run on one CU (a user calibrates from the mappings they can run without odimo), then the
# network's split mappings (SPLITS), measured on the hidden chip, must be within 3 %.
#   -DSPLIT_NET= -DSPLITS="a.mapping.pbtxt;b.mapping.pbtxt"
if(NOT SPLITS)
  return()
endif()
file(READ ${WORK}/suite.csv suite)
string(REGEX REPLACE "\n[^\n]*;[^\n]*" "" single "${suite}")  # a split's column joins CUs with ';'
file(WRITE ${WORK}/single-cu.csv "${single}")
set(measured "${header}")
foreach(m ${MAPPINGS} ${SPLITS})
  run(0 simulate --soc ${HIDDEN} --net ${SPLIT_NET} --mapping ${m} --trace-csv ${WORK}/one.csv)
  file(READ ${WORK}/one.csv one)
  string(FIND "${one}" "\n" eol)  # drop the header (REGEX REPLACE would re-anchor ^ and eat every line)
  math(EXPR eol "${eol} + 1")
  string(SUBSTRING "${one}" ${eol} -1 one)
  get_filename_component(label ${m} NAME)
  string(REPLACE "\n${SPLIT_NET}/" "\n${SPLIT_NET} ${label}/" one "\n${one}")
  string(APPEND measured "${one}")
endforeach()
file(WRITE ${WORK}/splits.csv "${measured}\n")
run(0 calibrate --soc ${SOC} --traces ${WORK}/single-cu.csv --out ${WORK}/single-cu.calibration.pbtxt)
run(0 validate --soc ${SOC} --traces ${WORK}/splits.csv --calibration ${WORK}/single-cu.calibration.pbtxt
    --max-net-err 3)
message(STATUS "re-fitted on the single-CU rows, the splits:\n${last_output}")
