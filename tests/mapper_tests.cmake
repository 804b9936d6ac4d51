# mapper/ (issue 5): unit tests of the autograd ops, quantizers, optimizers, data
# and trainer (label unit), end-to-end `odimo train` runs (label train), and the
# ResNet-8 benchmark against PyTorch (a program, not a test).
add_executable(mapper_unit_tests unit/main.cpp
  mapper/test_ops.cpp)
target_link_libraries(mapper_unit_tests PRIVATE odimo_mapper doctest::doctest odimo_options)
target_compile_definitions(mapper_unit_tests PRIVATE ODIMO_MAPPER_TEST_DIR="${CMAKE_CURRENT_SOURCE_DIR}/mapper")
doctest_discover_tests(mapper_unit_tests TEST_PREFIX "mapper/" PROPERTIES LABELS unit
                       ENVIRONMENT "ODIMO_WORKLOADS=${PROJECT_SOURCE_DIR}/workloads")
list(APPEND ODIMO_UNIT_TEST_BINARIES mapper_unit_tests)

add_executable(bench_train mapper/bench_train.cpp)
target_link_libraries(bench_train PRIVATE odimo_mapper odimo_options)
target_compile_definitions(bench_train PRIVATE ODIMO_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
