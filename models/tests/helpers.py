"""Small random models and inputs shared by the invariant and export tests."""
import torch

from s7.model import S7Config, S7Model


def dense_model(**kw):
    return S7Model(S7Config(**{"d_model": 16, "d_state": 16, "n_layers": 2, **kw}),
                   mean=[0.1 * i for i in range(kw.get("input_size", 6))],
                   std=[1.0 + 0.5 * i for i in range(kw.get("input_size", 6))]).eval()


def token_model(**kw):
    """The gesture model's shape: tokens, dt, two pooling stages."""
    cfg = {"input_kind": "tokens", "input_size": 64, "d_model": 16, "d_state": 16, "n_layers": 1,
           "pool_strides": [2, 4], "dt": True, "tau": 10.0, "output_size": 5, **kw}
    return S7Model(S7Config(**cfg)).eval()


def inputs(model, batch, length, seed=0, zero_dt=0.3):
    """Random inputs; dt mixes exact zeros (simultaneous events) and values up to 3 tau."""
    g = torch.Generator().manual_seed(seed)
    cfg = model.cfg
    if cfg.input_kind == "dense":
        inp = model.in_mean + model.in_std * torch.randn(batch, length, cfg.input_size, generator=g)
    else:
        inp = torch.randint(0, cfg.input_size, (batch, length), generator=g)
    dt = None
    if cfg.dt:
        dt = torch.rand(batch, length, generator=g) * 3 * cfg.tau
        dt = dt * (torch.rand(batch, length, generator=g) > zero_dt)
    return inp, dt


def run_steps(model, inp, dt, state=None):
    state = state or model.zero_state(inp.shape[0])
    outs = []
    for k in range(inp.shape[1]):
        o, state = model.step(inp[:, k], None if dt is None else dt[:, k], state)
        outs.append(o)
    return torch.stack(outs, 1), state
