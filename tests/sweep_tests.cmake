# Sweeps beyond one machine: idempotent points, job arrays, MPI; mapper/sweep unit tests.
set(_tiny_sweep ${PROJECT_SOURCE_DIR}/workloads/sweeps/tiny.sweep.pbtxt)
odimo_checked_test(NAME sweep/points LABEL sweep REGEX "1 passed, 0 failed"
                   COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/sweep/sweep_points.sh $<TARGET_FILE:odimo> ${_tiny_sweep}
                           ${CMAKE_CURRENT_BINARY_DIR}/sweep_points)
if(ODIMO_HAVE_MPI AND MPIEXEC_EXECUTABLE)
  odimo_checked_test(NAME mpi/sweep LABEL mpi REGEX "1 passed, 0 failed"
                     COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/sweep/sweep_mpi.sh $<TARGET_FILE:odimo> ${_tiny_sweep}
                             ${CMAKE_CURRENT_BINARY_DIR}/sweep_mpi ${MPIEXEC_EXECUTABLE})
  set_tests_properties(mpi/sweep PROPERTIES PROCESSORS 2)
else()
  # Without MPI in the build, --mpi says so instead of doing nothing.
  odimo_cli_test(sweep_run_without_mpi ARGS sweep run --mpi ${CMAKE_CURRENT_BINARY_DIR}/no-plan -o x
                 FAIL "^odimo sweep run: error: --mpi: this odimo was built without MPI")
endif()

# A point file holds its typed search configuration; odimo search --config runs it alike.
odimo_checked_test(NAME sweep/config LABEL sweep REGEX "1 passed, 0 failed"
                   COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/sweep/sweep_config.sh $<TARGET_FILE:odimo>
                           ${CMAKE_CURRENT_BINARY_DIR}/sweep_config)

# mapper/sweep as a library (label unit): no processes, no SystemC.
add_executable(sweep_unit_tests unit/main.cpp sweep/test_sweep.cpp sweep/test_sweep_deploy.cpp sweep/test_sweep_noise.cpp)
target_link_libraries(sweep_unit_tests PRIVATE odimo_sweep odimo_soc doctest::doctest odimo_options)
doctest_discover_tests(sweep_unit_tests TEST_PREFIX "sweep/" PROPERTIES LABELS unit
                       ENVIRONMENT "ODIMO_WORKLOADS=${PROJECT_SOURCE_DIR}/workloads")
list(APPEND ODIMO_UNIT_TEST_BINARIES sweep_unit_tests)

# Sweeps deploy their points after replay; odimo pareto --accuracy trained|deployed.
odimo_checked_test(NAME sweep/deploy LABEL sweep REGEX "1 passed, 0 failed"
                   COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/sweep/sweep_deploy.sh $<TARGET_FILE:odimo>
                           ${CMAKE_CURRENT_BINARY_DIR}/sweep_deploy ${PROJECT_SOURCE_DIR}/hw/socs/diana.pbtxt)

# Reference results kept as reports only: complete for run and reduce; resumed to the same bytes.
odimo_checked_test(NAME sweep/reference LABEL sweep REGEX "1 passed, 0 failed"
                   COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/sweep/sweep_reference.sh $<TARGET_FILE:odimo>
                           ${CMAKE_CURRENT_BINARY_DIR}/sweep_reference)

# A read-noise grid on chip instances: plan, run and reduce a 2-level x 3-chip sweep; the
# one-line sweep's noise options; bad noise fields.
odimo_checked_test(NAME sweep/noise LABEL sweep REGEX "1 passed, 0 failed"
                   COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/sweep/sweep_noise.sh $<TARGET_FILE:odimo>
                           ${PROJECT_SOURCE_DIR}/workloads/sweeps/tiny-noise.sweep.pbtxt
                           ${CMAKE_CURRENT_BINARY_DIR}/sweep_noise)
