#!/usr/bin/env bash
# A folder where a file is expected (label cli): refused in one line naming it, exit 2, never
# read as an empty file (proto/proto_io.h read_file, the one reader of odimo's input files).
set -euo pipefail
odimo=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work" && cd "$work"
. "$here/expect.sh"

mkdir net.pbtxt model.onnx soc.pbtxt cal.pbtxt traces.csv map.pbtxt W.pb
said="is a folder: expected a file"
expect_error "net.pbtxt: $said" "$odimo" inspect ./net.pbtxt
expect_error "model.onnx: $said" "$odimo" inspect ./model.onnx
expect_error "soc.pbtxt: $said" "$odimo" simulate --soc ./soc.pbtxt --net tiny
expect_error "cal.pbtxt: $said" "$odimo" cost --soc diana --net tiny --calibration ./cal.pbtxt
expect_error "map.pbtxt: $said" "$odimo" cost --soc diana --net tiny --mapping ./map.pbtxt
expect_error "traces.csv: $said" "$odimo" validate --soc diana --traces ./traces.csv
expect_error "W.pb: $said" "$odimo" train --net tiny --dataset synthetic --init ./W.pb --epochs 1
# Devices read as empty (/dev/null) or without end (/dev/zero): refused too.
expect_error "/dev/zero: is a character device: expected a file" "$odimo" cost --soc diana --net tiny --mapping /dev/zero
expect_error "/dev/null: is a character device: expected a file" "$odimo" validate --soc diana --traces /dev/null
# A file name with a line break: the error is still one line (the break written as \n).
mkdir $'two\nlines.pbtxt'
expect_error 'two\\nlines.pbtxt: is a folder' "$odimo" inspect $'./two\nlines.pbtxt'
expect_error "unknown command 'a\\\\nb'" "$odimo" $'a\nb'
echo "folder_inputs: all checks passed"
