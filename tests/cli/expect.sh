# Shared by the CLI test scripts (source it after cd into the work folder).
fail() { echo "FAIL: $*"; exit 1; }
expect_error() {  # expect_error REGEX command...: exit 2, REGEX on stderr in one line, nothing on stdout
  local re=$1; shift
  local rc=0
  "$@" > out.txt 2> err.txt || rc=$?
  [ "$rc" = 2 ] || { cat out.txt err.txt; fail "'$*' exited $rc, expected 2"; }
  grep -qE -- "$re" err.txt || { cat err.txt; fail "'$*' did not say: $re"; }
  [ "$(wc -l < err.txt)" = 1 ] || { cat err.txt; fail "'$*': more than one line on stderr"; }
  [ ! -s out.txt ] || { cat out.txt; fail "'$*' did its work before refusing"; }
}
