# odimo train/search --init (mapper/train/initial_weights.h) end to end:
#  1. train tiny 1 short epoch -> DIR/checkpoint.pb; `train --init DIR/checkpoint.pb --epochs 0`
#     reports the same test accuracy and loss (weights and batch-norm statistics restored exactly);
#  2. the same checkpoint starts a quantized training and a search (a float checkpoint for search,
#     the sweep's pretraining point);
#  3. `import --weights W.pb` and the .onnx itself give the same test accuracy.
#   cmake -DODIMO=odimo -DWORK=<dir> -DONNX=<tests/data/onnx> -P init_roundtrip.cmake
cmake_minimum_required(VERSION 3.25)
function(run out)
  execute_process(COMMAND "${ODIMO}" ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE o ERROR_VARIABLE e)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "odimo ${ARGN}: exit status ${rc}\n${o}\n${e}")
  endif()
  set(${out} "${o}${e}" PARENT_SCOPE)
endfunction()
# "accuracy loss" of the test split, from the log line and the result.
function(test_accuracy out text)
  if(NOT text MATCHES "test_accuracy ([0-9.e-]+)")
    message(FATAL_ERROR "no test accuracy in:\n${text}")
  endif()
  set(acc ${CMAKE_MATCH_1})
  if(NOT text MATCHES "test accuracy [0-9.]+% \\(loss ([0-9.]+)\\)")
    message(FATAL_ERROR "no test loss in:\n${text}")
  endif()
  set(${out} "${acc} ${CMAKE_MATCH_1}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${WORK}/init")
set(common --dataset synthetic --batch 32 --quiet)
run(a train --net tiny ${common} --epochs 1 --steps-per-epoch 4 --out "${WORK}/init/train")
run(b train --net tiny ${common} --epochs 0 --init "${WORK}/init/train/checkpoint.pb")
test_accuracy(acc_a "${a}")
test_accuracy(acc_b "${b}")
if(NOT acc_a STREQUAL acc_b OR NOT b MATCHES "initial weights from .*checkpoint.pb: 22 tensors")
  message(FATAL_ERROR "trained: ${acc_a}, evaluated from its checkpoint: ${acc_b}\n${b}")
endif()
message(STATUS "test accuracy, loss: ${acc_a} after training, ${acc_b} from --init checkpoint.pb --epochs 0")

run(q train --net tiny ${common} --epochs 1 --steps-per-epoch 2 --quant diana-aimc
    --init "${WORK}/init/train/checkpoint.pb")
run(s search --soc diana --net tiny --dataset synthetic --lambda 0.5 --epochs 0,1,1 --steps-per-epoch 2
    --no-replay --quiet -o "${WORK}/init/search" --init "${WORK}/init/train/checkpoint.pb")
file(READ "${WORK}/init/search/report.json" report)
string(JSON init GET "${report}" init)
if(NOT init MATCHES "checkpoint.pb$")
  message(FATAL_ERROR "the search report does not record --init: '${init}'")
endif()

run(i import "${ONNX}/small-weights.onnx" -o "${WORK}/init/small-weights.pbtxt" --weights "${WORK}/init/W.pb")
run(c train --net "${WORK}/init/small-weights.pbtxt" ${common} --epochs 0 --init "${WORK}/init/W.pb")
run(d train --net "${ONNX}/small-weights.onnx" ${common} --epochs 0 --init "${ONNX}/small-weights.onnx")
test_accuracy(acc_c "${c}")
test_accuracy(acc_d "${d}")
if(NOT acc_c STREQUAL acc_d)
  message(FATAL_ERROR "from W.pb: ${acc_c}, from the .onnx: ${acc_d}")
endif()
