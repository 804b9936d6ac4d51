# End-to-end tests of the odimo command line (label cli, or LABEL x: test x/NAME).
set(_odimo_env "ODIMO_WORKLOADS=${PROJECT_SOURCE_DIR}/workloads;SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1")
set(_run_checked ${CMAKE_CURRENT_SOURCE_DIR}/run_checked.cmake)

# odimo_checked_test(NAME name COMMAND cmd args... [STATUS n] [REGEX re] [LABEL l]):
# `cmd args...` must exit with status n (default 0) and, given REGEX, print it.
function(odimo_checked_test)
  cmake_parse_arguments(T "" "NAME;STATUS;REGEX;LABEL" "COMMAND" ${ARGN})
  if(NOT DEFINED T_STATUS)
    set(T_STATUS 0)
  endif()
  set(defs -DSTATUS=${T_STATUS})
  if(DEFINED T_REGEX)
    list(APPEND defs "-DREGEX=${T_REGEX}")
  endif()
  add_test(NAME ${T_NAME} COMMAND ${CMAKE_COMMAND} ${defs} -P ${_run_checked} -- ${T_COMMAND})
  set_tests_properties(${T_NAME} PROPERTIES LABELS ${T_LABEL} ENVIRONMENT "${_odimo_env}")
endfunction()

# odimo_cli_test(name ARGS args... [PASS re | FAIL re] [STATUS n] [LABEL l]): `odimo args...`
# exits 0 (PASS, or neither) or 2 (FAIL: bad input) unless STATUS says otherwise, and prints re.
function(odimo_cli_test name)
  cmake_parse_arguments(T "" "PASS;FAIL;STATUS;LABEL" "ARGS" ${ARGN})
  if(NOT T_LABEL)
    set(T_LABEL cli)
  endif()
  set(status 0)
  set(regex)
  if(DEFINED T_PASS)
    set(regex REGEX "${T_PASS}")
  elseif(DEFINED T_FAIL)
    set(status 2)
    set(regex REGEX "${T_FAIL}")
  endif()
  if(DEFINED T_STATUS)
    set(status ${T_STATUS})
  endif()
  odimo_checked_test(NAME ${T_LABEL}/${name} COMMAND $<TARGET_FILE:odimo> ${T_ARGS} STATUS ${status} ${regex}
                     LABEL ${T_LABEL})
endfunction()

foreach(w tiny resnet8 resnet20 resnet18-cifar resnet18-imagenet
          mobilenetv1-0.25-cifar mobilenetv1-0.25-imagenet mobilenetv1-0.5-cifar
          mobilenetv1-0.5-imagenet mobilenetv1-1.0-cifar mobilenetv1-1.0-imagenet
          mobilenetv1-0.25-odimo mobilenetv1-1.0-odimo)
  odimo_cli_test(inspect_${w} ARGS inspect ${w} PASS "total")
endforeach()
odimo_cli_test(inspect_json ARGS inspect resnet20 --json PASS "\"total\": {\"macs\": 40813184, \"params\": 272474")
odimo_cli_test(inspect_input_override ARGS inspect resnet20 --input 1x28x28 PASS "input 1x28x28")
odimo_cli_test(inspect_bad_input ARGS inspect resnet20 --input 1x28
               FAIL "^odimo inspect: error: --input: '1x28' is not a shape")
odimo_cli_test(inspect_missing ARGS inspect no_such_net FAIL "no_such_net: no such file, and not a shipped workload")
odimo_cli_test(inspect_unknown_option ARGS inspect tiny --colour
               FAIL "^odimo inspect: error: unknown option --colour \\(see odimo inspect --help\\)\n$")
odimo_cli_test(inspect_no_net ARGS inspect FAIL "^odimo inspect: error: missing argument NET \\(usage: odimo inspect NET")
odimo_cli_test(inspect_extra_argument ARGS inspect tiny resnet8
               FAIL "^odimo inspect: error: unexpected argument 'resnet8' \\(usage: odimo inspect NET")
odimo_cli_test(option_needs_value ARGS cost --net tiny --soc FAIL "^odimo cost: error: option --soc needs a value\n$")
odimo_cli_test(option_not_integer ARGS sweep run plan -o out --jobs many
               FAIL "^odimo sweep run: error: option --jobs: 'many' is not an integer\n$")
