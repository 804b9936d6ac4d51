# Calibration and analytic-vs-simulated regression. The thresholds are
# the product's promises: calibrated vs simulated latency on held-out suite
# points mean <= 5 %, worst <= 15 %; whole networks <= 3 %.

odimo_cli_test(diana_thresholds LABEL validation ARGS validate --soc diana --net resnet20 --net mobilenetv1-0.25-cifar
                      --max-mape 5 --max-err 15 --max-net-err 3)
odimo_cli_test(darkside_thresholds LABEL validation ARGS validate --soc darkside --net mobilenetv1-0.25-cifar --net resnet20
                      --max-mape 5 --max-err 15 --max-net-err 3)
odimo_cli_test(diana-aimc2304_thresholds LABEL validation ARGS validate --soc diana-aimc2304 --net resnet20
                      --net mobilenetv1-0.25-cifar --max-mape 5 --max-err 15 --max-net-err 3)
# The shipped calibration files and suites are what the tools generate today.
foreach(soc diana darkside diana-aimc2304)
  odimo_cli_test(${soc}_calibration_fresh LABEL validation ARGS calibrate --soc ${soc}
                        --check ${PROJECT_SOURCE_DIR}/hw/socs/${soc}.calibration.pbtxt PASS "is up to date")
  odimo_cli_test(${soc}_suite_fresh_make LABEL validation ARGS calibrate --soc ${soc}
                        --make-suite ${CMAKE_CURRENT_BINARY_DIR}/${soc}.suite.pbtxt)
  set_tests_properties(validation/${soc}_suite_fresh_make PROPERTIES FIXTURES_SETUP ${soc}_suite)
  add_test(NAME validation/${soc}_suite_fresh COMMAND ${CMAKE_COMMAND} -E compare_files
           ${CMAKE_CURRENT_BINARY_DIR}/${soc}.suite.pbtxt ${PROJECT_SOURCE_DIR}/validation/suites/${soc}.pbtxt)
  set_tests_properties(validation/${soc}_suite_fresh PROPERTIES LABELS validation FIXTURES_REQUIRED ${soc}_suite)
endforeach()

# A threshold that cannot hold makes validate fail (exit 1) and say why.
odimo_cli_test(validate_threshold_exceeded ARGS validate --soc diana --max-err 0.001
               FAIL "FAIL: worst held-out layer latency error" STATUS 1)
odimo_cli_test(calibrate_needs_out ARGS calibrate --soc diana FAIL "give exactly one of --out FILE and --check FILE")
# An option the chosen mode does not read is refused, never ignored.
odimo_cli_test(calibrate_make_suite_out ARGS calibrate --soc diana --make-suite ${CMAKE_CURRENT_BINARY_DIR}/never.suite.pbtxt
               --out ${CMAKE_CURRENT_BINARY_DIR}/never.pbtxt
               FAIL "^odimo calibrate: error: --out [^\n]*never.pbtxt: not used with --make-suite \\(leave it out\\)\n$")
odimo_cli_test(calibrate_traces_check ARGS calibrate --soc diana --traces ${PROJECT_SOURCE_DIR}/tests/data/traces/bad-header.csv
               --out ${CMAKE_CURRENT_BINARY_DIR}/never.pbtxt --check ${PROJECT_SOURCE_DIR}/hw/socs/diana.calibration.pbtxt
               FAIL "--check [^\n]*: not used with --traces")
odimo_cli_test(calibrate_wrong_suite ARGS calibrate --soc darkside --suite ${PROJECT_SOURCE_DIR}/validation/suites/diana.pbtxt
               --out ${CMAKE_CURRENT_BINARY_DIR}/x.pbtxt FAIL "suite is for 'diana', not 'darkside'")
odimo_cli_test(cost_wrong_calibration ARGS cost --soc darkside --net tiny
               --calibration ${PROJECT_SOURCE_DIR}/hw/socs/diana.calibration.pbtxt
               FAIL "calibration is for 'diana', not 'darkside'")
odimo_cli_test(cost_bad_coefficient ARGS cost --soc diana --net tiny
               --calibration ${PROJECT_SOURCE_DIR}/tests/data/negative.calibration.pbtxt
               FAIL "coefficient 'tile_roofline' = -1 must be finite, >= 0 and at most 1e\\+06")
odimo_cli_test(cost_calibrated_default ARGS cost --soc diana --net resnet20 PASS "\\(calibrated\\)")

