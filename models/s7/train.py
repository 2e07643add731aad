"""Train an S7 model: the one training loop, for dense sequences (sensors, user files) and token streams
with dt (events, s7.data.gestures). AdamW, linear warm-up then cosine decay, gradient clipping,
checkpoints, metrics as JSON lines, a tqdm progress bar; CPU or CUDA.

    python -m s7.train --out runs/sensor                        # built-in synthetic IMU task
    python -m s7.train --out runs/mine --data my.npz --val my_val.npz   # user data (NPZ or CSV)
    python -m s7.train --out runs/fc --task regression           # per-step forecast of the next sample

Writes <out>/last.pt, <out>/best.pt (best validation accuracy, or loss for regression),
<out>/metrics.jsonl (one JSON object per evaluation) and <out>/metrics.json (the final summary).

What is trained on comes from a data object (`DenseData`, `TokenData` or a subclass such as
s7.data.gestures.GestureData): it fixes the model's input side (`model_inputs`), draws training batches
(`batch`) and measures the model on its validation set (`evaluate`). Everything else is this file's.
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
    pool_strides: list[int] = field(default_factory=list)   # pooling stages (event models)
    tau: float = 1.0                   # data with dt: dt / tau is "one step" (S7Config.tau)
    dropout: float = 0.05
    loss_warm: int = 25                # classification: per-step loss from this item of a sequence on
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


# ---- batches and the loss -------------------------------------------------------------------------------

@dataclass
class Batch:
    inp: torch.Tensor                     # [B, L, C] float or [B, L] int64 tokens
    y: torch.Tensor                       # [B] class ids (classification)
    dt: torch.Tensor | None = None        # [B, L] (models with dt)
    lengths: torch.Tensor | None = None   # [B] real items per sequence, right-padded after; None: all L

    def to(self, device) -> "Batch":
        move = lambda t: None if t is None else t.to(device)  # noqa: E731
        return Batch(move(self.inp), move(self.y), move(self.dt), move(self.lengths))


def sequence_loss(model: S7Model, out: torch.Tensor, batch: Batch, warm: int = 25) -> torch.Tensor:
    if model.cfg.task == "regression":   # forecast the next normalised sample
        target = (batch.inp[:, 1:] - model.in_mean) / model.in_std
        return F.mse_loss(out[:, :-1], target)
    # the whole-sequence prediction (at each sequence's last item; the model is causal, so padding after
    # it changes nothing), plus the running predictions after a warm-up so the streaming output is
    # useful early
    B, L = out.shape[:2]
    lengths = batch.lengths if batch.lengths is not None else torch.full((B,), L, device=out.device)
    final = F.cross_entropy(out[torch.arange(B, device=out.device), lengths - 1], batch.y)
    pos = torch.arange(L, device=out.device).unsqueeze(0)
    mask = ((pos >= min(L - 1, warm)) & (pos < lengths.unsqueeze(1))).to(out.dtype)
    per = F.cross_entropy(out.transpose(1, 2), batch.y.unsqueeze(1).expand(-1, L), reduction="none")
    return final + 0.5 * (per * mask).sum() / mask.sum().clamp(min=1)


# ---- data ---------------------------------------------------------------------------------------------

class DenseData:
    """Fixed-length float sequences x [N, L, C] with labels y [N]: the synthetic IMU task or user files.
    `online` (synthetic only): every training batch is freshly generated subjects."""

    def __init__(self, xt, yt, xv, yv, meta: dict, online: bool = False, length: int = 0, seed: int = 0):
        n_labels = len(meta["labels"])
        validate(xt, yt, n_labels, "training data")
        validate(xv, yv, n_labels, "validation data")
        if xv.shape[1:] != xt.shape[1:]:
            raise DataError(f"validation sequences {xv.shape[1:]} differ from training sequences {xt.shape[1:]}")
        self.xt, self.yt, self.xv, self.yv, self.meta = xt, yt, xv, yv, meta
        self.online, self.length, self.seed = online, length, seed
        C = xt.shape[-1]
        # normalisation statistics become model buffers (and so part of the exported graphs)
        self.mean, self.std = xt.reshape(-1, C).mean(0), np.maximum(xt.reshape(-1, C).std(0), 1e-6)

    @classmethod
    def load(cls, tc: TrainConfig) -> "DenseData":
        """The synthetic IMU task (held-out subjects for validation) or tc.data / tc.val files."""
        if tc.data == "synthetic":
            xt, yt = sensors.make_dataset(tc.train_per_class, tc.length, seed=tc.seed)
            xv, yv = sensors.make_dataset(tc.val_per_class, tc.length, seed=sensors.HELD_OUT_SEED + tc.seed)
            meta = {"labels": sensors.LABELS, "channels": sensors.CHANNELS, "sampleRateHz": sensors.SAMPLE_RATE_HZ,
                    "data": f"synthetic IMU (s7.data.sensors), {tc.train_per_class}/class x {tc.length} samples, "
                            f"train seed {tc.seed}, held-out subjects seed {sensors.HELD_OUT_SEED + tc.seed}"}
            return cls(xt, yt, xv, yv, meta, online=tc.online, length=tc.length, seed=tc.seed)
        xt, yt, labels, channels = load_sequences(tc.data)
        if tc.val:
            xv, yv, _, _ = load_sequences(tc.val, labels=labels)
            if xv.shape[-1] != xt.shape[-1]:
                raise DataError(f"{tc.val}: {xv.shape[-1]} channels, training data {tc.data} has {xt.shape[-1]}")
        else:   # hold out 15% of the sequences
            order = np.random.default_rng(tc.seed).permutation(len(xt))
            cut = max(1, int(0.15 * len(xt)))
            xv, yv, xt, yt = xt[order[:cut]], yt[order[:cut]], xt[order[cut:]], yt[order[cut:]]
        return cls(xt, yt, xv, yv, {"labels": labels, "channels": channels, "data": str(tc.data)})

    def model_inputs(self, task: str) -> dict:
        C = self.xt.shape[-1]
        return {"input_kind": "dense", "input_size": C, "dt": False,
                "output_size": len(self.meta["labels"]) if task == "classification" else C}

    def batch(self, step: int, rng: np.random.Generator, size: int, multiple: int = 1) -> Batch:
        """`size` training sequences; `multiple`: the model's product of pooling strides (the fixed
        length must already be a multiple of it: the model says so otherwise)."""
        if self.online:   # training seeds stay below HELD_OUT_SEED: no subject is shared with validation
            xn, yn = sensors.make_dataset(-(-size // len(sensors.LABELS)), self.length,
                                          seed=(100_000 * self.seed + 1 + step) % sensors.HELD_OUT_SEED)
            return Batch(torch.from_numpy(xn[:size]), torch.from_numpy(yn[:size]))
        idx = rng.integers(0, len(self.xt), size)
        return Batch(torch.from_numpy(self.xt[idx]), torch.from_numpy(self.yt[idx]))

    @torch.no_grad()
    def evaluate(self, model: S7Model, device, loss_warm: int = 25, batch: int = 256) -> dict:
        losses, correct = [], 0
        for i in range(0, len(self.xv), batch):
            b = Batch(torch.from_numpy(self.xv[i:i + batch]), torch.from_numpy(self.yv[i:i + batch])).to(device)
            out, _ = model(b.inp)
            losses.append(sequence_loss(model, out, b, loss_warm).item() * len(b.y))
            if model.cfg.task == "classification":
                correct += (out[:, -1].argmax(-1) == b.y).sum().item()
        m = {"loss": sum(losses) / len(self.xv), "samples": len(self.xv)}
        if model.cfg.task == "classification":
            m["accuracy"] = correct / len(self.xv)
        return m


def pad_tokens(seqs: list[tuple[np.ndarray, np.ndarray]], multiple: int):
    """Right-pad (tokens, dt) pairs to a common length that is a multiple of the pooling strides.
    Returns tokens [B, N] int64, dt [B, N] float32, lengths [B] (at least 1)."""
    n = max(1, max(len(t) for t, _ in seqs))
    n = -(-n // multiple) * multiple
    tok = np.zeros((len(seqs), n), np.int64)
    dt = np.zeros((len(seqs), n), np.float32)
    lengths = np.zeros(len(seqs), np.int64)
    for i, (t, d) in enumerate(seqs):
        tok[i, :len(t)], dt[i, :len(d)], lengths[i] = t, d, max(1, len(t))
    return torch.from_numpy(tok), torch.from_numpy(dt), torch.from_numpy(lengths)


class TokenData:
    """Token streams of any length, each with dt per token, and a class: train and val are lists of
    (tokens int64, dt float32, class). Batches are right-padded (`pad_tokens`) and every stream's
    prediction is read at its own last token. Subclasses override `sample` to draw augmented training
    streams (s7.data.gestures.GestureData)."""

    def __init__(self, train: list, val: list, vocab: int, meta: dict):
        if not val:
            raise DataError("validation data: no token streams")
        self.train, self.val, self.vocab, self.meta = train, val, vocab, meta
        for where, items in (("training data", train), ("validation data", val)):
            for i, (tok, dt, y) in enumerate(items):
                if len(tok) != len(dt) or (len(tok) and (tok.min() < 0 or tok.max() >= vocab)):
                    raise DataError(f"{where}: stream {i} needs tokens in 0..{vocab - 1} and one dt per token")
                if not 0 <= y < len(meta["labels"]):
                    raise DataError(f"{where}: class {y} of stream {i} is outside 0..{len(meta['labels']) - 1}")

    def model_inputs(self, task: str) -> dict:
        if task != "classification":
            raise DataError("token streams train classifiers only (task 'classification')")
        return {"input_kind": "tokens", "input_size": self.vocab, "dt": True, "output_size": len(self.meta["labels"])}

    def sample(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, int]:
        return self.train[int(rng.integers(0, len(self.train)))]

    def batch(self, step: int, rng: np.random.Generator, size: int, multiple: int = 1) -> Batch:
        """`size` training streams, padded to a length that is a multiple of `multiple` (the model's
        product of pooling strides)."""
        items = [self.sample(rng) for _ in range(size)]
        tok, dt, lengths = pad_tokens([(t, d) for t, d, _ in items], multiple)
        return Batch(tok, torch.tensor([y for _, _, y in items]), dt, lengths)

    @torch.no_grad()
    def evaluate(self, model: S7Model, device, loss_warm: int = 25, batch: int = 32) -> dict:
        """Loss and accuracy of the prediction after each validation stream's last token, every stream
        from the zero state."""
        order = np.argsort([len(t) for t, _, _ in self.val], kind="stable")   # similar lengths: less padding
        loss, correct = 0.0, 0
        for i in range(0, len(order), batch):
            items = [self.val[j] for j in order[i:i + batch]]
            tok, dt, lengths = pad_tokens([(t, d) for t, d, _ in items], model.cfg.stride_product)
            b = Batch(tok, torch.tensor([y for _, _, y in items]), dt, lengths).to(device)
            out, _ = model(b.inp, b.dt)
            loss += sequence_loss(model, out, b, loss_warm).item() * len(items)
            correct += (out[torch.arange(len(items), device=device), b.lengths - 1].argmax(-1) == b.y).sum().item()
        return {"loss": loss / len(self.val), "accuracy": correct / len(self.val), "samples": len(self.val)}


# ---- the loop -----------------------------------------------------------------------------------------

def save_checkpoint(path: Path, model: S7Model, meta: dict, **extra):
    tmp = path.with_suffix(".tmp")
    torch.save({"config": model.cfg.to_dict(), "model": model.state_dict(), "meta": meta, **extra}, tmp)
    tmp.replace(path)


def train(tc: TrainConfig, data=None):
    """Train; returns (model on CPU in eval mode, summary dict). `data`: a DenseData, TokenData (or
    subclass); default DenseData.load(tc). Its `meta` (labels, ...) goes into the checkpoints."""
    torch.manual_seed(tc.seed)
    if tc.threads:
        torch.set_num_threads(tc.threads)
    device = torch.device("cuda" if tc.device == "auto" and torch.cuda.is_available() else
                          ("cpu" if tc.device == "auto" else tc.device))
    data = data if data is not None else DenseData.load(tc)
    cfg = S7Config(**data.model_inputs(tc.task), d_model=tc.d_model, d_state=tc.d_state, n_layers=tc.n_layers,
                   pool_strides=list(tc.pool_strides), task=tc.task, tau=tc.tau, dropout=tc.dropout)
    model = S7Model(cfg, mean=getattr(data, "mean", None), std=getattr(data, "std", None)).to(device)
    meta = dict(data.meta)
    if tc.task == "regression":
        meta["outputNames"] = [f"forecast_{c}" for c in meta["channels"]]
    opt = torch.optim.AdamW(model.parameters(), lr=tc.lr, weight_decay=tc.weight_decay)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda(tc.warmup, tc.steps))
    out = Path(tc.out)
    out.mkdir(parents=True, exist_ok=True)
    log = (out / "metrics.jsonl").open("w")
    rng = np.random.default_rng(tc.seed)
    best, best_key = None, "accuracy" if tc.task == "classification" else "loss"
    t0 = time.time()
    bar = tqdm(range(tc.steps), disable=not tc.progress, desc="train", dynamic_ncols=True, mininterval=1)
    for step in bar:
        model.train()
        b = data.batch(step, rng, tc.batch, cfg.stride_product).to(device)
        out_b, _ = model(b.inp, b.dt)
        loss = sequence_loss(model, out_b, b, tc.loss_warm)
        if not torch.isfinite(loss):
            raise FloatingPointError(f"training diverged: loss {loss.item()} at step {step}")
        opt.zero_grad(set_to_none=True)
        loss.backward()
        gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), tc.clip)
        opt.step()
        sched.step()
        bar.set_postfix(loss=f"{loss.item():.3f}", lr=f"{sched.get_last_lr()[0]:.1e}")
        if (step + 1) % tc.eval_every == 0 or step + 1 == tc.steps:
            model.eval()
            m = {"step": step + 1, "time_s": round(time.time() - t0, 1), "train_loss": loss.item(),
                 "grad_norm": float(gnorm), "lr": sched.get_last_lr()[0],
                 **{f"val_{k}": v for k, v in data.evaluate(model, device, tc.loss_warm).items()}}
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
        elif f.type == "list[int]":
            p.add_argument(flag, type=lambda v: [int(s) for s in v.split(",") if s], default=[],
                           help="comma-separated, e.g. 4,4")
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
