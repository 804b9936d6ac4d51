# Reliability: output destinations, resource limits, non-finite numbers, help.
odimo_checked_test(NAME cli/outputs LABEL cli REGEX "outputs: all checks passed"
                   COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/outputs.sh $<TARGET_FILE:odimo>
                           ${CMAKE_CURRENT_BINARY_DIR}/cli_outputs)
odimo_checked_test(NAME cli/inputs_not_outputs LABEL cli REGEX "inputs_not_outputs: all checks passed"
                   COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/inputs_not_outputs.sh $<TARGET_FILE:odimo>
                           ${CMAKE_CURRENT_BINARY_DIR}/cli_inputs_not_outputs ${PROJECT_SOURCE_DIR})

# Resources: thread and process counts in the engine's range, checked before any work
# (the per-thread scratch is sized for 256, mapper/tensor/tensor.h), in options and sweep specs;
# a network too large to train is refused before any allocation.
set(_bad ${PROJECT_SOURCE_DIR}/tests/data/bad)
odimo_cli_test(search_threads_257 ARGS search --soc diana --net tiny --dataset synthetic --lambda 1 -o unused
               --threads 257 FAIL "^odimo search: error: --threads: 257: expected an integer in \\[1, 256\\]\n$")
odimo_cli_test(train_threads_100000 ARGS train --net tiny --dataset synthetic --threads 100000
               FAIL "--threads: 100000: expected an integer in \\[1, 256\\]")
odimo_cli_test(train_threads_0 ARGS train --net tiny --dataset synthetic --threads 0
               FAIL "--threads: 0: expected an integer in \\[1, 256\\]")
odimo_cli_test(train_batch_huge ARGS train --net tiny --dataset synthetic --batch 2000000000
               FAIL "--batch: 2000000000: expected an integer in \\[1, 65536\\]")
odimo_cli_test(sweep_jobs_100000 ARGS sweep --soc diana --net tiny --lambdas 1 --jobs 100000 -o unused
               FAIL "--jobs: 100000: expected an integer in \\[1, 256\\]")
odimo_cli_test(sweep_spec_threads ARGS sweep plan ${_bad}/threads.sweep.pbtxt -o unused
               FAIL "threads.sweep.pbtxt: field 'threads': 100000 must be in \\[0, 256\\]")
odimo_cli_test(sweep_spec_huge_seed ARGS sweep plan ${_bad}/huge-seed.sweep.pbtxt -o unused
               FAIL "huge-seed.sweep.pbtxt: field 'seed': 4294967296 must be in \\[0, 4294967295\\]")
odimo_cli_test(network_wrong_classes ARGS train --net ${_bad}/wrong-classes.net.pbtxt --dataset synthetic
               FAIL "wrong-classes.net.pbtxt: field 'classes': 10 but the last layer 'fc' produces 4 channels")
odimo_cli_test(train_memory ARGS train --net ${_bad}/huge-weights.net.pbtxt --dataset synthetic --input 15000x1x1
               FAIL "training huge-weights needs at least [0-9.e+]+ GB .* but this machine has")
odimo_cli_test(search_memory ARGS search --soc diana --net ${_bad}/huge-weights.net.pbtxt --dataset synthetic
               --lambda 1 -o unused FAIL "training huge-weights needs at least [0-9.e+]+ GB")

# Non-finite and absurd numbers: every floating-point option has a finite range
# (cli/command_line.h finite_range; a command declaring one without it fails its help);
# files through their own checks (hw/field_check.h, calibrations, sweep specs).
foreach(v nan inf -inf 1e308)
  odimo_cli_test(validate_max_mape_${v} ARGS validate --soc diana --max-mape ${v}
                 FAIL "^odimo validate: error: --max-mape: ${v}: expected a finite number in \\[0, 1e\\+06\\]\n$")
