# Sweeps beyond one machine (issue 7): idempotent points, job arrays, MPI.
set(_tiny_sweep ${PROJECT_SOURCE_DIR}/workloads/sweeps/tiny.sweep.pbtxt)
add_test(NAME sweep/points COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/sweep/sweep_points.sh
         $<TARGET_FILE:odimo> ${_tiny_sweep} ${CMAKE_CURRENT_BINARY_DIR}/sweep_points)
set_tests_properties(sweep/points PROPERTIES LABELS sweep ENVIRONMENT "${_odimo_env}"
                     PASS_REGULAR_EXPRESSION "1 passed, 0 failed")
if(ODIMO_HAVE_MPI AND MPIEXEC_EXECUTABLE)
  add_test(NAME mpi/sweep COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/sweep/sweep_mpi.sh
           $<TARGET_FILE:odimo> ${_tiny_sweep} ${CMAKE_CURRENT_BINARY_DIR}/sweep_mpi ${MPIEXEC_EXECUTABLE})
  set_tests_properties(mpi/sweep PROPERTIES LABELS mpi ENVIRONMENT "${_odimo_env}"
                       PASS_REGULAR_EXPRESSION "1 passed, 0 failed" PROCESSORS 2)
else()
  # Without MPI in the build, --mpi says so instead of doing nothing.
  odimo_cli_test(sweep_run_without_mpi ARGS sweep run --mpi ${CMAKE_CURRENT_BINARY_DIR}/no-plan -o x
                 FAIL "built without MPI")
endif()
