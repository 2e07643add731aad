"""PyTorch eager peer for bench/runtime/step-bench.mjs: S7Model.step at batch 1 on one CPU
thread. Uses the package's checkpoint (models/zoo/checkpoints/<id>.pt) when there is one, else
the architecture read off the manifest's state shapes (weights do not change the cost). Prints JSON."""
import json, sys, time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "models"))
from s7.model import S7Config, S7Model  # noqa: E402
from s7.export import load_checkpoint  # noqa: E402


def main(package: str, iters: int, batch: int) -> None:
    m = json.loads((Path(package) / "manifest.json").read_text())
    state = {s["name"]: s["shape"] for s in m["state"]}
    checkpoint = Path(package).parent / "checkpoints" / f"{m['id']}.pt"
    if checkpoint.is_file():
        model, _ = load_checkpoint(checkpoint)
    else:
        strides = m.get("pooling", {}).get("strides", [])
        n_layers = sum(1 for k in state if k.startswith("s7_")) // (len(strides) + 1)
        d_model = state["head_mean"][0] if "head_mean" in state else 32
        cfg = S7Config(input_kind=m["input"]["kind"], input_size=m["input"]["size"], d_model=d_model,
                       d_state=state["s7_0"][0], n_layers=n_layers, task=m["task"], output_size=m["output"]["size"],
                       dt=m["input"]["dt"], pool_strides=strides)
        model = S7Model(cfg).eval()
    cfg = model.cfg
    torch.set_num_threads(1)
    spec = dict(model.state_spec())
    if spec != {k: list(v) for k, v in state.items()}:
        raise SystemExit(f"architecture guess does not match the package's state: {spec} vs {state}")
    x = torch.randn(batch, cfg.input_size)
    st = model.zero_state(batch)
    times = []
    with torch.inference_mode():
        for _ in range(iters // 10):
            _, st = model.step(x, state=st, check=False)
        c0 = time.process_time()
        for i in range(iters + iters // 10):
            t0 = time.perf_counter()
            _, st = model.step(x, state=st, check=False)
            if i >= iters // 10:
                times.append(time.perf_counter() - t0)
        cpu = time.process_time() - c0
    times.sort()
    mean = sum(times) / len(times)
    print(json.dumps({"checkpoint": checkpoint.is_file(), "batch": batch, "iters": iters, "meanUs": mean * 1e6, "p50Us": times[len(times) // 2] * 1e6,
                      "p99Us": times[int(len(times) * 0.99)] * 1e6, "stepsPerSec": batch / mean, "cpuUs": cpu / (iters + iters // 10) * 1e6, "torch": torch.__version__}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2000, int(sys.argv[3]) if len(sys.argv) > 3 else 1)
