#!/usr/bin/env bash
# odimo deploy on a search point: it runs and writes deployed.json and report.json's
# `deployed`; bad folders, weights of another network and a SoC without integer
# parameters are one line and exit 2; the noise is seeded (same seed, same file).
set -euo pipefail
odimo=$1
work=$2
soc_file=$3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work" && cd "$work"
# --no-refine: the point must keep AIMC channels (the split refinement puts this search's lone
# AIMC channel back on the digital array, where it is cheaper).
"$odimo" search --soc diana --net tiny --dataset synthetic --lambda 1 --epochs 1,1,1 --batch 32 \
  --steps-per-epoch 5 --threads 1 --out point --no-replay --quiet --no-refine > search.out
cp -r point fresh  # neither replayed nor deployed
"$odimo" deploy point --threads 2 --quiet > ok.out
# A replay while the point is being deployed: report.json keeps both updates (neither command
# writes back a report read before the other's update).
"$odimo" deploy fresh --threads 1 --quiet > fresh-deploy.out &
deploying=$!
"$odimo" replay fresh > fresh-replay.out
wait "$deploying" || { echo "FAIL: the concurrent deploy failed"; exit 1; }
grep -q '"replayed": true' fresh/report.json || { echo "FAIL: the replay's update was lost"; exit 1; }
grep -q '"deployed"' fresh/report.json || { echo "FAIL: the deploy's update was lost"; exit 1; }
grep -q "integer test accuracy" ok.out || { echo "FAIL: no summary"; exit 1; }
grep -q '"test_accuracy"' point/deployed.json || { echo "FAIL: no deployed.json"; exit 1; }
grep -q '"deployed"' point/report.json || { echo "FAIL: report.json has no deployed"; exit 1; }
# A deployment written elsewhere (--out) leaves the point's report.json as it was; the point's
# own file, however spelled, records it there.
cp point/report.json report.before
"$odimo" deploy point --aimc-noise 0.2 --seed 5 --threads 1 --quiet --out n1.json > /dev/null
cmp point/report.json report.before || { echo "FAIL: --out elsewhere changed report.json"; exit 1; }
"$odimo" deploy point --aimc-noise 0.2 --seed 5 --threads 1 --quiet --images 16 --out point/./deployed.json > /dev/null
grep -q '"aimcNoise": 0.2\|"aimc_noise": 0.2' point/report.json || { echo "FAIL: point/./deployed.json not recorded"; exit 1; }
"$odimo" deploy point --aimc-noise 0.2 --seed 5 --threads 2 --quiet --out n2.json > /dev/null
cmp n1.json n2.json || { echo "FAIL: noise not deterministic across thread counts"; exit 1; }
# Noise in LSBs: 0.25 of the full scale of the 6-bit ADC is 8 LSB, the same deployment.
"$odimo" deploy point --aimc-noise 8lsb --seed 5 --threads 1 --quiet --images 32 --out l8.json > l8.out
"$odimo" deploy point --aimc-noise 0.25 --seed 5 --threads 1 --quiet --images 32 --out f25.json > f25.out
[ "$(sed 's/aimc noise .*//' l8.out)" = "$(sed 's/aimc noise .*//' f25.out)" ] || { echo "FAIL: 8lsb is not 0.25"; exit 1; }
# Chip instances: each one's accuracy, their mean as test_accuracy, the worst; deterministic
# across thread counts; the seed picks the chips.
"$odimo" deploy point --aimc-noise 1lsb --chips 3 --seed 5 --threads 1 --quiet --images 32 --out c1.json > chips.out
"$odimo" deploy point --aimc-noise 1lsb --chips 3 --seed 5 --threads 2 --quiet --images 32 --out c2.json > /dev/null
cmp c1.json c2.json || { echo "FAIL: chip instances not deterministic across thread counts"; exit 1; }
grep -q "mean of 3 chip instances (worst" chips.out || { echo "FAIL: no chip summary"; cat chips.out; exit 1; }
python3 - c1.json <<'PY' || { echo "FAIL: chip fields"; cat c1.json; exit 1; }
import json, sys
d = json.load(open(sys.argv[1]))
g = lambda a, b: d[a] if a in d else d[b]
acc = g("chip_test_accuracy", "chipTestAccuracy")
assert len(acc) == 3 and g("chips", "chips") == 3, acc
assert abs(g("test_accuracy", "testAccuracy") - sum(acc) / 3) < 1e-12
assert g("worst_test_accuracy", "worstTestAccuracy") == min(acc)
assert g("aimc_noise_lsb", "aimcNoiseLsb") == 1 and g("aimc_noise", "aimcNoise") == 1 / 32
assert g("column_gain_sigma", "columnGainSigma") > 0
PY
grep -q '"chips": 0' point/deployed.json || { echo "FAIL: a plain deploy ran chip instances"; exit 1; }
# A mapping without analog layers has no ADC to convert the noise with: it is recorded as asked.
"$odimo" search --soc diana --net tiny --dataset synthetic --baseline all:digital --epochs 0,0,1 --batch 32 \
  --steps-per-epoch 3 --threads 1 --out digital --no-replay --quiet > digital.out
