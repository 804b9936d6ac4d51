#!/usr/bin/env bash
# ADC-aware training (mapper/nn/adc.h) end to end: odimo search --adc-aware writes the trained
# ADC gains (<layer>.adc_shift) that odimo deploy then uses; the same seed gives the same
# weights with training-time noise; odimo train --quant diana-aimc --adc-aware; bad
# options are one line and exit 2.
set -euo pipefail
odimo=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work" && cd "$work"
search() {
  "$odimo" search --soc diana --net tiny --dataset synthetic --lambda 1 --epochs 1,1,1 --batch 32 \
    --steps-per-epoch 4 --threads 1 --no-replay --no-refine --quiet "$@"  # refine could move tiny's few AIMC channels off
}
search --adc-aware --adc-noise 0.1 --out a > a.out
search --adc-aware --adc-noise 0.1 --out b > b.out
cmp a/weights.pb b/weights.pb || { echo "FAIL: ADC-aware search not deterministic"; exit 1; }
# The same sigma in LSBs of the 6-bit ADC (0.1 of the full scale 2^5 LSB = 3.2 LSB): the same run.
search --adc-aware --adc-noise 3.2lsb --out l > l.out
cmp a/weights.pb l/weights.pb || { echo "FAIL: --adc-noise 3.2lsb is not 0.1 of the full scale"; exit 1; }
# A configuration file with the LSB form (adc_noise_lsb) runs the same search.
cat > lsb.pbtxt <<'EOF'
soc: "diana" net: "tiny" dataset: "synthetic" lambda: 1 warmup_epochs: 1 search_epochs: 1
finetune_epochs: 1 batch: 32 steps_per_epoch: 4 threads: 1 refine: false adc_aware: true
adc_noise_lsb: 3.2
EOF
"$odimo" search --config lsb.pbtxt --out f --no-replay --quiet > f.out
cmp l/weights.pb f/weights.pb || { echo "FAIL: adc_noise_lsb: 3.2 is not --adc-noise 3.2lsb"; exit 1; }
{ cat lsb.pbtxt; echo "adc_noise: 0.1"; } > both.pbtxt
"$odimo" deploy a --threads 1 --quiet > deploy.out
grep -q '"adc_shift_source": "trained"' a/deployed.json || { echo "FAIL: deploy did not use the trained gains"; exit 1; }
grep -q '"adc_shift_source": "calibrated"' a/deployed.json && { echo "FAIL: a gain was calibrated"; exit 1; }
"$odimo" train --net tiny --dataset synthetic --quant diana-aimc --adc-aware --epochs 1 --steps-per-epoch 3 \
  --batch 16 --threads 1 --out t --quiet > train.out
grep -aq "adc_shift" t/checkpoint.pb || { echo "FAIL: train --adc-aware wrote no adc_shift"; exit 1; }

bad_commands="search|train"
# shellcheck source=tests/deploy/expect_bad.sh
source "$here/expect_bad.sh"
S="search --soc diana --net tiny --dataset synthetic --lambda 1 --epochs 1,1,1 --steps-per-epoch 1 --no-replay --quiet"
# shellcheck disable=SC2086
expect_bad noise-alone "--adc-noise: 0.1: needs --adc-aware" $S --adc-noise 0.1 --out c
# shellcheck disable=SC2086
expect_bad noise-range "adc-noise" $S --adc-aware --adc-noise -1 --out c
# shellcheck disable=SC2086
expect_bad noise-lsb-range "--adc-noise: '1e9lsb': expected a noise sigma" $S --adc-aware --adc-noise 1e9lsb --out c
# shellcheck disable=SC2086
expect_bad noise-nan "--adc-noise: 'nan': expected a noise sigma" $S --adc-aware --adc-noise nan --out c
# shellcheck disable=SC2086
expect_bad noise-lsb-alone "--adc-noise: 1lsb: needs --adc-aware" $S --adc-noise 1lsb --out c
expect_bad train-noise-garbage "--adc-noise: '2lsbs': expected a noise sigma" \
  train --net tiny --dataset synthetic --quant diana-aimc --adc-aware --adc-noise 2lsbs --epochs 1
expect_bad no-aimc "--adc-aware: SoC darkside has no CU with an ADC" \
  search --soc darkside --net mobilenetv1-0.25-cifar --input 3x8x8 --dataset synthetic --lambda 1 --adc-aware --no-replay \
  --out c
expect_bad train-quant "--adc-aware: --quant diana-digital: CU 'digital' of diana has no ADC" \
  train --net tiny --dataset synthetic --quant diana-digital --adc-aware --epochs 1
expect_bad train-noise "--adc-noise: 0.2: needs --adc-aware" \
  train --net tiny --dataset synthetic --quant diana-aimc --adc-noise 0.2 --epochs 1
expect_bad noise-both "both.pbtxt: field 'adc_noise_lsb': 3.2: adc_noise is set too" search --config both.pbtxt --out c
[ ! -e c ] || { echo "FAIL: a rejected search left c behind"; exit 1; }
echo "1 passed, 0 failed"
