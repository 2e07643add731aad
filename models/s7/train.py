"""Train an S7 model: AdamW, linear warm-up then cosine decay, gradient clipping, checkpoints,
metrics as JSON lines, a tqdm progress bar; CPU or CUDA.

    python -m s7.train --out runs/sensor                        # built-in synthetic IMU task
    python -m s7.train --out runs/mine --data my.npz --val my_val.npz   # user data (NPZ or CSV)
    python -m s7.train --out runs/fc --task regression           # per-step forecast of the next sample

Writes <out>/last.pt, <out>/best.pt (best validation accuracy, or loss for regression),
<out>/metrics.jsonl (one JSON object per evaluation) and <out>/metrics.json (the final summary).
"""

from __future__ import annotations

import argparse
import json
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from .data import sensors
from .data.files import DataError, load_sequences, validate
from .model import S7Config, S7Model


@dataclass
class TrainConfig:
    out: str = "runs/sensor"
    data: str = "synthetic"            # "synthetic" or a .npz/.csv file
    val: str | None = None             # validation file (user data); synthetic uses held-out subjects
    task: str = "classification"
    length: int = 200                  # synthetic sequence length (4 s at 50 Hz)
    train_per_class: int = 600
    online: bool = False               # synthetic only: a freshly generated batch (new subjects) every step
    val_per_class: int = 100
    d_model: int = 32
    d_state: int = 32
    n_layers: int = 2
    dropout: float = 0.05
    steps: int = 1500
    batch: int = 32
    lr: float = 3e-3
    weight_decay: float = 0.02
    warmup: int = 100
    clip: float = 1.0
    eval_every: int = 250
    seed: int = 0
    device: str = "auto"
    threads: int = 0                   # torch CPU threads; 0 = torch's default
    progress: bool = True
    extra: dict = field(default_factory=dict)


def lr_lambda(warmup: int, total: int):
    """Multiplier: linear warm-up to 1 over `warmup` steps, then cosine decay to 0.05 at `total`."""
    def f(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        p = min(1.0, (step - warmup) / max(1, total - warmup))
        return 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * p))
    return f


def load_data(tc: TrainConfig):
    """(x_train, y_train, x_val, y_val, meta) with meta = labels, channels, sampleRateHz, data description."""
    if tc.data == "synthetic":
        xt, yt = sensors.make_dataset(tc.train_per_class, tc.length, seed=tc.seed)
        xv, yv = sensors.make_dataset(tc.val_per_class, tc.length, seed=sensors.HELD_OUT_SEED + tc.seed)
        meta = {"labels": sensors.LABELS, "channels": sensors.CHANNELS, "sampleRateHz": sensors.SAMPLE_RATE_HZ,
                "data": f"synthetic IMU (s7.data.sensors), {tc.train_per_class}/class x {tc.length} samples, "
                        f"train seed {tc.seed}, held-out subjects seed {sensors.HELD_OUT_SEED + tc.seed}"}
        return xt, yt, xv, yv, meta
    xt, yt, labels, channels = load_sequences(tc.data)
    if tc.val:
        xv, yv, _, vch = load_sequences(tc.val, labels=labels)
        if xv.shape[-1] != xt.shape[-1]:
            raise DataError(f"{tc.val}: {xv.shape[-1]} channels, training data {tc.data} has {xt.shape[-1]}")
    else:   # hold out 15% of the sequences
        order = np.random.default_rng(tc.seed).permutation(len(xt))
        cut = max(1, int(0.15 * len(xt)))
        xv, yv, xt, yt = xt[order[:cut]], yt[order[:cut]], xt[order[cut:]], yt[order[cut:]]
    return xt, yt, xv, yv, {"labels": labels, "channels": channels, "data": str(tc.data)}


