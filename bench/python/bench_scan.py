"""Parallel scan vs a Python loop of steps, and the PyTorch eager step at batch 1, on the zoo model.

    python bench/python/bench_scan.py [--lengths 1024,4096,16384,65536] [--loop-max 65536]
        [--device cpu|cuda] [--threads 1] [--out bench/python/results.json]

Uses the zoo package's PyTorch checkpoint (models/zoo/checkpoints/<id>.pt), after checking that it
reproduces the package's golden outputs, so the numbers are for the very model the runtime loads.
Prints one JSON object (also written to --out). Times are medians of --repeats runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "models"))

from s7.export import load_checkpoint  # noqa: E402
from s7.scan import linear_loop, linear_scan  # noqa: E402


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def timed(fn, device, repeats: int) -> float:
    fn()                                   # warm-up (allocations, kernels)
    sync(device)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        sync(device)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def check_golden(model, pkg: Path):
    """The checkpoint must be the package's model: replay golden.json in PyTorch."""
    gold = json.loads((pkg / "golden.json").read_text())
    x = torch.tensor(gold["input"]["data"], dtype=torch.float32).reshape(gold["input"]["shape"])
    want = np.array(gold["output"]["data"], np.float32).reshape(gold["output"]["shape"])
    with torch.no_grad():
        out, _ = model(x)
    got = torch.softmax(out, -1).numpy()
    err = float(np.abs(got - want).max())
    if err > 1e-4:
        raise SystemExit(f"checkpoint does not reproduce {pkg}/golden.json (max error {err:.2e})")
    return err


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default="sensor-activity")
    p.add_argument("--lengths", default="1024,4096,16384,65536")
    p.add_argument("--loop-max", type=int, default=65536, help="skip the step loop above this length")
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--step-count", type=int, default=2000)
    p.add_argument("--out", default=None)
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    device = torch.device(a.device)
    pkg = ROOT / "models" / "zoo" / a.model
    model, _ = load_checkpoint(ROOT / "models" / "zoo" / "checkpoints" / f"{a.model}.pt")
    golden_err = check_golden(model, pkg)
    model = model.to(device)
    cfg = model.cfg
    g = torch.Generator().manual_seed(0)
    res = {"model": a.model, "config": cfg.to_dict(), "device": str(device), "threads": a.threads,
           "torch": torch.__version__, "cpu": platform.processor() or platform.machine(), "cpus": os.cpu_count(),
           "loadavg_start": os.getloadavg(), "goldenMaxError": golden_err, "scan": [], "layer": []}

    with torch.no_grad():
        # the whole model: forward (parallel scan in every layer) vs a loop of model.step, batch 1
        for L in [int(s) for s in a.lengths.split(",")]:
            x = (model.in_mean + model.in_std * torch.randn(1, L, cfg.input_size, generator=g).to(device))
            scan_s = timed(lambda: model(x), device, a.repeats)
            row = {"length": L, "scan_s": scan_s, "scan_us_per_step": scan_s / L * 1e6}
            if L <= a.loop_max:
                def loop():
                    st = model.zero_state(1, device)
                    for k in range(L):
                        _, st = model.step(x[:, k], None, st, check=False)
                loop_s = timed(loop, device, 1)
                row.update(loop_s=loop_s, loop_us_per_step=loop_s / L * 1e6, speedup=loop_s / scan_s)
            res["scan"].append(row)
            print(json.dumps(row), file=sys.stderr)
            # the bare recurrence (P channels): linear_scan vs linear_loop
            aa = torch.rand(1, L, cfg.d_state, generator=g).to(device)
            bb = torch.randn(1, L, cfg.d_state, generator=g).to(device)
            s = timed(lambda: linear_scan(aa, bb), device, a.repeats)
            lp = timed(lambda: linear_loop(aa, bb), device, 1) if L <= a.loop_max else None
            res["layer"].append({"length": L, "scan_s": s, "loop_s": lp, "speedup": lp / s if lp else None})

        # the PyTorch eager step at batch 1: the peer the TypeScript runtime is measured against
        xs = (model.in_mean + model.in_std * torch.randn(a.step_count, 1, cfg.input_size, generator=g)).to(device)
        st = model.zero_state(1, device)
        for k in range(100):
            _, st = model.step(xs[k], None, st, check=False)
        sync(device)
        t = time.perf_counter()
        for k in range(a.step_count):
            _, st = model.step(xs[k], None, st, check=False)
        sync(device)
        el = time.perf_counter() - t
        res["step_batch1"] = {"steps": a.step_count, "us_per_step": el / a.step_count * 1e6,
                              "steps_per_s": a.step_count / el}
    res["loadavg_end"] = os.getloadavg()
    text = json.dumps(res, indent=2)
    if a.out:
        Path(a.out).write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
