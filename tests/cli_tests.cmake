# End-to-end tests of the odimo command line (label cli, or LABEL x: test x/NAME).
set(_odimo_env "ODIMO_WORKLOADS=${PROJECT_SOURCE_DIR}/workloads;SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1")

function(odimo_cli_test name)
  cmake_parse_arguments(T "" "PASS;FAIL;LABEL" "ARGS" ${ARGN})
  if(NOT T_LABEL)
    set(T_LABEL cli)
  endif()
  set(name ${T_LABEL}/${name})
  add_test(NAME ${name} COMMAND odimo ${T_ARGS})
  set_tests_properties(${name} PROPERTIES LABELS ${T_LABEL} ENVIRONMENT "${_odimo_env}")
  if(T_PASS)
    set_tests_properties(${name} PROPERTIES PASS_REGULAR_EXPRESSION "${T_PASS}")
  endif()
  if(T_FAIL)
    # Bad input: must exit non-zero (WILL_FAIL) and say why.
    add_test(NAME ${name}_message COMMAND odimo ${T_ARGS})
    set_tests_properties(${name}_message PROPERTIES LABELS ${T_LABEL} ENVIRONMENT "${_odimo_env}"
                         PASS_REGULAR_EXPRESSION "${T_FAIL}")
    set_tests_properties(${name} PROPERTIES WILL_FAIL TRUE)
  endif()
endfunction()

foreach(w tiny resnet8 resnet20 resnet18-cifar resnet18-imagenet
          mobilenetv1-0.25-cifar mobilenetv1-0.25-imagenet mobilenetv1-0.5-cifar
          mobilenetv1-0.5-imagenet mobilenetv1-1.0-cifar mobilenetv1-1.0-imagenet
          mobilenetv1-0.25-odimo mobilenetv1-1.0-odimo)
  odimo_cli_test(inspect_${w} ARGS inspect ${w} PASS "total")
endforeach()
odimo_cli_test(inspect_json ARGS inspect resnet20 --json PASS "\"total\": {\"macs\": 40813184, \"params\": 272474")
odimo_cli_test(inspect_input_override ARGS inspect resnet20 --input 1x28x28 PASS "input 1x28x28")
odimo_cli_test(inspect_bad_input ARGS inspect resnet20 --input 1x28 FAIL "--input: '1x28' is not a shape")
odimo_cli_test(inspect_missing ARGS inspect no_such_net FAIL "no_such_net: no such file, and not a shipped workload")
odimo_cli_test(inspect_unknown_option ARGS inspect tiny --colour FAIL "unknown option --colour")
odimo_cli_test(workloads_list ARGS workloads PASS "resnet18-imagenet")
odimo_cli_test(unknown_command ARGS frobnicate FAIL "unknown command 'frobnicate'")
