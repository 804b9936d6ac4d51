# mapper/: unit tests of the autograd ops, quantizers, optimizers, data
# and trainer (label unit), end-to-end `odimo train` runs (label train), and the
# ResNet-8 benchmark against PyTorch (a program, not a test).
add_executable(mapper_unit_tests unit/main.cpp
  mapper/test_ops.cpp mapper/test_conv_channels.cpp mapper/test_torch_reference.cpp mapper/test_quantizers.cpp mapper/test_adc.cpp
  mapper/test_counter_normal.cpp
  mapper/test_training.cpp mapper/test_data.cpp mapper/test_conv_direct.cpp mapper/test_initial_weights.cpp
  mapper/test_image_folder.cpp mapper/test_epoch_loop.cpp)
odimo_use_aligned_new(mapper_unit_tests)
if(NOT ODIMO_SANITIZE)  # the sanitizers bring their own operator new, without the alignment tested here
  target_sources(mapper_unit_tests PRIVATE mapper/test_aligned_new.cpp)
endif()
# Image folders written at test time (libjpeg-turbo and libpng encoders).
add_library(odimo_test_images STATIC mapper/image_folder_maker.cpp)
target_include_directories(odimo_test_images PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(odimo_test_images PRIVATE PkgConfig::TurboJPEG PNG::PNG odimo_options)
target_link_libraries(mapper_unit_tests PRIVATE odimo_mapper odimo_test_images doctest::doctest odimo_options)
target_compile_definitions(mapper_unit_tests PRIVATE ODIMO_MAPPER_TEST_DIR="${CMAKE_CURRENT_SOURCE_DIR}/mapper"
                           ODIMO_ONNX_TEST_DIR="${CMAKE_CURRENT_SOURCE_DIR}/data/onnx")
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
# fashion-mnist:DIR here; the bare default (the same folder) is loaded by wrong_input_shape.
odimo_train_test(resnet8_fashion_mnist_steps ARGS --net resnet8 --epochs 1 --steps-per-epoch 3 --quiet
                 --dataset fashion-mnist:/usr/share/datasets/fashion-mnist --val-fraction 0.01 PASS "test_accuracy")
odimo_train_test(diverges ARGS --net tiny --dataset synthetic --epochs 1 --lr 1e4 --quiet
                 FAIL "training diverged: (loss|weights)")
odimo_train_test(bad_quant ARGS --net tiny --dataset synthetic --quant int3 FAIL "unknown preset 'int3'")
# --quant SOC:CU: any CU of any SoC file (here the DWE: the layers it cannot run in the cluster's format)
odimo_train_test(quant_soc_cu ARGS --net tiny --dataset synthetic --epochs 1 --steps-per-epoch 2 --quiet
                 --quant darkside:dwe PASS "quant darkside:dwe")
odimo_train_test(quant_unknown_cu ARGS --net tiny --dataset synthetic --quant diana:gpu
                 FAIL "--quant: diana:gpu: SoC diana has no CU 'gpu' [(]CUs: host, digital, aimc[)]")
odimo_train_test(quant_unknown_soc ARGS --net tiny --dataset synthetic --quant nosuchsoc:digital
                 FAIL "nosuchsoc")
odimo_train_test(fashion_mnist_missing_dir ARGS --net tiny --input 1x28x28 --dataset fashion-mnist:/nonexistent
                 FAIL "/nonexistent/train-images-idx3-ubyte.gz: no such file")
odimo_train_test(bad_dataset ARGS --net tiny --dataset cifar10:/nonexistent FAIL "data_batch_1.bin: no such file")
odimo_train_test(wrong_input_shape ARGS --net resnet20 --epochs 1 FAIL "has 1x28x28 images but resnet20 expects")
odimo_train_test(multistep_needs_milestones ARGS --net tiny --dataset synthetic --schedule multistep
                 FAIL "needs --milestones")
odimo_train_test(resume_needs_out ARGS --net tiny --dataset synthetic --resume FAIL "--resume needs --out")
odimo_train_test(help ARGS --help PASS "--quant TEXT=float")

# --init (mapper/train/initial_weights.h): round trips, and every error (one line, exit 2).
add_test(NAME train/init_roundtrip COMMAND ${CMAKE_COMMAND} -DODIMO=$<TARGET_FILE:odimo>
         -DWORK=${CMAKE_CURRENT_BINARY_DIR} -DONNX=${PROJECT_SOURCE_DIR}/tests/data/onnx
         -P ${CMAKE_CURRENT_SOURCE_DIR}/mapper/init_roundtrip.cmake)
set_tests_properties(train/init_roundtrip PROPERTIES LABELS train
                     ENVIRONMENT "ODIMO_WORKLOADS=${PROJECT_SOURCE_DIR}/workloads")
set(_onnx_dir ${PROJECT_SOURCE_DIR}/tests/data/onnx)
odimo_train_test(init_file_not_found ARGS --net tiny --dataset synthetic --epochs 0 --init /nonexistent/W.pb
                 FAIL "^odimo train: error: /nonexistent/W.pb: cannot open")
odimo_train_test(init_not_a_checkpoint ARGS --net tiny --dataset synthetic --epochs 0
                 --init ${_onnx_dir}/small-weights.io.txt FAIL "small-weights.io.txt: not a valid odimo.proto.Checkpoint")
odimo_train_test(init_missing_tensor ARGS --net tiny --dataset synthetic --epochs 0 --init ${_onnx_dir}/small-mobile.onnx
                 FAIL "small-mobile.onnx: tensor 'conv1.weight': missing: expected by layer 'conv1' of tiny")
odimo_train_test(init_extra_tensor ARGS --net ${_onnx_dir}/small-mobile-nobias.pbtxt --dataset synthetic --epochs 0
                 --init ${_onnx_dir}/small-mobile.onnx
                 FAIL "small-mobile.onnx: tensor 'fc.Gemm.bias': extra: small-mobile has no such tensor")
odimo_train_test(init_wrong_shape ARGS --net ${_onnx_dir}/small-weights.onnx --input 3x16x16 --dataset synthetic
                 --epochs 0 --init ${_onnx_dir}/small-weights.onnx
                 FAIL "small-weights.onnx: tensor 'fc1.Gemm.weight': shape 12x128: expected 12x512 \\(layer 'fc1.Gemm'")
odimo_train_test(init_no_initializer ARGS --net tiny --dataset synthetic --epochs 0 --init ${_onnx_dir}/resnet18.onnx
                 FAIL "resnet18.onnx: tensor 'onnx::Conv_193' \\(weight of layer 'conv1.Conv'\\): no values: expected an initializer")
odimo_train_test(epochs_zero_needs_init ARGS --net tiny --dataset synthetic --epochs 0
                 FAIL "--epochs must be at least 1 \\(0, only evaluating, needs --init FILE\\)")
odimo_cli_test(import_weights_no_initializer LABEL train ARGS import ${_onnx_dir}/resnet18.onnx
               -o ${CMAKE_CURRENT_BINARY_DIR}/resnet18-noweights.pbtxt --weights ${CMAKE_CURRENT_BINARY_DIR}/resnet18-noweights.pb
               FAIL "resnet18.onnx: tensor 'onnx::Conv_193' \\(weight of layer 'conv1.Conv'\\): no values")
include(${CMAKE_CURRENT_LIST_DIR}/image_folder_tests.cmake)
