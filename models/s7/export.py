"""Export a trained S7 model as a model package (docs/model-package.md): step.onnx, chunk.onnx,
golden.json, manifest.json. Every graph is checked with onnxruntime against PyTorch before anything
is written; the package is assembled in a temporary folder next to the target and renamed into place.

    python -m s7.export --checkpoint runs/sensor/best.pt --out zoo/sensor-activity [--chunk-length 64]
"""

from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import warnings
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

from .model import S7Config, S7Model

FORMAT, FORMAT_VERSION, OPSET = "s7rt-model", 1, 17
ATOL, RTOL = 1e-5, 1e-4


class ExportError(RuntimeError):
    """The model cannot be exported, or the exported graphs disagree with PyTorch."""


class _Graph(nn.Module):
    """Flat ONNX signature around S7Model: (input|tokens, [dt], past_*...) -> (output, present_*...)."""

    def __init__(self, model: S7Model, chunk: bool):
        super().__init__()
        self.model, self.chunk = model, chunk
        self.names = [name for name, _ in model.state_spec()]

    def forward(self, inp, *rest):
        cfg = self.model.cfg
        dt, rest = (rest[0], rest[1:]) if cfg.dt else (None, rest)
        state = dict(zip(self.names, rest))
        run = self.model.forward if self.chunk else self.model.step
        out, new = run(inp, dt, state, check=False)
        if cfg.task == "classification":
            out = torch.softmax(out, dim=-1)
        return (out, *[new[n] for n in self.names])


def io_names(model: S7Model) -> tuple[list[str], list[str]]:
    cfg = model.cfg
    names = [n for n, _ in model.state_spec()]
    inputs = ["input" if cfg.input_kind == "dense" else "tokens"] + (["dt"] if cfg.dt else [])
    return inputs + [f"past_{n}" for n in names], ["output"] + [f"present_{n}" for n in names]


def _example(model: S7Model, batch: int, length: int | None, gen: torch.Generator):
    """Inputs for tracing and golden vectors: realistic dense values (mean + std * noise), tokens in range,
    dt with exact zeros mixed in."""
    cfg = model.cfg
    shape = (batch,) if length is None else (batch, length)
    if cfg.input_kind == "dense":
        inp = model.in_mean + model.in_std * torch.randn(*shape, cfg.input_size, generator=gen)
    else:
        inp = torch.randint(0, cfg.input_size, shape, generator=gen, dtype=torch.int64)
    dt = None
    if cfg.dt:
        dt = torch.rand(*shape, generator=gen) * 2.0 * cfg.tau * (torch.rand(*shape, generator=gen) > 0.25)
    return inp, dt


def _export_graph(model: S7Model, path: Path, chunk: bool, length: int):
    inp, dt = _example(model, 2, length if chunk else None, torch.Generator().manual_seed(0))
    state = model.zero_state(2)
    args = (inp,) + ((dt,) if dt is not None else ()) + tuple(state.values())
    in_names, out_names = io_names(model)
    axes = {n: {0: "batch"} for n in in_names + out_names}
    with warnings.catch_warnings():
        # the TorchScript exporter is chosen on purpose (static, simple graphs for onnxruntime-web);
        # its deprecation notice and the tracer's notes about the Python-level length loop are expected
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        warnings.filterwarnings("ignore", message="Constant folding")
        _torch_export(model, args, path, chunk, in_names, out_names, axes)


def _torch_export(model, args, path, chunk, in_names, out_names, axes):
    torch.onnx.export(_Graph(model, chunk).eval(), args, str(path), input_names=in_names,
                      output_names=out_names, dynamic_axes=axes, opset_version=OPSET, dynamo=False,
                      do_constant_folding=True)


