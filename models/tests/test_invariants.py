"""The issue's invariants: scan ≡ step, chunking invariance, stability."""
import pytest
import torch

from helpers import dense_model, inputs, run_steps, token_model
from s7.model import S7, S7Config, stable_decay


def assert_states_close(got, want, rtol=1e-4, atol=1e-5):
    assert got.keys() == want.keys()
    for k in want:
        torch.testing.assert_close(got[k], want[k], rtol=rtol, atol=atol, msg=lambda m: f"state {k}: {m}")


@pytest.mark.parametrize("make,length", [
    (lambda: dense_model(dt=True, tau=2.0), 4096),         # sensor model with irregular time
    (lambda: token_model(), 4096),                         # event model: tokens, dt, pooling 2 x 4
    (lambda: dense_model(task="regression"), 512),         # per-step head, regular time (same layers)
], ids=["dense-dt", "tokens-dt-pooled", "dense-regression"])
def test_scan_equals_step_long(make, length):
    model = make()
    inp, dt = inputs(model, batch=2, length=length)
    with torch.no_grad():
        out_scan, st_scan = model(inp, dt)
        out_step, st_step = run_steps(model, inp, dt)
    torch.testing.assert_close(out_scan, out_step, rtol=1e-4, atol=1e-5)
    assert_states_close(st_scan, st_step)
    assert torch.isfinite(out_scan).all()


def test_dt_zero_leaves_state_undecayed():
    lam = torch.linspace(-50, 50, 101)
    assert torch.equal(stable_decay(lam, torch.zeros(())), torch.ones(101))
    # and dt = 0 steps add B u without decaying: x_k - x_{k-1} = B_k u_k exactly
    layer = S7(S7Config(d_model=8, d_state=8, dt=True)).eval()
    u, x0 = torch.randn(3, 1, 8), torch.randn(3, 8)
    _, x1 = layer(u, x0, torch.zeros(3, 1))
    _, b, _, _ = layer.project(u[:, 0])
    torch.testing.assert_close(x1 - x0, (b @ u[:, 0].unsqueeze(-1)).squeeze(-1))


@pytest.mark.parametrize("make,splits", [
    (lambda: dense_model(), [1, 63, 64, 5, 200, 11, 168]),
    (lambda: dense_model(dt=True), [300, 1, 1, 210]),
    (lambda: dense_model(task="regression"), [7, 500, 5]),
])
def test_chunking_invariance(make, splits):
    model = make()
    inp, dt = inputs(model, batch=3, length=sum(splits), seed=1)
    with torch.no_grad():
        whole, st_whole = model(inp, dt)
        state, outs, pos = None, [], 0
        for n in splits:
            o, state = model(inp[:, pos:pos + n], None if dt is None else dt[:, pos:pos + n], state)
            outs.append(o)
            pos += n
    torch.testing.assert_close(torch.cat(outs, 1), whole, rtol=1e-4, atol=1e-5)
    assert_states_close(state, st_whole)


def test_chunking_invariance_pooled_with_open_windows():
    """A pooled model fed a few single steps (leaving a window half full), then chunks, then steps."""
    model = token_model()
    plan = [("step", 3), ("chunk", 64), ("step", 13), ("chunk", 128), ("chunk", 8), ("step", 5)]
    total = sum(n for _, n in plan)
    inp, dt = inputs(model, batch=4, length=total, seed=2)
    with torch.no_grad():
        want, st_want = run_steps(model, inp, dt)
        state, outs, pos = model.zero_state(4), [], 0
        for mode, n in plan:
            x, t = inp[:, pos:pos + n], dt[:, pos:pos + n]
            o, state = model(x, t, state) if mode == "chunk" else run_steps(model, x, t, state)
            outs.append(o)
            pos += n
    torch.testing.assert_close(torch.cat(outs, 1), want, rtol=1e-4, atol=1e-5)
    assert_states_close(state, st_want)


def test_pooled_length_must_be_multiple_of_strides():
    model = token_model()
    inp, dt = inputs(model, 1, 12)
    with pytest.raises(ValueError, match="multiple of the product of the pooling strides 8"):
        model(inp, dt)


def test_decay_in_unit_interval_for_extreme_inputs():
    lam = torch.tensor([-1e4, -1e2, -1.0, -1e-3, 0.0, 1e-3, 1.0, 1e2, 1e4, 3e19])
    free = stable_decay(lam, None)
    assert ((free >= -1) & (free <= 1)).all()
    for dt in (0.0, 1e-6, 1.0, 1e4, 1e30, -5.0):
        timed = stable_decay(lam, torch.full((), dt), tau=0.5)
        assert ((timed >= 0) & (timed <= 1)).all(), dt
    # through the layer: inputs of ±1e4 and 0 drive Λ_k far from its base, Λ̄_k stays in [-1, 1]
    layer = S7(S7Config(d_model=8, d_state=8))
    u = torch.cat([torch.full((1, 4, 8), 1e4), torch.full((1, 4, 8), -1e4), torch.zeros(1, 4, 8)], 1)
    lam_k, *_ = layer.project(u)
    abar = stable_decay(lam_k, None)
    assert torch.isfinite(abar).all() and ((abar >= -1) & (abar <= 1)).all()


@pytest.mark.parametrize("make", [lambda: dense_model(dt=True), lambda: token_model()], ids=["dense", "tokens"])
def test_no_nan_and_bounded_gradients_at_16384(make):
    model = make().train()
    inp, dt = inputs(model, batch=2, length=16384, seed=3)
    if model.cfg.input_kind == "dense":
        inp = (inp * 100).requires_grad_()        # far outside the training range
        out, _ = model(inp, dt)
    else:
        emb = model.encoder
        hook = {}
        emb.register_forward_hook(lambda m, i, o: hook.setdefault("h", o.retain_grad() or o))
        out, _ = model(inp, dt)
    assert torch.isfinite(out).all()
    out[:, -1].sum().backward()
    for name, p in model.named_parameters():
        assert p.grad is None or torch.isfinite(p.grad).all(), name
    g = inp.grad if model.cfg.input_kind == "dense" else hook["h"].grad
    assert torch.isfinite(g).all()
    early, late = g[:, :256].norm(), g[:, -256:].norm()
    assert early <= 100 * late, (early, late)     # no explosion backwards through 16k steps


def test_state_jacobian_bounded_by_one():
    """∂x_L/∂x_0 = Π Λ̄_k: every entry in [-1, 1] over 16384 steps, even for huge inputs."""
    layer = S7(S7Config(d_model=8, d_state=8))
    u = torch.randn(1, 16384, 8) * 1e3
    x0 = torch.zeros(1, 8, requires_grad=True)
    _, x_last = layer(u, x0)
    jac = torch.stack([torch.autograd.grad(x_last[0, p], x0, retain_graph=True)[0][0] for p in range(8)])
    assert torch.isfinite(jac).all() and jac.abs().max() <= 1.0
