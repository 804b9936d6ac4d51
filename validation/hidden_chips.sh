#!/bin/bash
# Splits predicted from single-CU traces, on hidden chips (validation/README.md, "Splits from
# single-CU traces"). Each hidden chip is a shipped SoC file with one group of numbers changed;
# it is "measured" (simulated, exported as traces) under all:CU mappings of networks other
# than the test network, the unchanged SoC file is calibrated from those traces alone, and the
# test network's all:CU, golden split and three random splits are predicted.
#   bash validation/hidden_chips.sh [ODIMO] [WORKDIR]     (from the repository root)
set -euo pipefail
odimo=$(realpath "${1:-build/cli/odimo}"); work=${2:-$(mktemp -d)}; root=$PWD
export ODIMO_WORKLOADS=$root/workloads
mkdir -p "$work"
chip() {  # NAME SOC SED-EXPRESSION...
  local name=$1 soc=$2; shift 2; local args=(); for e in "$@"; do args+=(-e "$e"); done
  sed "${args[@]}" "$root/hw/socs/$soc.pbtxt" > "$work/$name.pbtxt"
}
chip diana-none diana 's/^$//'
chip diana-issue diana 's/^  port_bytes_per_cycle: 16 .*/  port_bytes_per_cycle: 8/' \
  's/^  bytes_per_cycle: 16 .*/  bytes_per_cycle: 8/' 's/mvm_ns: 70 .*/mvm_ns: 100/' \
  's/configure_cycles: 200 .*/configure_cycles: 600/' 's/sync_cycles: 60 .*/sync_cycles: 180/'
chip diana-mvm diana 's/mvm_ns: 70 .*/mvm_ns: 100/'
chip diana-adc diana 's/mvm_ns: 70 .*/mvm_ns: 50/' 's/postproc_cycles_per_mvm: 16 .*/postproc_cycles_per_mvm: 30/'
chip diana-dma-and-port diana 's/^  port_bytes_per_cycle: 16 .*/  port_bytes_per_cycle: 8/' \
  's/^  bytes_per_cycle: 16 .*/  bytes_per_cycle: 8/'
chip diana-dma-only diana 's/^  bytes_per_cycle: 16 .*/  bytes_per_cycle: 8/'
chip diana-host diana 's/configure_cycles: 200 .*/configure_cycles: 600/' 's/sync_cycles: 60 .*/sync_cycles: 180/'
chip diana-l1 diana 's/^  port_bytes_per_cycle: 64 .*/  port_bytes_per_cycle: 32/'
chip darkside-none darkside 's/^$//'
chip darkside-matmul darkside 's/matmul_step_cycles: 14 .*/matmul_step_cycles: 20/'
chip darkside-dwe darkside 's/cycles_per_pixel: 4 .*/cycles_per_pixel: 12/'
chip darkside-dma-and-port darkside 's/^  port_bytes_per_cycle: 8 .*/  port_bytes_per_cycle: 4/' \
  's/^  bytes_per_cycle: 8 .*/  bytes_per_cycle: 4/'
cp "$root/tests/data/hidden-darkside.pbtxt" "$work/darkside-test.pbtxt"

traces() {  # HIDDEN OUT.csv net@mapping...
  local hidden=$1 out=$2; shift 2; : > "$out.rows"
  for nm in "$@"; do
    local net=${nm%%@*} m=${nm#*@}
    "$odimo" simulate --soc "$hidden" --net "$net" --mapping "$m" --trace-csv "$out.one" > /dev/null
    tail -n +2 "$out.one" | sed "s#^$net/#$net $(basename "$m" .mapping.pbtxt)/#" >> "$out.rows"
  done
  { head -1 "$out.one"; cat "$out.rows"; } > "$out"
}
splits=tests/data/hidden-splits
d_train=(resnet8@all:digital resnet8@all:aimc mobilenetv1-0.25-cifar@all:digital mobilenetv1-0.25-cifar@all:aimc
         resnet18-cifar@all:digital resnet18-cifar@all:aimc)
d_test=(resnet20@all:digital resnet20@all:aimc resnet20@tests/golden/resnet20-diana-split.mapping.pbtxt)
k_train=(resnet8@all:cluster resnet8@all:dwe mobilenetv1-0.5-cifar@all:cluster mobilenetv1-0.5-cifar@all:dwe
         resnet18-cifar@all:cluster resnet18-cifar@all:dwe)
k_test=(mobilenetv1-0.25-cifar@all:cluster mobilenetv1-0.25-cifar@all:dwe
        mobilenetv1-0.25-cifar@tests/golden/mobilenet-darkside-split.mapping.pbtxt)
for s in 1 2 3; do
  d_test+=("resnet20@$splits/resnet20-diana-random$s.mapping.pbtxt")
  k_test+=("mobilenetv1-0.25-cifar@$splits/mobilenetv1-0.25-cifar-darkside-random$s.mapping.pbtxt")
done
printf '%-22s %9s  %s\n' chip "held-out" "network error of the re-fitted model (measured vs predicted)"
for hidden in "$work"/*.pbtxt; do
  name=$(basename "$hidden" .pbtxt); soc=${name%%-*}
  if [ "$soc" = diana ]; then train=("${d_train[@]}"); test=("${d_test[@]}"); else train=("${k_train[@]}"); test=("${k_test[@]}"); fi
  traces "$hidden" "$work/$name.train.csv" "${train[@]}"
  traces "$hidden" "$work/$name.test.csv" "${test[@]}"
  "$odimo" calibrate --soc "$soc" --traces "$work/$name.train.csv" --out "$work/$name.refit" > "$work/$name.fit.txt"
  "$odimo" validate --soc "$soc" --traces "$work/$name.test.csv" --calibration "$work/$name.refit" \
    > "$work/$name.validate.txt" || true
  held=$(sed -n '/held-out rows/,$p' "$work/$name.fit.txt" | awk '$1 == "all" {print $5}')
  nets=$(sed -n '/^networks/,/^$/p' "$work/$name.validate.txt" | awk 'NR > 3 && NF > 8 {printf "%s %s%%  ", $2, $(NF-4)}')
  printf '%-22s %8s%%  %s\n' "$name" "$held" "$nets"
done
