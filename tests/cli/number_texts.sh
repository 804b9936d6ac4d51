#!/usr/bin/env bash
# A number option's text is the whole number it says. CLI11 alone reads '' as 0, wraps -1
# into an unsigned seed, saturates 99999999999999999999 and reads 1e3 or 0x10 as integers:
# each a silently different run. Every such text is one line and exit 2, before any work.
# usage: number_texts.sh ODIMO WORKDIR
set -euo pipefail
odimo=$1 work=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work" && cd "$work"
. "$here/expect.sh"

train=(train --net tiny --dataset synthetic --epochs 1 --steps-per-epoch 1 --batch 4 --out t --quiet)
search=(search --soc diana --net tiny --dataset synthetic --epochs 1,1,1 --steps-per-epoch 1 --batch 4
        --lambda 1 --out s --quiet --no-replay)
for seed in -1 4294967296 99999999999999999999 1e3 0x10 " 5" "" +; do
  expect_error "^odimo train: error: (option )?--seed: " "$odimo" "${train[@]}" --seed "$seed"
  expect_error "^odimo search: error: (option )?--seed: " "$odimo" "${search[@]}" --seed "$seed"
done
for n in "" 2147483648 -99999999999 1.5e1 0x2 " 1"; do
  expect_error "^odimo train: error: (option )?--epochs: " "$odimo" "${train[@]}" --epochs "$n"
  expect_error "^odimo demo: error: (option )?--pretrain-epochs: " "$odimo" demo --out d --pretrain-epochs "$n"
  expect_error "^odimo sweep: error: (option )?--steps-per-epoch: " "$odimo" sweep --soc diana --net tiny \
    --lambdas 1 --out w --steps-per-epoch "$n"
done
expect_error "^odimo train: error: --seed: -1: expected an integer in \[0, 4294967295\]$" \
  "$odimo" "${train[@]}" --seed -1
expect_error "^odimo validate: error: --max-mape: an empty value: expected a number$" \
  "$odimo" validate --soc diana --net tiny --max-mape ""
expect_error "^odimo search: error: --lambda: an empty value: expected a number$" "$odimo" "${search[@]}" --lambda ""
for opt in --lambdas --seeds --baselines; do
  expect_error "^odimo sweep: error: $opt: '1,,2' has an empty item" "$odimo" sweep --soc diana --net tiny \
    --lambdas 1 --out w "$opt" 1,,2
done
# Nothing was started, nothing written.
for d in t s d w; do [ ! -e "$d" ] || fail "a refused command left $d behind"; done
# The texts that are numbers still work.
"$odimo" "${train[@]}" --seed 4294967295 --epochs +1 > out.txt || fail "--seed 4294967295 --epochs +1 refused"
echo "number_texts: all checks passed"
