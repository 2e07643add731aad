"""Associative parallel scan for the diagonal linear recurrence x_k = a_k * x_{k-1} + b_k.

The operator (a_i, b_i) o (a_j, b_j) = (a_j a_i, a_j b_i + b_j) is associative, so all prefixes can
be combined in ceil(log2 L) rounds (Hillis-Steele). Each round is a shift (Pad + Slice), a multiply
and an add on the whole tensor: pure tensor ops with static shapes, so it runs on CPU and CUDA and
exports to ONNX for any fixed L without loops.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def _shift(t: torch.Tensor, offset: int, fill: float) -> torch.Tensor:
    """t shifted right by `offset` along dim 1 (time), the first `offset` entries set to `fill`."""
    pad = [0, 0] * (t.dim() - 2) + [offset, 0]  # F.pad lists dims last-first
    return F.pad(t[:, : t.shape[1] - offset], pad, value=fill)


def linear_scan(a: torch.Tensor, b: torch.Tensor, x0: torch.Tensor | None = None):
    """All states of x_k = a_k * x_{k-1} + b_k, k = 0..L-1, with x_{-1} = x0 (zeros if None).

    a, b: [B, L, ...] (time is dim 1); x0: [B, ...]. Returns (x [B, L, ...], x[:, -1]).
    """
    if a.shape != b.shape:
        raise ValueError(f"linear_scan: a {tuple(a.shape)} and b {tuple(b.shape)} must have the same shape")
    length = a.shape[1]
    offset = 1
    while offset < length:
        # combine every prefix ending at k with the one ending at k - offset (identity (1, 0) before t=0)
        b = a * _shift(b, offset, 0.0) + b
        a = a * _shift(a, offset, 1.0)
        offset *= 2
    # a is now the product a_k ... a_0, the factor that carries the initial state to step k
    x = b if x0 is None else b + a * x0.unsqueeze(1)
    return x, x[:, -1]


def linear_loop(a: torch.Tensor, b: torch.Tensor, x0: torch.Tensor | None = None):
    """Reference: the same recurrence as a Python loop of steps (used by tests and benchmarks)."""
    x = torch.zeros_like(b[:, 0]) if x0 is None else x0
    out = []
    for k in range(a.shape[1]):
        x = a[:, k] * x + b[:, k]
        out.append(x)
    return torch.stack(out, dim=1), x