odimo_cli_test(workloads_list ARGS workloads PASS "resnet18-imagenet")
odimo_cli_test(unknown_command ARGS frobnicate FAIL "^odimo: error: unknown command 'frobnicate' \\(see odimo --help\\)\n$")
odimo_cli_test(unknown_subcommand ARGS sweep frobnicate
               FAIL "^odimo sweep: error: unknown subcommand 'frobnicate' \\(odimo sweep has plan, run, reduce, sbatch\\)")
odimo_cli_test(no_command ARGS STATUS 2 PASS "usage: odimo COMMAND")
odimo_cli_test(version ARGS --version PASS "^odimo [0-9]+\\.[0-9]+\\.[0-9]+\n$")
odimo_cli_test(help_list ARGS --help PASS "commands:.*simulate.*sweep")
# Help of a command: `odimo help CMD [SUB]` and `odimo CMD -h|--help` print the same, on stdout, exit 0.
odimo_cli_test(help_command ARGS help cost PASS "Usage: odimo cost .*--model TEXT=calibrated")
odimo_cli_test(help_flag ARGS cost --help PASS "Usage: odimo cost .*--model TEXT=calibrated")
odimo_cli_test(help_short ARGS inspect -h PASS "Usage: odimo inspect .*NET")
odimo_cli_test(help_subcommand ARGS help sweep run PASS "Usage: odimo sweep run .*--index-from-env")
odimo_cli_test(help_subcommand_flag ARGS sweep sbatch --help PASS "Usage: odimo sweep sbatch .*--max-parallel INT=0")
odimo_cli_test(help_unknown_command ARGS help frobnicate FAIL "^odimo help: error: unknown command 'frobnicate'")
odimo_cli_test(help_unknown_subcommand ARGS help sweep frobnicate
               FAIL "^odimo help: error: unknown subcommand 'frobnicate' \\(odimo sweep has plan, run")

# ONNX networks (workloads/onnx_import.h): the files and totals.txt come from
# tests/workloads/make_onnx.py (PyTorch 1.13 / torchvision 0.14); the totals are
# counted on the PyTorch models (BatchNorm folded by the exporter).
set(_onnx ${PROJECT_SOURCE_DIR}/tests/data/onnx)
file(STRINGS ${_onnx}/totals.txt _onnx_totals REGEX "^[^#]")
foreach(line ${_onnx_totals})
  string(REPLACE " " ";" f "${line}")
  list(GET f 0 name)
  list(GET f 1 macs)
  list(GET f 2 params)
  odimo_cli_test(onnx_${name} ARGS inspect ${_onnx}/${name}.onnx --json
                 PASS "\"total\": {\"macs\": ${macs}, \"params\": ${params}")
endforeach()
foreach(soc diana darkside)
  odimo_cli_test(onnx_resnet18_simulates_${soc} ARGS simulate --soc ${soc} --net ${_onnx}/resnet18.onnx
                 PASS "total: [0-9,]+ cycles")
endforeach()
odimo_cli_test(onnx_mobilenet_v2_cost ARGS cost --soc diana --net ${_onnx}/mobilenet_v2.onnx --mapping all:aimc
               PASS "[0-9,]+ cycles = [0-9.]+ us")
odimo_cli_test(onnx_dilation ARGS inspect ${_onnx}/bad-dilation.onnx
               FAIL "bad-dilation.onnx: node '/0/Conv' \\(Conv\\): dilation 2 is not supported")
# 64-bit sizes that do not fit the Network IR are refused, not wrapped to small numbers.
odimo_cli_test(onnx_huge_stride ARGS inspect ${_onnx}/bad-huge-stride.onnx
               FAIL "bad-huge-stride.onnx: node '/0/Conv' \\(Conv\\): strides 4294967297 is out of range: expected at most 2147483647")
odimo_cli_test(onnx_huge_channels ARGS inspect ${_onnx}/bad-huge-channels.onnx
               FAIL "bad-huge-channels.onnx: node '/0/Conv' \\(Conv\\): output channels \\(weight dimension 0\\) 4294967304 is out of range")