endforeach()
odimo_cli_test(search_lambda_inf ARGS search --soc diana --net tiny --dataset synthetic --lambda inf -o unused
               FAIL "--lambda: inf: expected a finite number in \\[0, 1e\\+06\\]")
odimo_cli_test(search_arch_lr_nan ARGS search --soc diana --net tiny --dataset synthetic --lambda 1 -o unused
               --arch-lr nan FAIL "--arch-lr: nan: expected a finite number in \\[1e-09, 10000\\]")
foreach(v nan -0.5 1.5)
  odimo_cli_test(search_conv_branch_threshold_${v} ARGS search --soc darkside --net mobilenetv1-0.25-cifar
                 --dataset synthetic --lambda 1 -o unused --conv-branch-threshold ${v}
                 FAIL "^odimo search: error: --conv-branch-threshold: ${v}: expected a finite number in \\[0, 1\\]\n$")
endforeach()
odimo_cli_test(train_lr_1e308 ARGS train --net tiny --dataset synthetic --lr 1e308
               FAIL "--lr: 1e308: expected a finite number in \\[1e-09, 10000\\]")
odimo_cli_test(train_momentum_2 ARGS train --net tiny --dataset synthetic --momentum 2
               FAIL "--momentum: 2: expected a finite number in \\[0, 0.999\\]")
odimo_cli_test(calibrate_holdout_nan ARGS calibrate --soc diana --traces x.csv --out unused --holdout-fraction nan
               FAIL "--holdout-fraction: nan: expected a finite number in \\[0, 0.99\\]")
odimo_cli_test(cost_huge_coefficient ARGS cost --soc diana --net tiny
               --calibration ${_bad}/huge-coefficient.calibration.pbtxt
               FAIL "coefficient 'tile_roofline' = 1e\\+308 must be finite, >= 0 and at most 1e\\+06")
odimo_cli_test(cost_nan_fit_error ARGS cost --soc diana --net tiny
               --calibration ${_bad}/nan-fit-error.calibration.pbtxt
               FAIL "nan-fit-error.calibration.pbtxt: field 'fit\\[0\\].mean_rel_error': value nan must be in \\[0, 1e\\+06\\]")
odimo_cli_test(sweep_spec_huge_lr ARGS sweep plan ${_bad}/huge-lr.sweep.pbtxt -o unused
               FAIL "huge-lr.sweep.pbtxt: field 'lr': 1e\\+308 must be 0 \\(the default\\) or in \\[1e-09, 10000\\]")
odimo_cli_test(sweep_spec_inf_lambda ARGS sweep plan ${_bad}/inf-lambda.sweep.pbtxt -o unused
               FAIL "inf-lambda.sweep.pbtxt: field 'lambda': 'inf': expected a number in \\[0, 1e\\+06\\]")

# Help and mistakes on the command line: every command's help exits 0 (and so declares
# a range for each of its numbers); an unknown command or option is one line, exit 2.
odimo_cli_test(help_bare ARGS help PASS "commands:.*simulate")
odimo_cli_test(help_dash_h ARGS -h PASS "commands:.*simulate")
foreach(cmd inspect workloads socs import cost simulate train search replay calibrate validate sweep pareto demo)
  odimo_cli_test(help_of_${cmd} ARGS help ${cmd} PASS "Usage: odimo ${cmd}")
  odimo_cli_test(dash_h_of_${cmd} ARGS ${cmd} -h PASS "Usage: odimo ${cmd}")
endforeach()
foreach(sub plan run reduce sbatch)
  odimo_cli_test(help_of_sweep_${sub} ARGS help sweep ${sub} PASS "Usage: odimo sweep ${sub}")
endforeach()
odimo_cli_test(unknown_dash_option ARGS -x FAIL "^odimo: error: unknown option '-x' \\(see odimo --help\\)\n$")
odimo_cli_test(unknown_option_before_missing ARGS simulate --bogus
               FAIL "^odimo simulate: error: unknown option --bogus \\(see odimo simulate --help\\)\n$")