def sequence_loss(model: S7Model, out: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    if model.cfg.task == "regression":   # forecast the next normalised sample
        target = (x[:, 1:] - model.in_mean) / model.in_std
        return F.mse_loss(out[:, :-1], target)
    # the whole-sequence prediction, plus the running predictions after a short warm-up so the
    # streaming output is useful early
    warm = min(out.shape[1] - 1, 25)
    per_step = F.cross_entropy(out[:, warm:].flatten(0, 1), y.repeat_interleave(out.shape[1] - warm))
    return F.cross_entropy(out[:, -1], y) + 0.5 * per_step


@torch.no_grad()
def evaluate(model: S7Model, x: np.ndarray, y: np.ndarray, device, batch: int = 256) -> dict:
    model.eval()
    losses, correct = [], 0
    for i in range(0, len(x), batch):
        xb = torch.from_numpy(x[i:i + batch]).to(device)
        yb = torch.from_numpy(y[i:i + batch]).to(device)
        out, _ = model(xb)
        losses.append(sequence_loss(model, out, xb, yb).item() * len(xb))
        if model.cfg.task == "classification":
            correct += (out[:, -1].argmax(-1) == yb).sum().item()
    model.train()
    m = {"loss": sum(losses) / len(x), "samples": len(x)}
    if model.cfg.task == "classification":
        m["accuracy"] = correct / len(x)
    return m


def save_checkpoint(path: Path, model: S7Model, meta: dict, **extra):
    tmp = path.with_suffix(".tmp")
    torch.save({"config": model.cfg.to_dict(), "model": model.state_dict(), "meta": meta, **extra}, tmp)
    tmp.replace(path)


def train(tc: TrainConfig, data=None):
    """Train; returns (model on CPU in eval mode, summary dict). `data` overrides load_data(tc)."""
    torch.manual_seed(tc.seed)
    if tc.threads:
        torch.set_num_threads(tc.threads)
    device = torch.device("cuda" if tc.device == "auto" and torch.cuda.is_available() else
                          ("cpu" if tc.device == "auto" else tc.device))
    xt, yt, xv, yv, meta = data if data is not None else load_data(tc)
    n_labels = len(meta["labels"]) if tc.task == "classification" else 1
    validate(xt, yt, n_labels if tc.task == "classification" else max(1, int(yt.max()) + 1), "training data")
    validate(xv, yv, n_labels if tc.task == "classification" else max(1, int(yv.max()) + 1), "validation data")
    if xv.shape[1:] != xt.shape[1:]:
        raise DataError(f"validation sequences {xv.shape[1:]} differ from training sequences {xt.shape[1:]}")
    C = xt.shape[-1]
    mean = xt.reshape(-1, C).mean(0)
    std = np.maximum(xt.reshape(-1, C).std(0), 1e-6)
    cfg = S7Config(input_size=C, d_model=tc.d_model, d_state=tc.d_state, n_layers=tc.n_layers,
                   task=tc.task, output_size=len(meta["labels"]) if tc.task == "classification" else C,
                   dropout=tc.dropout)
    model = S7Model(cfg, mean=mean, std=std).to(device)
    if tc.task == "regression":
        meta = {**meta, "outputNames": [f"forecast_{c}" for c in meta["channels"]]}
    opt = torch.optim.AdamW(model.parameters(), lr=tc.lr, weight_decay=tc.weight_decay)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda(tc.warmup, tc.steps))
    out = Path(tc.out)
    out.mkdir(parents=True, exist_ok=True)
    log = (out / "metrics.jsonl").open("w")
    rng = np.random.default_rng(tc.seed)
    best, best_key = None, "accuracy" if tc.task == "classification" else "loss"
    t0 = time.time()
    bar = tqdm(range(tc.steps), disable=not tc.progress, desc="train", dynamic_ncols=True)
    model.train()
    online = tc.online and tc.data == "synthetic"
    for step in bar:
        if online:   # training seeds stay below HELD_OUT_SEED: no subject is shared with validation
            xn, yn = sensors.make_dataset(-(-tc.batch // len(sensors.LABELS)), tc.length,
                                          seed=(100_000 * tc.seed + 1 + step) % sensors.HELD_OUT_SEED)
            xb, yb = torch.from_numpy(xn[:tc.batch]).to(device), torch.from_numpy(yn[:tc.batch]).to(device)
        else:
            idx = rng.integers(0, len(xt), tc.batch)
            xb, yb = torch.from_numpy(xt[idx]).to(device), torch.from_numpy(yt[idx]).to(device)
        out_b, _ = model(xb)
        loss = sequence_loss(model, out_b, xb, yb)
        if not torch.isfinite(loss):
            raise FloatingPointError(f"training diverged: loss {loss.item()} at step {step}")
        opt.zero_grad(set_to_none=True)
        loss.backward()
        gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), tc.clip)
        opt.step()
        sched.step()
        bar.set_postfix(loss=f"{loss.item():.3f}", lr=f"{sched.get_last_lr()[0]:.1e}")
        if (step + 1) % tc.eval_every == 0 or step + 1 == tc.steps:
            m = {"step": step + 1, "time_s": round(time.time() - t0, 1), "train_loss": loss.item(),
                 "grad_norm": float(gnorm), "lr": sched.get_last_lr()[0],
                 **{f"val_{k}": v for k, v in evaluate(model, xv, yv, device).items()}}
            log.write(json.dumps(m) + "\n")
            log.flush()
            better = best is None or (m[f"val_{best_key}"] > best[f"val_{best_key}"] if best_key == "accuracy"
                                      else m[f"val_{best_key}"] < best[f"val_{best_key}"])
            if better:
                best = m
                save_checkpoint(out / "best.pt", model, {**meta, "metrics": m, "seed": tc.seed,
                                                         "train": asdict(tc)})
            bar.write(json.dumps(m))
    save_checkpoint(out / "last.pt", model, {**meta, "seed": tc.seed, "train": asdict(tc)})
    log.close()
    summary = {"best": best, "time_s": round(time.time() - t0, 1), "device": str(device), "train": asdict(tc)}
    (out / "metrics.json").write_text(json.dumps(summary, indent=2) + "\n")
    ckpt = torch.load(out / "best.pt", map_location="cpu", weights_only=False)
    model = model.cpu()
    model.load_state_dict(ckpt["model"])
    return model.eval(), {**summary, "meta": ckpt["meta"]}


def parse_args(argv=None) -> TrainConfig:
    p = argparse.ArgumentParser(prog="python -m s7.train", description=__doc__.split("\n\n")[0])
    for f in TrainConfig.__dataclass_fields__.values():
        if f.name == "extra":
            continue
        flag = "--" + f.name.replace("_", "-")
        if f.type == "bool":
            p.add_argument(flag, action=argparse.BooleanOptionalAction, default=f.default)
        else:
            kind = {"int": int, "float": float}.get(f.type, str)
            p.add_argument(flag, type=kind, default=f.default)
    return TrainConfig(**vars(p.parse_args(argv)))


def main(argv=None):
    tc = parse_args(argv)
    try:
        _, summary = train(tc)
    except (DataError, FileNotFoundError, ValueError, FloatingPointError) as e:
        raise SystemExit(f"train failed: {e}")
    print(json.dumps(summary["best"]))


if __name__ == "__main__":
    main()