# A graph whose nodes read what they or later nodes produce: said as such.
odimo_cli_test(onnx_unsorted ARGS inspect ${_onnx}/bad-unsorted.onnx
               FAIL "^odimo inspect: error: [^\n]*bad-unsorted.onnx: node '/1/Relu' \\(Relu\\): reads 'mid', which node '/0/Conv' \\(Conv\\) after it produces: a cycle, or nodes not in the topological order ONNX requires\n$")
odimo_cli_test(onnx_self_loop ARGS inspect ${_onnx}/bad-self-loop.onnx
               FAIL "bad-self-loop.onnx: node '/1/Relu' \\(Relu\\): reads 'loop', its own output: a cycle")
odimo_cli_test(onnx_two_inputs ARGS inspect ${_onnx}/bad-two-inputs.onnx
               FAIL "bad-two-inputs.onnx: node '/1/Add' \\(Add\\): reads 'second', a graph input after the first, as data: odimo networks take one data input")
odimo_cli_test(onnx_unsupported_op ARGS inspect ${_onnx}/bad-leakyrelu.onnx
               FAIL "bad-leakyrelu.onnx: node '/1/LeakyRelu' \\(LeakyRelu\\): operator not supported")
# Found by fuzz_onnx: an Add with one input indexed past the end (protobuf CHECK, exit 3).
odimo_cli_test(onnx_add_one_input ARGS inspect ${PROJECT_SOURCE_DIR}/tests/data/bad/add-one-input.onnx
               FAIL "add-one-input.onnx: node '/Add' \\(Add\\): has no input 1")
odimo_cli_test(onnx_clip_bounds ARGS inspect ${_onnx}/bad-clip.onnx
               FAIL "bad-clip.onnx: node '/1/Clip' \\(Clip\\): bounds -1..1 are not supported")
odimo_cli_test(onnx_not_onnx ARGS inspect ${_onnx}/totals.txt.onnx FAIL "totals.txt.onnx: cannot open")
odimo_cli_test(onnx_import ARGS import ${_onnx}/resnet18.onnx -o ${CMAKE_CURRENT_BINARY_DIR}/resnet18-imported.pbtxt
               PASS "wrote .*resnet18-imported.pbtxt: resnet18, 49 layers, 1814073344 MACs, 11684712 params")
odimo_cli_test(onnx_import_needs_onnx ARGS import ${PROJECT_SOURCE_DIR}/workloads/tiny.pbtxt -o x.pbtxt
               FAIL "tiny.pbtxt: expected an ONNX model")

# Bad input of several classes: one line naming the file, field and value, exit 2.
set(_bad ${PROJECT_SOURCE_DIR}/tests/data/bad)
odimo_cli_test(bad_repeated_channel ARGS simulate --soc diana --net tiny --mapping ${_bad}/repeated-channel.mapping.pbtxt
               FAIL "layer 'conv1': output channel 0 is listed twice for digital")
odimo_cli_test(bad_mapping_other_soc ARGS simulate --soc diana --net tiny --mapping ${_bad}/other-soc.mapping.pbtxt
               FAIL "field 'soc': the mapping is for SoC 'darkside', not 'diana'")
odimo_cli_test(bad_inf_clock ARGS socs ${_bad}/inf-clock.pbtxt
               FAIL "field 'clock_mhz': value inf must be finite and at most 1e\\+12")
odimo_cli_test(bad_unknown_split_rule ARGS socs ${_bad}/unknown-split-rule.pbtxt
               FAIL "field 'split_rule': value 7 is not a split rule")
odimo_cli_test(bad_policy_unknown_cu ARGS socs ${_bad}/policy-unknown-cu.pbtxt
               FAIL "field 'policy.cu': value 'analog' names no CU" STATUS 2)
odimo_cli_test(bad_huge_input ARGS inspect ${_bad}/huge-input.net.pbtxt
               FAIL "field 'input': shape 1x2147483000x4 exceeds the limits")
odimo_cli_test(bad_huge_padding ARGS inspect ${_bad}/huge-padding.net.pbtxt
               FAIL "layer 'c': field 'padding': value 100000 exceeds 4096")
odimo_cli_test(bad_huge_input_option ARGS inspect tiny --input 1x100000x4 FAIL "exceeds the limits")
odimo_cli_test(bad_l2_below_burst ARGS socs ${_bad}/tiny-l2.pbtxt
               FAIL "field 'dma.burst_bytes': value 512 exceeds the L2 \\(256 bytes\\)")
