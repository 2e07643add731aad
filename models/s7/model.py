"""S7: a selective, input-dependent, stable diagonal state-space model (Soydan et al., 2024).

One file, read top to bottom: the S7 layer (sequence form by parallel scan, `step` form side by side),
the residual block, the pooling stage for event streams, and the model with its encoder and heads.
Every recurrent quantity lives in a named state tensor whose initial value is zero, so the sequence
form run chunk by chunk and the step form run sample by sample compute the same thing.
Formulas, shapes and invariants: docs/s7.md.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import torch
import torch.nn as nn
import torch.nn.functional as F

from .scan import linear_scan

State = dict[str, torch.Tensor]


@dataclass
class S7Config:
    input_kind: str = "dense"          # "dense": float vectors of `input_size`; "tokens": ids < `input_size`
    input_size: int = 6
    d_model: int = 32                  # H
    d_state: int = 32                  # P
    n_layers: int = 2                  # blocks per stage
    pool_strides: list[int] = field(default_factory=list)  # one pooling stage between consecutive stages
    task: str = "classification"       # "classification" (running-mean head) | "regression" (per step)
    output_size: int = 6
    dt: bool = False                   # time-aware decay driven by a dt input
    tau: float = 1.0                   # dt is divided by tau (dt's unit -> "one step")
    timescale_min: float = 1.0         # Λ_base spans decay time scales [min, max] in steps
    timescale_max: float = 1e4
    dropout: float = 0.0

    def __post_init__(self):
        if self.input_kind not in ("dense", "tokens"):
            raise ValueError(f"S7Config.input_kind must be 'dense' or 'tokens', got {self.input_kind!r}")
        if self.task not in ("classification", "regression"):
            raise ValueError(f"S7Config.task must be 'classification' or 'regression', got {self.task!r}")
        if any(int(s) < 1 for s in self.pool_strides):
            raise ValueError(f"S7Config.pool_strides must be >= 1, got {self.pool_strides}")
        if self.pool_strides and self.task == "regression":
            raise ValueError("S7Config: pooling is only supported with the classification head")
        if self.tau <= 0:
            raise ValueError(f"S7Config.tau must be > 0, got {self.tau}")
        self.pool_strides = [int(s) for s in self.pool_strides]

    @property
    def stride_product(self) -> int:
        return math.prod(self.pool_strides)

    def to_dict(self) -> dict:
        return asdict(self)


def matvec(m: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Batched matrix-vector product: m [..., R, K] @ v [..., K] -> [..., R]."""
    return (m @ v.unsqueeze(-1)).squeeze(-1)


def stable_decay(lam: torch.Tensor, dt: torch.Tensor | None, tau: float = 1.0) -> torch.Tensor:
    """Λ̄ from Λ. Without dt: 1 - 1/(Λ² + 0.5), in [-1, 1). With dt >= 0: exp(-dt / (tau (Λ² + 0.5))),
    in (0, 1], and 1 (no decay) at dt = 0. Negative dt is treated as 0 so no input can make it grow."""
    t = lam * lam + 0.5
    if dt is None:
        return 1.0 - 1.0 / t
    # dividing by -(tau t) rather than negating dt: the same value, one node fewer per layer in the graphs
    return torch.exp(torch.clamp(dt, min=0.0).unsqueeze(-1) / (-tau * t))


