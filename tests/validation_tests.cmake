# Calibration and analytic-vs-simulated regression (issue 4). The thresholds are
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
odimo_cli_test(calibrate_wrong_suite ARGS calibrate --soc darkside --suite ${PROJECT_SOURCE_DIR}/validation/suites/diana.pbtxt
               --out ${CMAKE_CURRENT_BINARY_DIR}/x.pbtxt FAIL "suite is for 'diana', not 'darkside'")
odimo_cli_test(cost_wrong_calibration ARGS cost --soc darkside --net tiny
               --calibration ${PROJECT_SOURCE_DIR}/hw/socs/diana.calibration.pbtxt
               FAIL "calibration is for 'diana', not 'darkside'")
odimo_cli_test(cost_bad_coefficient ARGS cost --soc diana --net tiny
               --calibration ${PROJECT_SOURCE_DIR}/tests/data/negative.calibration.pbtxt
               FAIL "coefficient 'tile_roofline' = -1.000000 must be finite and >= 0")
odimo_cli_test(cost_calibrated_default ARGS cost --soc diana --net resnet20 PASS "\\(calibrated\\)")
