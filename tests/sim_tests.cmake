# Tests of hw/ (SoC descriptions, mappings, tiling, SystemC models) and sim/
# (simulator, reports, `odimo simulate`). Included from tests/CMakeLists.txt.

# odimo_soc: plain C++, no SystemC.
add_executable(soc_unit_tests unit/main.cpp sim/test_soc.cpp sim/test_mapping.cpp sim/test_tiling.cpp)
target_include_directories(soc_unit_tests PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(soc_unit_tests PRIVATE odimo_soc doctest::doctest odimo_options)
doctest_discover_tests(soc_unit_tests TEST_PREFIX "soc/" PROPERTIES LABELS unit)
list(APPEND ODIMO_UNIT_TEST_BINARIES soc_unit_tests)

# SystemC models and the simulator: one process per TEST_CASE (one elaboration each).
add_executable(sim_unit_tests sim/sim_main.cpp sim/test_simulator.cpp)
target_include_directories(sim_unit_tests PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(sim_unit_tests PRIVATE odimo_sim doctest::doctest odimo_options)
doctest_discover_tests(sim_unit_tests TEST_PREFIX "sim/" PROPERTIES LABELS unit
                       ENVIRONMENT "SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1")
list(APPEND ODIMO_UNIT_TEST_BINARIES sim_unit_tests)
