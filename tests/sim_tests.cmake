# Tests of hw/ (SoC descriptions, mappings, tiling, SystemC models) and sim/
# (simulator, reports, `odimo simulate`). Included from tests/CMakeLists.txt.

# odimo_soc: plain C++, no SystemC.
add_executable(soc_unit_tests unit/main.cpp sim/test_soc.cpp sim/test_mapping.cpp sim/test_tiling.cpp)
target_include_directories(soc_unit_tests PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(soc_unit_tests PRIVATE odimo_soc doctest::doctest odimo_options)
doctest_discover_tests(soc_unit_tests TEST_PREFIX "soc/" PROPERTIES LABELS unit)
list(APPEND ODIMO_UNIT_TEST_BINARIES soc_unit_tests)

# SystemC models and the simulator: one process per TEST_CASE (one elaboration each).
add_executable(sim_unit_tests sim/sim_main.cpp sim/test_simulator.cpp sim/test_trace_writer.cpp
               sim/test_every_pair.cpp sim/test_tlm.cpp)
target_include_directories(sim_unit_tests PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(sim_unit_tests PRIVATE odimo_sim doctest::doctest odimo_options)
doctest_discover_tests(sim_unit_tests TEST_PREFIX "sim/" PROPERTIES LABELS unit
                       ENVIRONMENT "SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1")
list(APPEND ODIMO_UNIT_TEST_BINARIES sim_unit_tests)

# Golden per-layer cycles and energy (label sim): ResNet-20 on DIANA and
# MobileNetV1-0.25 (CIFAR) on Darkside, two mappings each (tests/golden/README.md).
# The tests only compare; `cmake --build build --target regenerate_goldens` rewrites the files.
set(_golden_dir ${PROJECT_SOURCE_DIR}/tests/golden)
set(_golden_work ${CMAKE_CURRENT_BINARY_DIR}/golden)
set(_golden_regenerate)
function(odimo_golden name soc net mapping)
  set(_args -DODIMO=$<TARGET_FILE:odimo> -DSOC=${soc} -DNET=${net} -DMAPPING=${mapping}
            -DGOLDEN=${_golden_dir}/${name}.golden -DWORK=${_golden_work})
  add_test(NAME golden/${name} COMMAND ${CMAKE_COMMAND} ${_args} -P ${_golden_dir}/golden_report.cmake)
  set_tests_properties(golden/${name} PROPERTIES LABELS sim
                       ENVIRONMENT "ODIMO_WORKLOADS=${PROJECT_SOURCE_DIR}/workloads")
  set(_golden_regenerate ${_golden_regenerate}
      COMMAND ${CMAKE_COMMAND} -E env ODIMO_WORKLOADS=${PROJECT_SOURCE_DIR}/workloads
              ${CMAKE_COMMAND} ${_args} -DREGENERATE=1 -P ${_golden_dir}/golden_report.cmake
      PARENT_SCOPE)
endfunction()
odimo_golden(resnet20-diana-digital diana resnet20 all:digital)
odimo_golden(resnet20-diana-split diana resnet20 ${_golden_dir}/resnet20-diana-split.mapping.pbtxt)
odimo_golden(mobilenet-darkside-cluster darkside mobilenetv1-0.25-cifar all:cluster)
odimo_golden(mobilenet-darkside-split darkside mobilenetv1-0.25-cifar
             ${_golden_dir}/mobilenet-darkside-split.mapping.pbtxt)
add_custom_target(regenerate_goldens ${_golden_regenerate} DEPENDS odimo
                  COMMENT "rewriting tests/golden/*.golden from odimo simulate" VERBATIM)

# `odimo simulate` end to end (label cli): output, errors with their messages.
set(_data ${PROJECT_SOURCE_DIR}/tests/sim/data)
odimo_cli_test(simulate_diana ARGS simulate --soc diana --net resnet20
               PASS "total: [0-9,]+ cycles = [0-9.]+ us at 260 MHz, [0-9.]+ uJ.*TOP/s/W effective")
odimo_cli_test(simulate_darkside_all_dwe ARGS simulate --soc darkside --net mobilenetv1-0.25-cifar --mapping all:dwe
               PASS "b1_dw +depthwise +dwe:8.*dwe cannot run conv2d: fell back to cluster")
odimo_cli_test(simulate_all_aimc_fallback ARGS simulate --soc diana --net mobilenetv1-0.25-cifar --mapping all:aimc
               PASS "aimc cannot run depthwise: fell back to digital")
odimo_cli_test(simulate_aimc2304_variant ARGS simulate --soc ${PROJECT_SOURCE_DIR}/hw/socs/diana-aimc2304.pbtxt
               --net resnet20 --mapping all:aimc PASS "on diana-aimc2304 .*total:")
odimo_cli_test(simulate_input_override ARGS simulate --soc diana --net resnet8 --input 1x28x28 PASS "input 1x28x28")
odimo_cli_test(simulate_unknown_cu ARGS simulate --soc diana --net resnet20 --mapping all:gpu
               FAIL "unknown CU 'gpu' on SoC 'diana' \\(CUs: host, digital, aimc\\)")
odimo_cli_test(simulate_dw_on_aimc ARGS simulate --soc diana --net mobilenetv1-0.25-cifar
               --mapping ${_data}/dw-on-aimc.mapping.pbtxt FAIL "layer 'b1_dw': aimc cannot run depthwise")
odimo_cli_test(simulate_not_covered ARGS simulate --soc diana --net resnet20 --mapping ${_data}/not-covered.mapping.pbtxt
               FAIL "layer 'stem': output channel 10 of 16 is not covered by any CU")
odimo_cli_test(simulate_covered_twice ARGS simulate --soc diana --net resnet20
               --mapping ${_data}/covered-twice.mapping.pbtxt
               FAIL "layer 'stem': output channel 8 is covered twice \\(digital and aimc\\)")
odimo_cli_test(simulate_not_first_k ARGS simulate --soc darkside --net mobilenetv1-0.25-cifar
               --mapping ${_data}/not-first-k.mapping.pbtxt FAIL "one contiguous range in CU order \\(cluster, dwe\\)")
odimo_cli_test(simulate_tile_cannot_fit ARGS simulate --soc diana --net ${_data}/huge-row.net.pbtxt
               FAIL "layer 'conv' on digital: .* cannot fit any memory")
odimo_cli_test(simulate_unknown_soc ARGS simulate --soc tpu --net resnet20 FAIL "tpu: no such file, and not a shipped SoC")
odimo_cli_test(simulate_bad_soc ARGS simulate --soc ${_data}/bad-soc.pbtxt --net resnet20
               FAIL "bad-soc.pbtxt: field 'cu\\[0\\].aimc.rows': value 0 must be > 0")
odimo_cli_test(simulate_missing_mapping ARGS simulate --soc diana --net resnet20 --mapping /nonexistent.pbtxt
               FAIL "nonexistent.pbtxt")
odimo_cli_test(simulate_no_soc ARGS simulate --net resnet20 FAIL "missing required option --soc")
add_test(NAME cli/simulate_outputs COMMAND ${CMAKE_COMMAND} -DODIMO=$<TARGET_FILE:odimo>
         -DWORK=${CMAKE_CURRENT_BINARY_DIR} -P ${PROJECT_SOURCE_DIR}/tests/sim/check_outputs.cmake)
set_tests_properties(cli/simulate_outputs PROPERTIES LABELS cli ENVIRONMENT "ODIMO_WORKLOADS=${PROJECT_SOURCE_DIR}/workloads")

# Benchmark program (not a test): build `bench_simulate`, run build/tests/bench_simulate.
add_executable(bench_simulate sim/bench_simulate.cpp)
target_include_directories(bench_simulate PRIVATE ${PROJECT_SOURCE_DIR})
target_compile_definitions(bench_simulate PRIVATE ODIMO_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
target_link_libraries(bench_simulate PRIVATE odimo_sim odimo_options)
# Benchmark program (not a test): chip time / CPU time of whole `odimo simulate` processes
# on the shipped ImageNet networks; run build/tests/bench_process [repetitions].
add_executable(bench_process sim/bench_process.cpp)
target_compile_definitions(bench_process PRIVATE ODIMO_BINARY="$<TARGET_FILE:odimo>")
target_link_libraries(bench_process PRIVATE odimo_options)
add_dependencies(bench_process odimo)
odimo_cli_test(socs_list ARGS socs PASS "diana-aimc2304.*aimc +aimc +conv2d,linear")
odimo_cli_test(socs_show ARGS socs darkside PASS "split_rule: CONTIGUOUS_IN_CU_ORDER")
odimo_cli_test(socs_bad ARGS socs ${_data}/bad-soc.pbtxt FAIL "field 'cu\\[0\\].aimc.rows': value 0 must be > 0")
