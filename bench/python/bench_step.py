"""The step graph's per-sample cost: ONNX Runtime's optimized node count and the time of one
session.run at batch 1 and 64 (1 thread), for the zoo packages now and, with --before REV, the same
packages as committed at git revision REV, measured in the same run (rounds interleaved).

    python bench/python/bench_step.py [--before REV] [--rounds 15] [--runs 400] [--out results.json]

The TypeScript runtime runs step.onnx once per sample per batch of streams, so per-run overhead
(~2-4 µs per node on a small model) is what a leaner graph saves. Prints a markdown table and one
JSON object (also written to --out).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import platform
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort

ROOT = Path(__file__).resolve().parents[2]
ZOO = ROOT / "models" / "zoo"
PACKAGES = ["sensor-activity", "dvs-gesture-sim"]
# nodes that only compute or move shapes, not values
PLUMBING = {"Shape", "Slice", "Concat", "Reshape", "ConstantOfShape", "Gather", "Unsqueeze", "Squeeze",
            "Cast", "Expand"}


def session(path: Path, optimized: Path | None = None) -> ort.InferenceSession:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.log_severity_level = 3   # the NCHWc "hardware specific" note on saving is expected
    if optimized is not None:
        opts.optimized_model_filepath = str(optimized)
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def optimized_nodes(step: Path) -> dict[str, int]:
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "opt.onnx"
        session(step, out)
        return dict(collections.Counter(n.op_type for n in onnx.load(str(out)).graph.node))


def feeds(manifest: dict, batch: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Realistic inputs: dense values around the normalisation mean, tokens in range, dt >= 0, states
    as after a few steps (small values, counts below the pooling strides)."""
    inp = manifest["input"]
    f = {}
    if inp["kind"] == "dense":
        n = inp["normalization"]
        f["input"] = (np.array(n["mean"]) + np.array(n["std"]) * rng.standard_normal((batch, inp["size"]))
                      ).astype(np.float32)
    else:
        f["tokens"] = rng.integers(0, inp["size"], batch).astype(np.int64)
    if inp["dt"]:
        f["dt"] = rng.uniform(0, 2000, batch).astype(np.float32)
    for s in manifest["state"]:
        shape = (batch, *s["shape"])
        if s["name"].endswith("_count"):
            f[f"past_{s['name']}"] = rng.integers(0, 3, shape).astype(np.float32)
        else:
            f[f"past_{s['name']}"] = (0.1 * rng.standard_normal(shape)).astype(np.float32)
    return f


def graphs_at(rev: str, dest: Path) -> dict[str, Path]:
    """The zoo packages' step.onnx and manifest.json as committed at `rev`."""
    out = {}
    for pkg in PACKAGES:
        (dest / pkg).mkdir(parents=True)
        for name in ("step.onnx", "manifest.json"):
            blob = subprocess.run(["git", "show", f"{rev}:models/zoo/{pkg}/{name}"], cwd=ROOT, check=True,
                                  capture_output=True).stdout
            (dest / pkg / name).write_bytes(blob)
        out[pkg] = dest / pkg
    return out


def main(argv=None):
    p = argparse.ArgumentParser(prog="bench_step.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--before", default=None, help="git revision whose zoo step graphs to measure as 'before'")
    p.add_argument("--rounds", type=int, default=40, help="interleaved rounds; medians over rounds are reported")
    p.add_argument("--runs", type=int, default=100, help="session.run calls per graph, batch and round")
    p.add_argument("--batches", default="1,64")
    p.add_argument("--out", default=None)
    a = p.parse_args(argv)
    batches = [int(b) for b in a.batches.split(",")]
    tmp = tempfile.TemporaryDirectory()
    versions = {"after": {pkg: ZOO / pkg for pkg in PACKAGES}}
    if a.before:
        versions = {"before": graphs_at(a.before, Path(tmp.name)), **versions}
    rng = np.random.default_rng(0)
    cases = []   # (version, package, batch, session, feeds)
    nodes = {}
    for ver, pkgs in versions.items():
        for pkg, path in pkgs.items():
            man = json.loads((path / "manifest.json").read_text())
            nodes[(ver, pkg)] = optimized_nodes(path / "step.onnx")
            sess = session(path / "step.onnx")
            for b in batches:
                f = feeds(man, b, rng)
                for _ in range(20):   # warm-up: allocations, first-run kernels
                    sess.run(None, f)
                cases.append((ver, pkg, b, sess, f))
    load0 = os.getloadavg()[0]
    per_round = collections.defaultdict(list)
    for r in range(a.rounds):
        # alternate the order so neither version always runs right after the other
        for ver, pkg, b, sess, f in (cases if r % 2 == 0 else cases[::-1]):
            t = time.perf_counter()
            for _ in range(a.runs):
                sess.run(None, f)
            per_round[(ver, pkg, b)].append((time.perf_counter() - t) / a.runs * 1e6)
    load1 = os.getloadavg()[0]
    rows = []
    for ver, pkg, b, _, _ in cases:
        n = nodes[(ver, pkg)]
        row = {"version": ver, "package": pkg, "batch": b, "nodes": sum(n.values()),
               "plumbing": sum(v for k, v in n.items() if k in PLUMBING), "ops": n,
               "us_per_run": round(statistics.median(per_round[(ver, pkg, b)]), 2)}
        if ver == "after" and ("before", pkg, b) in per_round:
            # the median of per-round ratios: load changes between rounds cancel out
            row["after_over_before"] = round(statistics.median(
                x / y for x, y in zip(per_round[(ver, pkg, b)], per_round[("before", pkg, b)])), 3)
        rows.append(row)
    result = {"rows": rows, "rounds": a.rounds, "runs": a.runs, "before": a.before,
              "onnxruntime": ort.__version__, "load_average": [round(load0, 1), round(load1, 1)],
              "machine": f"{platform.machine()}, {os.cpu_count()} cores"}
    print("| package | batch | nodes before | nodes after | µs/run before | µs/run after | after/before (per round) |")
    print("|---|---|---|---|---|---|---|")
    by = {(r["version"], r["package"], r["batch"]): r for r in rows}
    for pkg in PACKAGES:
        for b in batches:
            af, bf = by[("after", pkg, b)], by.get(("before", pkg, b))
            if bf is None:
                print(f"| {pkg} | {b} | | {af['nodes']} | | {af['us_per_run']} | |")
                continue
            print(f"| {pkg} | {b} | {bf['nodes']} ({bf['plumbing']} shape) | {af['nodes']} ({af['plumbing']} shape) "
                  f"| {bf['us_per_run']} | {af['us_per_run']} | {af['after_over_before']:.2f} |")
    print(f"load average {load0:.1f} at the start, {load1:.1f} at the end")
    text = json.dumps(result, indent=1)
    if a.out:
        Path(a.out).write_text(text + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "rows"}))
    tmp.cleanup()


if __name__ == "__main__":
    main()