class S7(nn.Module):
    """x_k = Λ̄_k ⊙ x_{k-1} + B_k u_k,  y_k = C_k x_k + D_k ⊙ u_k; Λ_k, B_k, C_k, D_k = proj(u_k)."""

    def __init__(self, cfg: S7Config):
        super().__init__()
        H, P = cfg.d_model, cfg.d_state
        self.H, self.P, self.tau = H, P, cfg.tau
        # one projection: bias = the input-independent base, weight = the (small) input-dependent part
        self.proj = nn.Linear(H, P + P * H + H * P + H)
        with torch.no_grad():
            timescales = torch.logspace(math.log10(cfg.timescale_min), math.log10(cfg.timescale_max), P)
            lam_base = torch.sqrt(timescales - 0.5 + 1e-6)        # 1 - 1/(Λ²+0.5) ≈ exp(-1/timescale)
            decay = 1.0 - 1.0 / (lam_base ** 2 + 0.5)
            # rows of B scaled by sqrt(1 - Λ̄²): the stationary state variance is ~1 for every time scale
            b_base = torch.randn(P, H) / math.sqrt(H) * torch.sqrt(1.0 - decay ** 2).unsqueeze(1)
            c_base = torch.randn(H, P) / math.sqrt(P)
            d_base = torch.ones(H)
            self.proj.bias.copy_(torch.cat([lam_base, b_base.flatten(), c_base.flatten(), d_base]))
            scale = torch.cat([
                torch.full((P,), 0.1), (0.1 * b_base.abs().mean(1, keepdim=True)).expand(P, H).flatten(),
                torch.full((H * P,), 0.1 / math.sqrt(P)), torch.full((H,), 0.1)])
            self.proj.weight.copy_(torch.randn(P + 2 * P * H + H, H) / math.sqrt(H) * scale.unsqueeze(1))

    def project(self, u: torch.Tensor):
        """Λ [.., P], B [.., P, H], C [.., H, P], D [.., H] of every input u [.., H]."""
        lam, b, c, d = self.proj(u).split([self.P, self.P * self.H, self.H * self.P, self.H], dim=-1)
        if u.dim() == 2:
            # step: -1 and the constants P, H trace to one Reshape with a constant shape; unflatten
            # would trace to Shape -> Slice -> Slice -> Concat -> Reshape per use (per-sample cost)
            return lam, b.reshape(-1, self.P, self.H), c.reshape(-1, self.H, self.P), d
        return lam, b.unflatten(-1, (self.P, self.H)), c.unflatten(-1, (self.H, self.P)), d

    def forward(self, u: torch.Tensor, x0: torch.Tensor | None = None, dt: torch.Tensor | None = None):
        """Sequence form. u [B, L, H], x0 [B, P], dt [B, L] -> y [B, L, H], x_L [B, P]."""
        lam, b, c, d = self.project(u)
        x, x_last = linear_scan(stable_decay(lam, dt, self.tau), matvec(b, u), x0)   # all x_k at once
        return matvec(c, x) + d * u, x_last

    def step(self, u: torch.Tensor, x: torch.Tensor, dt: torch.Tensor | None = None):
        """Step form. u [B, H], x [B, P], dt [B] -> y [B, H], x [B, P]."""
        lam, b, c, d = self.project(u)
        x = stable_decay(lam, dt, self.tau) * x + matvec(b, u)
        return matvec(c, x) + d * u, x


class Block(nn.Module):
    """pre-LayerNorm -> S7 -> gate y ⊙ σ(W·GELU(y)) -> dropout -> residual."""

    def __init__(self, cfg: S7Config):
        super().__init__()
        self.norm = nn.LayerNorm(cfg.d_model)
        self.s7 = S7(cfg)
        self.gate = nn.Linear(cfg.d_model, cfg.d_model)
        self.drop = nn.Dropout(cfg.dropout)

    def _mix(self, h, y):
        return h + self.drop(y * torch.sigmoid(self.gate(F.gelu(y))))

    def forward(self, h, x0=None, dt=None):
        y, x = self.s7(self.norm(h), x0, dt)
        return self._mix(h, y), x

    def step(self, h, x, dt=None):
        y, x = self.s7.step(self.norm(h), x, dt)
        return self._mix(h, y), x


# ---- pooling: mean of every `stride` consecutive items, their dt summed --------------------------------
# State: the running sum of the open window, how many items it holds (0..stride-1) and their dt sum.
# A chunk whose length is a multiple of the stride completes exactly length/stride windows whatever the
# window's phase, and leaves the phase unchanged, so the sequence form works on a static graph.

def pool_sequence(h, dt, buf_sum, buf_count, buf_dt, stride: int):
    """h [B, N, H] (N a multiple of stride), dt [B, N] or None, buffers [B, H], [B, 1], [B, 1].
    Returns pooled [B, N/stride, H], pooled dt, new buffers, and done [B, N]: windows completed
    after each input item."""
    n = h.shape[1]
    w = n // stride
    c = buf_count.long()                                           # [B, 1]
    pos = torch.arange(n, device=h.device).unsqueeze(0)            # [1, N]
    src = pos - c                                                  # window j holds items j*s - c ... j*s - c + s - 1
    valid = (src >= 0).to(h.dtype)
    idx = src.clamp(min=0)
    gathered = h.gather(1, idx.unsqueeze(-1).expand(-1, -1, h.shape[2])) * valid.unsqueeze(-1)
    sums = gathered.reshape(-1, w, stride, h.shape[2]).sum(2)
    sums = torch.cat([sums[:, :1] + buf_sum.unsqueeze(1), sums[:, 1:]], dim=1)  # window 0 adds the buffer
    tail = (pos >= n - c).to(h.dtype)                              # the last c items open the next window
    new_sum = (h * tail.unsqueeze(-1)).sum(1)
    pooled_dt, new_dt = None, buf_dt
    if dt is not None:
        dsum = (dt.gather(1, idx) * valid).reshape(-1, w, stride).sum(2)
        pooled_dt = torch.cat([dsum[:, :1] + buf_dt, dsum[:, 1:]], dim=1)
        new_dt = (dt * tail).sum(1, keepdim=True)
    done = torch.div(pos + 1 + c, stride, rounding_mode="floor")  # [B, N]
    return sums / stride, pooled_dt, new_sum, buf_count, new_dt, done


