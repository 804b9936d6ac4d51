#!/usr/bin/env python3
"""Markdown table of a sweep's deployments: trained vs deployed accuracy per point and noise.

Usage: deploy_table.py RESULTS [RESULTS ...]

Each RESULTS/point-NNN/ with a search or baseline report.json gives one row per deployment:
the report's own `deployed` (what `sweep run` wrote) and every other `deployed*.json` in the
folder (e.g. `odimo deploy DIR --aimc-noise 0.05 --images 2000 --out DIR/deployed-sigma0.05.json`).
Columns: the point, its training (ADC-aware when its deployed.json's AIMC layers took their
ADC shift from training, `adc_shift_source: "trained"`; ADC-free otherwise), AIMC/digital
channels, simulated latency, sigma, images, trained % (the training engine on the same images),
deployed %, argmax agreement, max logit deviation, ADC saturation (all AIMC layers / worst layer).
Exit 2 with one line when a folder holds no deployed point or a file cannot be read.
"""
import glob
import json
import os
import sys


def pct(x):
    return f"{100.0 * x:.2f}"


def row(point, training, report, d):
    ch = report.get("channels", {})
    sim = report.get("simulated", {}).get("latency_us")
    latency = f"{sim:.1f}" if isinstance(sim, (int, float)) else "not replayed"
    worst = max((layer.get("saturation", 0.0) for layer in d.get("layers", [])), default=0.0)
    return (f"| {point} | {training} | {ch.get('aimc', 0)} / {ch.get('digital', 0)} "
            f"| {latency} | {d.get('aimc_noise', 0.0):g} | {d.get('images', 0)} "
            f"| {pct(d.get('trained_test_accuracy', 0.0))} | {pct(d.get('test_accuracy', 0.0))} "
            f"| {pct(d.get('argmax_agreement', 0.0))} | {d.get('max_logit_deviation', 0.0):.2f} "
            f"| {100.0 * d.get('adc_saturation', 0.0):.3f} ({100.0 * worst:.2f}) |")


def adc_aware(point_dir):
    """The point trained with --adc-aware when its weights carry trained ADC shifts."""
    try:
        with open(os.path.join(point_dir, "deployed.json")) as f:
            layers = json.load(f).get("layers", [])
    except (OSError, ValueError):
        return "?"
    return "ADC-aware" if any(l.get("adc_shift_source") == "trained" for l in layers) else "ADC-free"


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise SystemExit(f"deploy_table.py: error: {path}: {e}") from None


def rows_of(results):
    out = []
    points = sorted(glob.glob(os.path.join(results, "point-*", "report.json")))
    for path in points:
        report = load(path)
        if report.get("kind") not in ("search", "baseline") or "deployed" not in report:
            continue
        folder = os.path.dirname(path)
        label, training = report.get("label", os.path.basename(folder)), adc_aware(folder)
        out.append(row(label, training, report, report["deployed"]))
        for extra in sorted(glob.glob(os.path.join(folder, "deployed*.json"))):
            if os.path.basename(extra) == "deployed.json":
                continue
            out.append(row(label, training, report, load(extra)))
    return out


def main(argv):
    if len(argv) < 2:
        print("usage: deploy_table.py RESULTS [RESULTS ...]", file=sys.stderr)
        return 2
    lines = []
    for results in argv[1:]:
        found = rows_of(results)
        if not found:
            print(f"{results}: no deployed search or baseline point (point-NNN/report.json)", file=sys.stderr)
            return 2
        lines += found
    print("| point | training | AIMC / digital | latency µs | σ | images | trained % | deployed % "
          "| agreement % | max logit dev. | ADC saturation % (worst layer) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except SystemExit as e:
        if isinstance(e.code, str):
            print(e.code, file=sys.stderr)
            sys.exit(2)
        raise
