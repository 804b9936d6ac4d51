# The ODiMO search (issue 6): relaxations, search space, network cost, export.
add_executable(search_tests unit/main.cpp search/test_arch.cpp search/test_search_space.cpp)
target_link_libraries(search_tests PRIVATE odimo_search doctest::doctest odimo_options)
doctest_discover_tests(search_tests TEST_PREFIX "search/" PROPERTIES LABELS unit
                       ENVIRONMENT "ODIMO_WORKLOADS=${PROJECT_SOURCE_DIR}/workloads")
list(APPEND ODIMO_UNIT_TEST_BINARIES search_tests)