def pool_step(h, dt, arrived, buf_sum, buf_count, buf_dt, stride: int):
    """One item (h [B, H], dt [B]) that exists where arrived [B, 1] is 1 (arrived None: everywhere, the
    first stage). Returns the window mean, its dt, emitted [B, 1] (1 where a window completed now), the
    same as a bool mask, and the new buffers."""
    if arrived is None:   # no multiply by ones: the step graph stays free of shape-derived constants
        buf_sum, buf_count = buf_sum + h, buf_count + 1.0
        buf_dt = None if dt is None else buf_dt + dt.unsqueeze(-1)
    else:
        buf_sum, buf_count = buf_sum + arrived * h, buf_count + arrived
        buf_dt = None if dt is None else buf_dt + arrived * dt.unsqueeze(-1)
    done = buf_count > stride - 0.5
    pooled, pooled_dt = buf_sum / stride, None if dt is None else buf_dt.squeeze(-1)

    def reset(t):   # a completed window empties the buffers (where: exact, and one node per buffer)
        return None if t is None else torch.where(done, 0.0, t)
    return (pooled, pooled_dt, done.to(h.dtype), done, reset(buf_sum), reset(buf_count), reset(buf_dt))


# ---- the classification head's causal running mean (sequence form; the step form is in S7Model.step) ----

def running_mean(f, mean0, count0):
    """Causal running mean of f [B, L, H] continuing (mean0 [B, H] over count0 [B, 1] items):
    m_k = (1 - 1/n_k) m_{k-1} + f_k / n_k with n_k = count0 + k + 1, a linear recurrence -> one scan."""
    n = count0 + torch.arange(1, f.shape[1] + 1, device=f.device, dtype=f.dtype).unsqueeze(0)  # [B, L]
    inv = (1.0 / n).unsqueeze(-1)
    means, last = linear_scan((1.0 - inv).expand_as(f), f * inv, mean0)
    return means, last, n[:, -1:]


