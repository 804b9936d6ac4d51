# Reliability (issue 16): output destinations, resource limits, non-finite numbers, help.
odimo_checked_test(NAME cli/outputs LABEL cli REGEX "outputs: all checks passed"
                   COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/outputs.sh $<TARGET_FILE:odimo>
                           ${CMAKE_CURRENT_BINARY_DIR}/cli_outputs)
