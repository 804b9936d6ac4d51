# Analytic cost models (mapper/cost): formula vectors computed by hand from
# mapper/search/odimo-method.md §6, surrogate gradients, layer combination.
add_executable(cost_tests unit/main.cpp cost/test_formulas.cpp cost/test_layer_cost.cpp cost/test_cost_model.cpp cost/test_nnls.cpp cost/test_calibrated_model.cpp)
target_link_libraries(cost_tests PRIVATE odimo_cost odimo_fit doctest::doctest odimo_options)
doctest_discover_tests(cost_tests TEST_PREFIX "cost/" PROPERTIES LABELS unit)
list(APPEND ODIMO_UNIT_TEST_BINARIES cost_tests)

odimo_cli_test(cost_diana ARGS cost --soc diana --net resnet20 PASS "TOP/s/W effective")
odimo_cli_test(cost_darkside_json ARGS cost --soc darkside --net mobilenetv1-0.25-cifar --mapping all:dwe
               --report ${CMAKE_CURRENT_BINARY_DIR}/cost_darkside.json PASS "wrote .*cost_darkside.json")
odimo_cli_test(cost_bad_model ARGS cost --soc diana --net tiny --model magic
               FAIL "--model .magic.: available models: calibrated, odimo-compat")
odimo_cli_test(cost_unknown_cu ARGS cost --soc diana --net tiny --mapping all:gpu FAIL "gpu")