class S7Model(nn.Module):
    """encoder -> stages of blocks (pooling between stages) -> final LayerNorm -> head.

    classification: logits of a causal running mean of the final features (so every step has a
    prediction, and the last one is the whole-sequence prediction). regression: logits per step.
    forward/step return logits; the exported graphs apply softmax for classification.
    """

    def __init__(self, cfg: S7Config, mean=None, std=None):
        super().__init__()
        self.cfg = cfg
        H = cfg.d_model
        if cfg.input_kind == "dense":
            self.encoder = nn.Linear(cfg.input_size, H)
        else:
            self.encoder = nn.Embedding(cfg.input_size, H)
        # normalisation of dense inputs is part of the model (and so of the exported graphs)
        self.register_buffer("in_mean", torch.as_tensor(mean if mean is not None else [0.0] * cfg.input_size,
                                                        dtype=torch.float32))
        self.register_buffer("in_std", torch.as_tensor(std if std is not None else [1.0] * cfg.input_size,
                                                       dtype=torch.float32))
        n_stages = len(cfg.pool_strides) + 1
        self.stages = nn.ModuleList(
            nn.ModuleList(Block(cfg) for _ in range(cfg.n_layers)) for _ in range(n_stages))
        self.norm_f = nn.LayerNorm(H)
        self.head = nn.Linear(H, cfg.output_size)

    # ---- state ---------------------------------------------------------------------------------------
    def state_spec(self) -> list[tuple[str, list[int]]]:
        """(name, shape without batch) of every state tensor, in graph input order."""
        cfg, spec, n = self.cfg, [], 0
        for i, stage in enumerate(self.stages):
            for _ in stage:
                spec.append((f"s7_{n}", [cfg.d_state]))
                n += 1
            if i < len(cfg.pool_strides):
                spec += [(f"pool{i}_sum", [cfg.d_model]), (f"pool{i}_count", [1])]
                if cfg.dt:
                    spec.append((f"pool{i}_dt", [1]))
        if cfg.task == "classification":
            spec += [("head_mean", [cfg.d_model]), ("head_count", [1])]
        return spec

    def zero_state(self, batch: int, device=None) -> State:
        device = device or self.head.weight.device
        return {name: torch.zeros(batch, *shape, device=device) for name, shape in self.state_spec()}

    # ---- input ---------------------------------------------------------------------------------------
    def check_input(self, inp: torch.Tensor, dt: torch.Tensor | None, step: bool):
        cfg, where = self.cfg, "step" if step else "forward"
        want = 1 if step else 2
        if cfg.input_kind == "dense":
            if inp.dim() != want + 1 or inp.shape[-1] != cfg.input_size:
                raise ValueError(f"S7Model.{where}: input must be [B{', L' * (not step)}, {cfg.input_size}] "
                                 f"float, got {tuple(inp.shape)}")
        else:
            if inp.dim() != want or inp.dtype not in (torch.int64, torch.int32):
                raise ValueError(f"S7Model.{where}: tokens must be [B{', L' * (not step)}] int64, "
                                 f"got {tuple(inp.shape)} {inp.dtype}")
        if cfg.dt and (dt is None or tuple(dt.shape) != tuple(inp.shape[:want])):
            raise ValueError(f"S7Model.{where}: dt must be {tuple(inp.shape[:want])}, "
                             f"got {None if dt is None else tuple(dt.shape)}")
        if not cfg.dt and dt is not None:
            raise ValueError(f"S7Model.{where}: this model has no dt input (cfg.dt is False)")
        if not step and inp.shape[1] % cfg.stride_product:
            raise ValueError(f"S7Model.forward: length {inp.shape[1]} must be a multiple of the product of "
                             f"the pooling strides {cfg.stride_product}")

    def encode(self, inp: torch.Tensor) -> torch.Tensor:
        if self.cfg.input_kind == "dense":
            return self.encoder((inp - self.in_mean) / self.in_std)
        return self.encoder(inp)

    # ---- sequence form (parallel scan) -----------------------------------------------------------------
    def forward(self, inp, dt=None, state: State | None = None, check: bool = True):
        """inp [B, L, C] float or [B, L] int64; dt [B, L]. Returns (out [B, L, output], new state)."""
        if check:
            self.check_input(inp, dt, step=False)
        cfg = self.cfg
        state = state if state is not None else self.zero_state(inp.shape[0], inp.device)
        new: State = {}
        h, t, done, n = self.encode(inp), dt, None, 0
        for i, stage in enumerate(self.stages):
            for blk in stage:
                h, new[f"s7_{n}"] = blk(h, state[f"s7_{n}"], t)
                n += 1
            if i < len(cfg.pool_strides):
                h, t, new[f"pool{i}_sum"], new[f"pool{i}_count"], pdt, d = pool_sequence(
                    h, t, state[f"pool{i}_sum"], state[f"pool{i}_count"], state.get(f"pool{i}_dt"),
                    cfg.pool_strides[i])
                if cfg.dt:
                    new[f"pool{i}_dt"] = pdt
                # done[b, k]: items of the current stage completed after input step k
                done = d if done is None else torch.where(
                    done > 0, d.gather(1, (done - 1).clamp(min=0)), torch.zeros_like(done))
        f = self.norm_f(h)
        if cfg.task == "regression":
            return self.head(f), new
        means, new["head_mean"], new["head_count"] = running_mean(f, state["head_mean"], state["head_count"])
        if done is None:
            return self.head(means), new
        # pooled: step k shows the prediction after the last completed item (the previous one if none)
        means = torch.cat([state["head_mean"].unsqueeze(1), means], dim=1)
        return self.head(means.gather(1, done.unsqueeze(-1).expand(-1, -1, means.shape[2]))), new

    # ---- step form ----------------------------------------------------------------------------------
    def step(self, inp, dt=None, state: State | None = None, check: bool = True):
        """inp [B, C] float or [B] int64; dt [B]. Returns (out [B, output], new state)."""
        if check:
            self.check_input(inp, dt, step=True)
        cfg = self.cfg
        state = state if state is not None else self.zero_state(inp.shape[0], inp.device)
        new: State = {}
        # arrived [B, 1] (and its bool mask): the current stage got an item at this step; None: every
        # stage before the first pooling stage does, so nothing is masked there
        h, t, arrived, mask, n = self.encode(inp), dt, None, None, 0
        for i, stage in enumerate(self.stages):
            for blk in stage:
                x_old = state[f"s7_{n}"]
                h, x = blk.step(h, x_old, t)
                new[f"s7_{n}"] = x if mask is None else torch.where(mask, x, x_old)
                n += 1
            if i < len(cfg.pool_strides):
                h, t, arrived, mask, new[f"pool{i}_sum"], new[f"pool{i}_count"], pdt = pool_step(
                    h, t, arrived, state[f"pool{i}_sum"], state[f"pool{i}_count"], state.get(f"pool{i}_dt"),
                    cfg.pool_strides[i])
                if cfg.dt:
                    new[f"pool{i}_dt"] = pdt
        f = self.norm_f(h)
        if cfg.task == "regression":
            return self.head(f), new
        mean, count = state["head_mean"], state["head_count"]
        if arrived is None:   # every step is an item: count >= 1 after it
            count = count + 1.0
            mean = mean + (f - mean) / count
        else:
            count = count + arrived
            mean = mean + arrived * (f - mean) / torch.clamp(count, min=1.0)
        new["head_mean"], new["head_count"] = mean, count
        return self.head(mean), new
