#!/usr/bin/env bash
# Copies the small result files of a sweep's output folder into a reference folder (what
# validation/reference/README.md says to commit): plan.pbtxt, and per point report.json,
# mapping.pbtxt, deployed*.json, simulation.json and its log; never weights or checkpoints.
# Only complete files are copied (every result is written atomically under its final name).
#   bash validation/reference/collect.sh OUT validation/reference/NAME/results
set -euo pipefail
if [ $# -ne 2 ] || [ ! -f "$1/plan.pbtxt" ]; then
  echo "usage: collect.sh OUT DEST (OUT: the -o folder of odimo sweep run, with plan.pbtxt)" >&2
  exit 2
fi
src=$1
dst=$2
mkdir -p "$dst/logs"
cp "$src/plan.pbtxt" "$dst/plan.pbtxt"
for d in "$src"/point-*/; do
  p=$(basename "$d")
  [ -f "$d/report.json" ] || continue
  mkdir -p "$dst/$p"
  for f in "$d"/report.json "$d"/mapping.pbtxt "$d"/simulation.json "$d"/deployed*.json; do
    [ -f "$f" ] && cp "$f" "$dst/$p/"
  done
  [ -f "$src/logs/$p.log" ] && cp "$src/logs/$p.log" "$dst/logs/$p.log"
done
exit 0
