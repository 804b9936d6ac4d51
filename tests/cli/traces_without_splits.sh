#!/usr/bin/env bash
# Calibration from measured rows without split rows (label validation): the split-layer
# coefficients come from the base calibration, not zeros (a split would be costed low): the
# launch offset and the extra completion as they are, the port contention scaled by the
# fitted transfer rate against the base's — about 1 here, the rows being our own simulator's.
set -euo pipefail
odimo=$1
work=$2
base=$3  # hw/socs/diana.calibration.pbtxt
rm -rf "$work" && mkdir -p "$work" && cd "$work"
fail() { echo "FAIL: $*"; exit 1; }
"$odimo" calibrate --soc diana --traces-out all.csv > /dev/null
head -1 all.csv > single.csv
# Rows of one CU: the split column (11th) names a single CU.
awk -F, 'NR > 1 && $11 !~ /;/' all.csv >> single.csv
[ "$(wc -l < single.csv)" -gt 10 ] || fail "too few single-CU rows"
"$odimo" calibrate --soc diana --traces single.csv --base "$base" --out cal.pbtxt > /dev/null
layer_value() {  # FILE NAME
  awk -v n="\"$2\"" '/^layer \{/ {b = 1} b && $1 == "name:" {m = ($2 == n)} b && m && $1 == "value:" {print $2} /^\}/ {b = 0}' "$1"
}
for k in launch_offset extra_sync; do
  [ -n "$(layer_value "$base" $k)" ] || fail "the base has no $k"
  [ "$(layer_value "$base" $k)" = "$(layer_value cal.pbtxt $k)" ] || fail "$k differs from the base's"
done
was=$(layer_value "$base" port_contention) now=$(layer_value cal.pbtxt port_contention)
awk -v a="$was" -v b="$now" 'BEGIN {exit !(a > 0 && b > 0.99 * a && b < 1.01 * a)}' ||
  fail "port_contention $now is not within 1 % of the base's $was"
echo "traces_without_splits: all checks passed"