# Calibration from measurements: a hidden chip found from its traces alone.
set(_hidden_nets "resnet20;mobilenetv1-0.25-cifar")
foreach(soc diana darkside)
  if(soc STREQUAL diana)
    set(_maps "all:digital;all:aimc")
    set(_split_net resnet20)
    set(_splits ${PROJECT_SOURCE_DIR}/tests/golden/resnet20-diana-split.mapping.pbtxt)
  else()
    set(_maps "all:cluster;all:dwe")
    set(_split_net mobilenetv1-0.25-cifar)
    set(_splits ${PROJECT_SOURCE_DIR}/tests/golden/mobilenet-darkside-split.mapping.pbtxt)
  endif()
  foreach(_s 1 2 3)
    list(APPEND _splits ${PROJECT_SOURCE_DIR}/tests/data/hidden-splits/${_split_net}-${soc}-random${_s}.mapping.pbtxt)
  endforeach()
  add_test(NAME validation/hidden_chip_${soc}
           COMMAND ${CMAKE_COMMAND} -DODIMO=$<TARGET_FILE:odimo> -DSOC=${soc}
                   -DHIDDEN=${PROJECT_SOURCE_DIR}/tests/data/hidden-${soc}.pbtxt
                   -DSUITE=${PROJECT_SOURCE_DIR}/validation/suites/${soc}.pbtxt "-DNETS=${_hidden_nets}"
                   "-DMAPPINGS=${_maps}" -DSPLIT_NET=${_split_net} "-DSPLITS=${_splits}" -DWORK=${CMAKE_CURRENT_BINARY_DIR}/hidden-${soc}
                   -P ${PROJECT_SOURCE_DIR}/tests/validation/hidden_chip.cmake)
  set_tests_properties(validation/hidden_chip_${soc} PROPERTIES LABELS validation
                       ENVIRONMENT "ODIMO_WORKLOADS=${PROJECT_SOURCE_DIR}/workloads")
endforeach()
# Malformed trace rows: the file, the line and the column, exit 2.
set(_traces ${PROJECT_SOURCE_DIR}/tests/data/traces)
odimo_cli_test(traces_unknown_op ARGS validate --soc diana --traces ${_traces}/unknown-op.csv
               FAIL "unknown-op.csv:3: column 'op': value 'convolution' is not an operator")
odimo_cli_test(traces_split_short ARGS calibrate --soc diana --traces ${_traces}/split-short.csv
               --out ${CMAKE_CURRENT_BINARY_DIR}/never.pbtxt
               FAIL "split-short.csv:2: .*output channel 24 of 32 is not covered by any CU")
odimo_cli_test(traces_negative_cycles ARGS validate --soc diana --traces ${_traces}/negative-cycles.csv
               FAIL "negative-cycles.csv:2: column 'cycles': value '-3' must be a number in \\[1, 1e\\+15\\]")
odimo_cli_test(traces_text_cycles ARGS validate --soc diana --traces ${_traces}/text-cycles.csv
               FAIL "text-cycles.csv:2: column 'cycles': value 'fast' is not a number")
odimo_cli_test(traces_busy_wrong_cu ARGS validate --soc diana --traces ${_traces}/busy-wrong-cu.csv
               FAIL "busy-wrong-cu.csv:2: column 'busy': value 'aimc=100' has no busy cycles for CU 'digital'")
odimo_cli_test(traces_bad_header ARGS validate --soc diana --traces ${_traces}/bad-header.csv
               FAIL "bad-header.csv:1: the header must be 'name,op,in_c")
odimo_cli_test(traces_out_of_simulate ARGS simulate --soc diana --net tiny
               --trace-csv ${CMAKE_CURRENT_BINARY_DIR}/tiny.trace.csv PASS "measured-layer rows")

# Committed reference results (validation/reference/): each table and SVG is what
# `odimo sweep reduce` prints from the committed reports.
odimo_checked_test(NAME validation/reference_tables LABEL validation REGEX "1 passed, 0 failed"
                   COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/validation/reference_tables.sh $<TARGET_FILE:odimo>
                           ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/reference_tables)

# Measured rows without split rows: the split-layer coefficients stay the base's.
odimo_checked_test(NAME validation/traces_without_splits LABEL validation
                   REGEX "traces_without_splits: all checks passed"
                   COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/traces_without_splits.sh $<TARGET_FILE:odimo>
                           ${CMAKE_CURRENT_BINARY_DIR}/traces_without_splits
                           ${PROJECT_SOURCE_DIR}/hw/socs/diana.calibration.pbtxt)