"$odimo" deploy digital --aimc-noise 2lsb --threads 1 --quiet --images 16 --out dn.json > /dev/null
python3 - dn.json <<'PY' || { echo "FAIL: the noise of an all-digital deployment"; cat dn.json; exit 1; }
import json, sys
d = json.load(open(sys.argv[1]))
g = lambda a, b: d.get(a, d.get(b, 0))
assert g("aimc_noise_lsb", "aimcNoiseLsb") == 2 and g("aimc_noise", "aimcNoise") == 0, d
PY
# Darkside: the thermometric conv-vs-depthwise split on the cluster and the DWE.
"$odimo" search --soc darkside --net mobilenetv1-0.25-cifar --input 3x8x8 --dataset synthetic --lambda 1 \
  --epochs 1,1,1 --batch 16 --steps-per-epoch 3 --threads 1 --out ds-point --no-replay --quiet > ds.out
"$odimo" deploy ds-point --threads 1 --quiet --images 64 > ds-deploy.out
grep -q "integer test accuracy" ds-deploy.out || { echo "FAIL: darkside"; exit 1; }

bad_commands="deploy"
# shellcheck source=tests/deploy/expect_bad.sh
source "$here/expect_bad.sh"
expect_bad_deploy() {  # name, regex, deploy's args...
  local name=$1 re=$2
  shift 2
  expect_bad "$name" "$re" deploy "$@" --quiet
}
cp -r point noweights && rm noweights/weights.pb
expect_bad_deploy noweights "weights.pb" noweights
cp -r point nomapping && rm nomapping/mapping.pbtxt
expect_bad_deploy nomapping "mapping.pbtxt" nomapping
cp -r point other && sed -i -e 's/"network\(_file\)\?": "tiny"/"network\1": "resnet8"/' -e 's/"input": "1x8x8"/"input": "1x28x28"/' other/report.json
expect_bad_deploy othernet "weights.pb: tensor '.*' (has [0-9]+ values|is missing)" other
grep -v "adc_bits" "$soc_file" > noadc.pbtxt  # $3: hw/socs/diana.pbtxt
cp -r point noadc && sed -i "s|\"soc_file\": \"diana\"|\"soc_file\": \"$work/noadc.pbtxt\"|" noadc/report.json
expect_bad_deploy noadc "aimc.adc_bits': value 0 must be given" noadc
expect_bad_deploy noise-negative "--aimc-noise: '-1': expected a noise sigma" point --aimc-noise -1
expect_bad_deploy noise-nan "--aimc-noise: 'nan': expected a noise sigma" point --aimc-noise nan
expect_bad_deploy noise-absurd "--aimc-noise: '1e9lsb': expected a noise sigma" point --aimc-noise 1e9lsb
expect_bad_deploy noise-garbage "--aimc-noise: 'loud': expected a noise sigma" point --aimc-noise loud
expect_bad_deploy chips-negative "--chips.*-1" point --chips -1
expect_bad_deploy chips-many "--chips.*1001" point --chips 1001
expect_bad_deploy nodir "report.json: cannot open" nothing-here
expect_bad_deploy badout "deployed.json: --out: folder no-such-folder does not exist" point --out no-such-folder/deployed.json
echo "1 passed, 0 failed"
