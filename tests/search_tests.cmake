# The ODiMO search: relaxations, search space, network cost, export.
add_executable(search_tests unit/main.cpp search/test_arch.cpp search/test_search_space.cpp
  search/test_search_run.cpp search/test_refine.cpp search/test_mapping_validation.cpp
  search/test_search_config.cpp search/test_thermometric_node.cpp deploy/test_integer_network.cpp deploy/test_analog_nonideality.cpp
  deploy/test_sensitivity.cpp)
odimo_use_aligned_new(search_tests)
target_link_libraries(search_tests PRIVATE odimo_search odimo_deploy doctest::doctest odimo_options)
target_compile_definitions(search_tests PRIVATE ODIMO_ONNX_TEST_DIR="${CMAKE_CURRENT_SOURCE_DIR}/data/onnx")
doctest_discover_tests(search_tests TEST_PREFIX "search/" PROPERTIES LABELS unit
                       ENVIRONMENT "ODIMO_WORKLOADS=${PROJECT_SOURCE_DIR}/workloads")
list(APPEND ODIMO_UNIT_TEST_BINARIES search_tests)

# End to end: search + export + replay in SystemC; a resumed sweep equals an uninterrupted one.
set(_search_out ${CMAKE_CURRENT_BINARY_DIR}/search_out)
odimo_cli_test(search_replay_roundtrip ARGS search --soc diana --net tiny --dataset synthetic --lambda 1
               --epochs 1,1,1 --batch 32 --steps-per-epoch 5 --threads 1 --out ${_search_out}/roundtrip
               PASS "replay .*simulated .* cycles .*analytic .* cycles \\([-+]0\\.[0-9]+ %\\)")
set_tests_properties(cli/search_replay_roundtrip PROPERTIES FIXTURES_SETUP search_point)
odimo_cli_test(replay_again ARGS replay ${_search_out}/roundtrip PASS "replay .*simulated")
set_tests_properties(cli/replay_again PROPERTIES FIXTURES_REQUIRED search_point)
odimo_cli_test(search_darkside ARGS search --soc darkside --net mobilenetv1-0.25-cifar --input 3x8x8
               --dataset synthetic --lambda 1 --epochs 1,1,1 --batch 16 --steps-per-epoch 3 --threads 1
               --out ${_search_out}/darkside PASS "replay .*simulated")
# A network and a SoC given as files (not shipped names): the replay loads the same files.
odimo_cli_test(search_onnx_replay ARGS search --soc ${PROJECT_SOURCE_DIR}/hw/socs/diana.pbtxt
               --net ${CMAKE_CURRENT_SOURCE_DIR}/data/onnx/small-residual.onnx --dataset synthetic --lambda 1
               --epochs 1,1,1 --batch 8 --steps-per-epoch 2 --threads 1 --quiet --out ${_search_out}/onnx
               PASS "replay .*simulated .* cycles")
set_tests_properties(cli/search_onnx_replay PROPERTIES FIXTURES_SETUP search_onnx_point)
# An imported network states no class count: deploy, as search, takes its outputs as the classes.
odimo_cli_test(deploy_onnx ARGS deploy ${_search_out}/onnx --threads 1 --quiet --images 32
               PASS "integer test accuracy")
set_tests_properties(cli/deploy_onnx PROPERTIES FIXTURES_REQUIRED search_onnx_point)
odimo_cli_test(search_bad_epochs ARGS search --soc diana --net tiny --dataset synthetic --lambda 1 --epochs 1,2
               --out ${_search_out}/bad FAIL "--epochs '1,2': expected W,S,F")
odimo_cli_test(search_needs_lambda ARGS search --soc diana --net tiny --dataset synthetic --out ${_search_out}/bad
               FAIL "--lambda L >= 0 is required")
odimo_cli_test(replay_missing ARGS replay ${_search_out}/nothing-here FAIL "report.json: cannot open")
add_test(NAME search/sweep_resume COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/search/sweep_resume.sh
         $<TARGET_FILE:odimo> ${CMAKE_CURRENT_BINARY_DIR}/sweep_resume)
set_tests_properties(search/sweep_resume PROPERTIES LABELS search
                     ENVIRONMENT "ODIMO_WORKLOADS=${PROJECT_SOURCE_DIR}/workloads")

# odimo deploy: a point deployed; bad input is one line and exit 2.
add_test(NAME deploy/cli COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/deploy/deploy_cli.sh
         $<TARGET_FILE:odimo> ${CMAKE_CURRENT_BINARY_DIR}/deploy_cli ${PROJECT_SOURCE_DIR}/hw/socs/diana.pbtxt)
set_tests_properties(deploy/cli PROPERTIES LABELS search
                     ENVIRONMENT "ODIMO_WORKLOADS=${PROJECT_SOURCE_DIR}/workloads")
# ADC-aware training (mapper/nn/adc.h): trained gains reach deploy; deterministic; bad options exit 2.
add_test(NAME deploy/adc_aware COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/deploy/adc_cli.sh
         $<TARGET_FILE:odimo> ${CMAKE_CURRENT_BINARY_DIR}/adc_cli)
set_tests_properties(deploy/adc_aware PROPERTIES LABELS search
                     ENVIRONMENT "ODIMO_WORKLOADS=${PROJECT_SOURCE_DIR}/workloads")
# The sensitivity baseline (mapper/deploy/sensitivity.h): decisions in report.json, determinism,
# --init, a sweep point; bad thresholds and options exit 2 with one line.
add_test(NAME deploy/sensitivity COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/deploy/sensitivity_cli.sh
         $<TARGET_FILE:odimo> ${CMAKE_CURRENT_BINARY_DIR}/sensitivity_cli)
set_tests_properties(deploy/sensitivity PROPERTIES LABELS search
                     ENVIRONMENT "ODIMO_WORKLOADS=${PROJECT_SOURCE_DIR}/workloads")