odimo_cli_test(sweep_lambdas_inf ARGS sweep --soc diana --net tiny --lambdas 1,inf -o unused
               FAIL "^odimo sweep: error: --lambdas: inf: expected a finite number in \\[0, 1000000\\]\n$")

# Found by fuzzing: names the system refuses as file names (too long) are "no such file",
# never an escaping std::filesystem exception (proto/proto_io.h file_exists).
odimo_cli_test(sweep_spec_long_net_name ARGS sweep plan ${_bad}/long-net-name.sweep.pbtxt -o unused
               FAIL "long-net-name.sweep.pbtxt: field 'net'")
odimo_cli_test(inspect_long_name ARGS inspect nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn FAIL "^odimo inspect: error: .*nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn")
odimo_cli_test(simulate_long_soc_name ARGS simulate --soc nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn --net tiny FAIL "^odimo simulate: error: .*nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn")
odimo_checked_test(NAME cli/number_texts LABEL cli REGEX "number_texts: all checks passed"
                   COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/number_texts.sh $<TARGET_FILE:odimo>
                           ${CMAKE_CURRENT_BINARY_DIR}/cli_number_texts)
odimo_checked_test(NAME cli/reports LABEL cli REGEX "reports: all checks passed"
                   COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/reports.sh $<TARGET_FILE:odimo>
                           ${CMAKE_CURRENT_BINARY_DIR}/cli_reports)

# Slurm scripts: values of #SBATCH lines that a line cannot hold are refused, every other
# value is quoted; hostile values neither break the script's syntax nor run.
odimo_checked_test(NAME cli/sbatch_quoting LABEL cli REGEX "sbatch_quoting: all checks passed"
                   COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/sbatch_quoting.sh $<TARGET_FILE:odimo>
                           ${CMAKE_CURRENT_BINARY_DIR}/cli_sbatch_quoting
                           ${PROJECT_SOURCE_DIR}/workloads/sweeps/tiny.sweep.pbtxt)

# Class counts: one rule for train, search and deploy (mapper/data/data.h load_dataset_for): a data
# set with more classes than the network's outputs is refused; a network that states no class
# count (an imported one) has its outputs as classes.
foreach(cmd train search)
  set(_extra)
  if(cmd STREQUAL search)
    set(_extra --soc diana --lambda 1 -o unused)
  endif()
  odimo_cli_test(${cmd}_more_classes_than_outputs ARGS ${cmd} --net ${_bad}/four-outputs.net.pbtxt --input 1x28x28
                 --dataset fashion-mnist ${_extra}
                 FAIL "odimo ${cmd}: error: tiny has 4 outputs but fashion-mnist has 10 classes")
endforeach()

# A folder where a file is expected is refused by the one reader, never read as empty.
odimo_checked_test(NAME cli/folder_inputs LABEL cli REGEX "folder_inputs: all checks passed"
                   COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/folder_inputs.sh $<TARGET_FILE:odimo>
                           ${CMAKE_CURRENT_BINARY_DIR}/cli_folder_inputs)

# Output paths at the limits: a 255-byte name is written, a longer one or a deleted working
# directory is refused before any work (proto/output_file.h).
odimo_checked_test(NAME cli/output_paths LABEL cli REGEX "output_paths: all checks passed"
                   COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/output_paths.sh $<TARGET_FILE:odimo>
                           ${CMAKE_CURRENT_BINARY_DIR}/cli_output_paths)

# Outputs odimo reads back: a name a trace file cannot hold is refused before the simulation.
odimo_cli_test(trace_csv_comma_name ARGS simulate --soc diana --net ${_bad}/comma-layer.net.pbtxt
               --trace-csv ${CMAKE_CURRENT_BINARY_DIR}/never.trace.csv
               FAIL "^odimo simulate: error: --trace-csv: layer 'fc,logits' of tiny: its name holds a comma, which a trace file \\(CSV\\) cannot hold\n$")
