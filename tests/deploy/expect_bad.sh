# Sourced by the deploy/ADC/sensitivity CLI tests: `expect_bad NAME REGEX ARGS...` runs
# "$odimo" ARGS and asserts exit status 2 and exactly one line on stderr of the form
# "odimo COMMAND: error: ...REGEX", COMMAND matching $bad_commands (an extended regex the
# sourcing script sets, e.g. "search|train"). Output goes to NAME.out and NAME.err.
expect_bad() {  # name, regex, args...
  local name=$1 re=$2
  shift 2
  set +e
  "$odimo" "$@" > "$name.out" 2> "$name.err"
  local rc=$?
  set -e
  [ "$rc" = 2 ] || { echo "FAIL $name: exit $rc"; cat "$name.err"; exit 1; }
  [ "$(wc -l < "$name.err")" = 1 ] || { echo "FAIL $name: not one line"; cat "$name.err"; exit 1; }
  grep -Eq "^odimo ($bad_commands): error: .*$re" "$name.err" || { echo "FAIL $name:"; cat "$name.err"; exit 1; }
}
