# Analytic cost models (mapper/cost): formula vectors computed by hand from
# shared/reference/odimo-method.md §6, surrogate gradients, layer combination.
add_executable(cost_tests unit/main.cpp cost/test_formulas.cpp cost/test_layer_cost.cpp)
target_link_libraries(cost_tests PRIVATE odimo_cost doctest::doctest odimo_options)
doctest_discover_tests(cost_tests TEST_PREFIX "cost/" PROPERTIES LABELS unit)
list(APPEND ODIMO_UNIT_TEST_BINARIES cost_tests)
