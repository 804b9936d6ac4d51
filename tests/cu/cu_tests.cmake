# tests/cu: a CU kind added by its home alone (hw/README.md "Adding a kind of CU").
add_executable(cu_unit_tests sim/sim_main.cpp cu/test_toy_cu.cpp cu/toy_mac.cpp)
target_include_directories(cu_unit_tests PRIVATE ${PROJECT_SOURCE_DIR})
target_compile_definitions(cu_unit_tests PRIVATE ODIMO_TEST_DIR="${PROJECT_SOURCE_DIR}/tests")
odimo_use_aligned_new(cu_unit_tests)
target_link_libraries(cu_unit_tests PRIVATE odimo_sim odimo_search odimo_deploy odimo_cost doctest::doctest
                      odimo_options)
doctest_discover_tests(cu_unit_tests TEST_PREFIX "cu/" PROPERTIES LABELS unit
                       ENVIRONMENT "SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1;ODIMO_WORKLOADS=${PROJECT_SOURCE_DIR}/workloads")
list(APPEND ODIMO_UNIT_TEST_BINARIES cu_unit_tests)
add_test(NAME cu/toy_kind_is_local
         COMMAND ${CMAKE_COMMAND} -DROOT=${PROJECT_SOURCE_DIR} -P ${PROJECT_SOURCE_DIR}/tests/cu/toy_kind_is_local.cmake)
set_tests_properties(cu/toy_kind_is_local PROPERTIES LABELS unit)
