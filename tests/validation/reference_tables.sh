#!/usr/bin/env bash
# Every committed reference result (validation/reference/NAME/) holds the table and SVG that
# `odimo sweep reduce results --accuracy deployed` gives from its committed reports: the
# published table and its data cannot drift apart.
set -euo pipefail
odimo=$1
root=$2
work=$3
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*"; exit 1; }
checked=0
for ref in "$root"/validation/reference/*/; do
  name=$(basename "$ref")
  [ -d "$ref/results" ] || continue
  [ -f "$ref/table.txt" ] || fail "$name: results/ without table.txt"
  mkdir -p "$work/$name"
  bash "$root/validation/reference/collect.sh" "$ref/results" "$work/$name/results" > /dev/null
  (cd "$work/$name" && "$odimo" sweep reduce results --accuracy deployed > table.txt) ||
    fail "$name: odimo sweep reduce failed"
  diff "$ref/table.txt" "$work/$name/table.txt" || fail "$name: table.txt is not what reduce prints"
  cmp "$ref/results/pareto.svg" "$work/$name/results/pareto.svg" || fail "$name: results/pareto.svg differs"
  checked=$((checked + 1))
done
[ "$checked" -gt 0 ] || fail "no reference result under $root/validation/reference"
echo "$checked reference results checked"
echo "1 passed, 0 failed"
