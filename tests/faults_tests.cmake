# Faults with real parts (label faults): a real single-node Slurm, an MPI rank
# killed mid-way, train and search killed and resumed, a full disk. Each script exits 0
# (pass), 77 (skipped, with the reason printed: not root, no slurm-wlm/munge, no mount) or
# non-zero with the logs. A few seconds to a minute each.
set(_faults ${CMAKE_CURRENT_SOURCE_DIR}/faults)
function(odimo_fault_test name)
  cmake_parse_arguments(T "" "PROCESSORS;SCRIPT" "ARGS" ${ARGN})
  if(NOT T_SCRIPT)
    set(T_SCRIPT ${name})
  endif()
  add_test(NAME faults/${name}
           COMMAND bash ${_faults}/${T_SCRIPT}.sh $<TARGET_FILE:odimo> ${PROJECT_SOURCE_DIR}
                   ${CMAKE_CURRENT_BINARY_DIR}/faults_${name} ${T_ARGS})
  if(NOT T_PROCESSORS)
    set(T_PROCESSORS 1)
  endif()
  set_tests_properties(faults/${name} PROPERTIES LABELS faults SKIP_RETURN_CODE 77
                       PROCESSORS ${T_PROCESSORS} ENVIRONMENT "${_odimo_env}")
endfunction()

odimo_fault_test(slurm_real PROCESSORS 2)
if(ODIMO_HAVE_MPI AND MPIEXEC_EXECUTABLE)
  odimo_fault_test(mpi_kill PROCESSORS 2 ARGS ${MPIEXEC_EXECUTABLE})
endif()
odimo_fault_test(full_disk)
# Alone on the machine (PROCESSORS 2): the kill moments are fractions of the uninterrupted
# run's wall time, which another test's load would change between the runs.
odimo_fault_test(kill_resume_train SCRIPT kill_resume PROCESSORS 2 ARGS train)
odimo_fault_test(kill_resume_search SCRIPT kill_resume PROCESSORS 2 ARGS search)
