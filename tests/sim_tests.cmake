# Tests of hw/ (SoC descriptions, mappings, tiling, SystemC models) and sim/
# (simulator, reports, `odimo simulate`). Included from tests/CMakeLists.txt.

# odimo_soc: plain C++, no SystemC.
add_executable(soc_unit_tests unit/main.cpp sim/test_soc.cpp sim/test_mapping.cpp sim/test_tiling.cpp)
target_include_directories(soc_unit_tests PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(soc_unit_tests PRIVATE odimo_soc doctest::doctest odimo_options)
doctest_discover_tests(soc_unit_tests TEST_PREFIX "soc/" PROPERTIES LABELS unit)
list(APPEND ODIMO_UNIT_TEST_BINARIES soc_unit_tests)
