#!/usr/bin/env bash
# Calibration from measured rows without split rows (label validation): the split-layer
# coefficients are the base calibration's, not zeros (a split would be costed low).
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
layer_block() { awk '/^layer \{/,/^\}/' "$1" | grep -E 'name|value'; }
[ -n "$(layer_block "$base")" ] || fail "the base has no layer coefficients"
diff <(layer_block "$base") <(layer_block cal.pbtxt) || fail "split-layer coefficients differ from the base's"
echo "traces_without_splits: all checks passed"
