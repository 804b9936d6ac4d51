# Shared by the fault tests (sourced): failing, skipping, bounded waits, and the check that
# every file under a final name is complete.
#   SOURCE_DIR: the repository root (proto/ for protoc --decode/--encode)
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }  # CTest's SKIP_RETURN_CODE for these tests

# wait_until SECONDS WHAT COMMAND...: polls COMMAND every 0.1 s; fails naming WHAT after SECONDS.
wait_until() {
  local limit=$1 what=$2 end
  shift 2
  end=$((SECONDS + limit))
  until "$@" > /dev/null 2>&1; do
    [ $SECONDS -lt $end ] || fail "timed out after ${limit}s waiting for $what"
    sleep 0.1
  done
}

# check_complete DIR: every file under a final name below DIR (not a *.tmp.* temporary,
# not a log) parses as what its name says; temporaries are listed, not failed (a killed
# writer leaves its temporary; only the rename makes a file final).
check_complete() {
  local f type
  while IFS= read -r -d '' f; do
    case "$f" in
      *.tmp.*) echo "  (temporary left by a killed writer: ${f#$1/})"; continue ;;
      */logs/*|*.log|*.out|*.txt) continue ;;
      *.json) cmake -DFILE="$f" -P "$(dirname "${BASH_SOURCE[0]}")/json_check.cmake" ||
                fail "$f is under its final name but not complete JSON"; continue ;;
      */checkpoint.pb|*/weights.pb) type=Checkpoint; proto=checkpoint.proto ;;
      */search-checkpoint.pb) type=SearchCheckpoint; proto=checkpoint.proto ;;
      */mapping.pbtxt) type=Mapping; proto=mapping.proto ;;
      */plan.pbtxt) type=SweepPlan; proto=sweep.proto ;;
      */point-*.pbtxt) type=SweepPoint; proto=sweep.proto ;;
      *) continue ;;
    esac
    case "$f" in
      *.pb) protoc -I"$SOURCE_DIR" --decode=odimo.proto.$type "$SOURCE_DIR/proto/$proto" < "$f" > /dev/null ;;
      *) protoc -I"$SOURCE_DIR" --encode=odimo.proto.$type "$SOURCE_DIR/proto/$proto" < "$f" > /dev/null ;;
    esac || fail "$f is under its final name but does not parse as $type"
  done < <(find "$1" -type f -print0)
}

# same_results A B FILE...: the named result files of every point folder of A equal B's, byte for byte.
same_results() {
  local a=$1 b=$2 p f n=0
  shift 2
  for p in "$a"/point-*; do
    for f in "$@"; do
      cmp "$p/$f" "$b/$(basename "$p")/$f" || fail "$(basename "$p")/$f: $a differs from $b"
      n=$((n + 1))
    done
  done
  [ $n -gt 0 ] || fail "no results in $a"
}