def _feeds(model: S7Model, inp, dt, state: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    in_names, _ = io_names(model)
    feeds = {in_names[0]: inp.numpy()}
    if dt is not None:
        feeds["dt"] = dt.numpy().astype(np.float32)
    feeds.update({f"past_{n}": state[n] for n in state})
    return feeds


def run_onnx(model: S7Model, session, inp, dt, state: dict[str, np.ndarray]):
    """One session.run with named state dicts in and out (used by verification and tests)."""
    outs = session.run(None, _feeds(model, inp, dt, state))
    names = [n for n, _ in model.state_spec()]
    return outs[0], dict(zip(names, outs[1:]))


def reference(model: S7Model, inp, dt):
    """PyTorch step-by-step outputs [B, T, out] (probabilities for classifiers) and final state."""
    state = model.zero_state(inp.shape[0])
    outs = []
    with torch.no_grad():
        for k in range(inp.shape[1]):
            out, state = model.step(inp[:, k], None if dt is None else dt[:, k], state)
            outs.append(torch.softmax(out, -1) if model.cfg.task == "classification" else out)
    return torch.stack(outs, 1), state


def max_violation(got: np.ndarray, want: np.ndarray, atol=ATOL, rtol=RTOL) -> float:
    """max(|got - want| - (atol + rtol |want|)); <= 0 means within tolerance."""
    return float(np.max(np.abs(got - want) - (atol + rtol * np.abs(want)))) if want.size else -1.0


def verify(model: S7Model, step_path: Path, chunk_path: Path, length: int, inp, dt, batch_label=""):
    """Run inp [B, T] (T a multiple of length) through both ONNX graphs and compare with PyTorch.
    Returns (reference outputs, reference final state); raises ExportError on disagreement."""
    import onnxruntime as ort

    want_out, want_state = reference(model, inp, dt)
    want_out, want_state = want_out.numpy(), {k: v.numpy() for k, v in want_state.items()}
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    step = ort.InferenceSession(str(step_path), opts, providers=["CPUExecutionProvider"])
    chunk = ort.InferenceSession(str(chunk_path), opts, providers=["CPUExecutionProvider"])
    B, T = inp.shape[:2]
    for mode in ("step", "chunk"):
        state = {k: v.numpy() for k, v in model.zero_state(B).items()}
        outs = []
        if mode == "step":
            for k in range(T):
                o, state = run_onnx(model, step, inp[:, k], None if dt is None else dt[:, k], state)
                outs.append(o[:, None])
        else:
            for s in range(0, T, length):
                o, state = run_onnx(model, chunk, inp[:, s:s + length],
                                    None if dt is None else dt[:, s:s + length], state)
                outs.append(o)
        got = np.concatenate(outs, 1)
        bad = max_violation(got, want_out)
        for name, v in state.items():
            bad = max(bad, max_violation(v, want_state[name]))
        if bad > 0:
            raise ExportError(f"{mode} graph{batch_label} disagrees with PyTorch: max |error| exceeds "
                              f"atol {ATOL} + rtol {RTOL}·|want| by {bad:.3g}")
    return want_out, want_state


def _flat(a: np.ndarray) -> list:
    """Float32 values as the shortest decimals that round-trip to the same float32."""
    if np.issubdtype(a.dtype, np.integer):
        return a.reshape(-1).tolist()
    return [float(np.format_float_positional(v, unique=True, trim="0")) for v in a.astype(np.float32).reshape(-1)]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True,
                              cwd=Path(__file__).parent).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def export_package(model: S7Model, out_dir: str | os.PathLike, *, model_id: str, labels=None,
                   output_names=None, input_names=None, chunk_length: int = 64, sample_rate_hz=None,
                   time_unit: str = "sample", provenance: dict | None = None, metrics: dict | None = None,
                   golden_input=None, golden_dt=None, seed: int = 0) -> Path:
    """Export, verify and atomically write a model package. Returns the package path."""
    model = model.eval().cpu()
    cfg = model.cfg
    out_dir = Path(out_dir)
    if chunk_length < 1 or chunk_length % cfg.stride_product:
        raise ExportError(f"chunk length {chunk_length} must be a positive multiple of the product of the "
                          f"pooling strides {cfg.pool_strides} = {cfg.stride_product}")
    if cfg.task == "classification":
        if labels is None or len(labels) != cfg.output_size or len(set(labels)) != len(labels):
            raise ExportError(f"classification needs {cfg.output_size} distinct labels, got {labels}")
    elif output_names is None or len(output_names) != cfg.output_size:
        raise ExportError(f"regression needs {cfg.output_size} output names, got {output_names}")
    if cfg.input_kind == "dense" and input_names is not None and len(input_names) != cfg.input_size:
        raise ExportError(f"input names {input_names} do not match input size {cfg.input_size}")
    for name, p in list(model.named_parameters()) + list(model.named_buffers()):
        if not torch.isfinite(p).all():
            raise ExportError(f"parameter {name} contains NaN or inf")

    gen = torch.Generator().manual_seed(seed)
    steps = 2 * chunk_length
    if golden_input is None:
        golden_input, golden_dt = _example(model, 3, steps, gen)
    golden_input = torch.as_tensor(golden_input)
    want_shape = (golden_input.shape[0], steps) + ((cfg.input_size,) if cfg.input_kind == "dense" else ())
    if tuple(golden_input.shape) != want_shape:
        raise ExportError(f"golden input must be [B, {steps}{', ' + str(cfg.input_size) if cfg.input_kind == 'dense' else ''}]"
                          f", got {tuple(golden_input.shape)}")
    if cfg.dt and (golden_dt is None or tuple(golden_dt.shape) != tuple(golden_input.shape[:2])):
        raise ExportError(f"golden dt must be {tuple(golden_input.shape[:2])}")

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        _export_graph(model, tmp / "step.onnx", chunk=False, length=chunk_length)
        _export_graph(model, tmp / "chunk.onnx", chunk=True, length=chunk_length)
        want_out, want_state = verify(model, tmp / "step.onnx", tmp / "chunk.onnx", chunk_length,
                                      golden_input, golden_dt)
        in_key = "input" if cfg.input_kind == "dense" else "tokens"
        golden = {"batch": int(golden_input.shape[0]), "steps": steps,
                  in_key: {"shape": list(golden_input.shape), "data": _flat(golden_input.numpy())}}
        if cfg.dt:
            golden["dt"] = {"shape": list(golden_dt.shape), "data": _flat(golden_dt.numpy())}
        golden["output"] = {"shape": list(want_out.shape), "data": _flat(want_out)}
        golden["state"] = {n: {"shape": list(v.shape), "data": _flat(v)} for n, v in want_state.items()}
        (tmp / "golden.json").write_text(json.dumps(golden, separators=(",", ":")))

        inp_spec = {"kind": cfg.input_kind, "size": cfg.input_size}
        if cfg.input_kind == "dense":
            inp_spec["names"] = list(input_names or [f"x{i}" for i in range(cfg.input_size)])
            inp_spec["normalization"] = {"mean": _flat(model.in_mean.numpy()), "std": _flat(model.in_std.numpy())}
        inp_spec.update({"dt": cfg.dt, "timeUnit": time_unit})
        if sample_rate_hz is not None:
            inp_spec["sampleRateHz"] = sample_rate_hz
        output = {"size": cfg.output_size}
        if cfg.task == "classification":
            output["labels"] = list(labels)
        else:
            output["names"] = list(output_names)
        manifest = {
            "format": FORMAT, "formatVersion": FORMAT_VERSION, "id": model_id, "task": cfg.task,
            "input": inp_spec, "output": output,
            "state": [{"name": n, "shape": s} for n, s in model.state_spec()],
            "pooling": {"strides": list(cfg.pool_strides)},
            "graphs": {"step": {"file": "step.onnx", "sha256": _sha256(tmp / "step.onnx")},
                       "chunk": {"file": "chunk.onnx", "sha256": _sha256(tmp / "chunk.onnx"),
                                 "length": chunk_length}},
            "golden": {"file": "golden.json", "sha256": _sha256(tmp / "golden.json"), "atol": ATOL, "rtol": RTOL},
            "model": cfg.to_dict(),
            "provenance": {"seed": seed, "gitCommit": git_commit(),
                           "createdAt": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
                           "torch": torch.__version__.split("+")[0], **(provenance or {})},
            "metrics": metrics or {},
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        os.chmod(tmp, 0o755)
        # swap into place: the old package (if any) moves aside first, so out_dir is never half-written
        old = None
        if out_dir.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
            os.rename(out_dir, old / "pkg")
        os.rename(tmp, out_dir)
        if old is not None:
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def load_checkpoint(path: str | os.PathLike) -> tuple[S7Model, dict]:
    """(model, meta) from a checkpoint written by s7.train."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint not found: {path}")
    ckpt = torch.load(path, map_location="cpu", weights_only=False)
    if not isinstance(ckpt, dict) or "config" not in ckpt or "model" not in ckpt:
        raise ExportError(f"{path} is not an s7 checkpoint (needs 'config' and 'model')")
    model = S7Model(S7Config(**ckpt["config"]))
    model.load_state_dict(ckpt["model"])
    return model.eval(), ckpt.get("meta", {})


def export_checkpoint(checkpoint, out_dir, chunk_length: int = 64, model_id: str | None = None) -> Path:
    model, meta = load_checkpoint(checkpoint)
    return export_package(
        model, out_dir, model_id=model_id or meta.get("id") or Path(out_dir).name, labels=meta.get("labels"),
        output_names=meta.get("outputNames"), input_names=meta.get("channels"), chunk_length=chunk_length,
        sample_rate_hz=meta.get("sampleRateHz"), time_unit=meta.get("timeUnit", "sample"),
        provenance=meta.get("provenance"), metrics=meta.get("metrics"), seed=meta.get("seed", 0))


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m s7.export", description=__doc__.split("\n\n")[0])
    p.add_argument("--checkpoint", required=True, help="checkpoint written by python -m s7.train")
    p.add_argument("--out", required=True, help="package folder to create or replace")
    p.add_argument("--chunk-length", type=int, default=64)
    p.add_argument("--id", default=None, help="model id (default: from the checkpoint, else the folder name)")
    a = p.parse_args(argv)
    try:
        path = export_checkpoint(a.checkpoint, a.out, a.chunk_length, a.id)
    except (ExportError, FileNotFoundError, ValueError) as e:
        raise SystemExit(f"export failed: {e}")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
