# mapper/ (issue 5): unit tests of the autograd ops, quantizers, optimizers, data
# and trainer (label unit), end-to-end `odimo train` runs (label train), and the
# ResNet-8 benchmark against PyTorch (a program, not a test).
add_executable(mapper_unit_tests unit/main.cpp
  mapper/test_ops.cpp mapper/test_torch_reference.cpp mapper/test_quantizers.cpp
  mapper/test_training.cpp mapper/test_data.cpp mapper/test_conv_direct.cpp)
odimo_use_aligned_new(mapper_unit_tests)
target_link_libraries(mapper_unit_tests PRIVATE odimo_mapper doctest::doctest odimo_options)
target_compile_definitions(mapper_unit_tests PRIVATE ODIMO_MAPPER_TEST_DIR="${CMAKE_CURRENT_SOURCE_DIR}/mapper")
doctest_discover_tests(mapper_unit_tests TEST_PREFIX "mapper/" PROPERTIES LABELS unit
                       ENVIRONMENT "ODIMO_WORKLOADS=${PROJECT_SOURCE_DIR}/workloads")
list(APPEND ODIMO_UNIT_TEST_BINARIES mapper_unit_tests)

add_executable(bench_train mapper/bench_train.cpp mapper/bench_search.cpp)
odimo_use_aligned_new(bench_train)
target_link_libraries(bench_train PRIVATE odimo_search odimo_options)
target_compile_definitions(bench_train PRIVATE ODIMO_SOURCE_DIR="${PROJECT_SOURCE_DIR}")

# End-to-end `odimo train` runs (label train): quick, on the synthetic set or bad input
# (FAIL: exit status 2 and the message).
function(odimo_train_test name)
  cmake_parse_arguments(T "" "PASS;FAIL" "ARGS" ${ARGN})
  set(expect PASS "${T_PASS}")
  if(DEFINED T_FAIL)
    set(expect FAIL "${T_FAIL}")
  endif()
  odimo_cli_test(${name} LABEL train ARGS train ${T_ARGS} ${expect})
endfunction()
set(_train_out ${CMAKE_CURRENT_BINARY_DIR}/train_out)
odimo_train_test(synthetic_tiny ARGS --net tiny --dataset synthetic --epochs 2 --batch 32 --out ${_train_out}/tiny
                 PASS "test accuracy .*test_accuracy")
odimo_train_test(synthetic_quant ARGS --net tiny --dataset synthetic --epochs 1 --batch 32 --quant diana-aimc
                 --optimizer adam --schedule multistep --milestones 1 --nesterov PASS "quant diana-aimc")
odimo_train_test(resnet8_fashion_mnist_steps ARGS --net resnet8 --epochs 1 --steps-per-epoch 3 --quiet
                 --val-fraction 0.01 PASS "test_accuracy")
odimo_train_test(diverges ARGS --net tiny --dataset synthetic --epochs 1 --lr 1e4 --quiet
                 FAIL "training diverged: (loss|weights)")
odimo_train_test(bad_quant ARGS --net tiny --dataset synthetic --quant int3 FAIL "unknown preset 'int3'")
odimo_train_test(bad_dataset ARGS --net tiny --dataset cifar10:/nonexistent FAIL "data_batch_1.bin: no such file")
odimo_train_test(wrong_input_shape ARGS --net resnet20 --epochs 1 FAIL "has 1x28x28 images but resnet20 expects")
odimo_train_test(multistep_needs_milestones ARGS --net tiny --dataset synthetic --schedule multistep
                 FAIL "needs --milestones")
odimo_train_test(resume_needs_out ARGS --net tiny --dataset synthetic --resume FAIL "--resume needs --out")
odimo_train_test(help ARGS --help PASS "--quant TEXT=float")
