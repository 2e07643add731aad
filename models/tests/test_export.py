"""Export parity (ONNX Runtime vs PyTorch, step and chunk graphs, batch 1 and 8) and package integrity."""
import hashlib
import json
import os

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch

from helpers import dense_model, inputs, token_model
from s7.export import ATOL, RTOL, ExportError, export_package, io_names, verify

LABELS5 = ["a", "b", "c", "d", "e"]


def _export(model, path, **kw):
    kw = {"model_id": "t", "chunk_length": 16, **kw}
    if model.cfg.task == "classification" and "labels" not in kw:
        kw["labels"] = [f"c{i}" for i in range(model.cfg.output_size)]
    if model.cfg.task == "regression" and "output_names" not in kw:
        kw["output_names"] = [f"f{i}" for i in range(model.cfg.output_size)]
    return export_package(model, path, **kw)


MODELS = {
    "dense-classifier": lambda: dense_model(),
    "dense-dt-regression": lambda: dense_model(dt=True, task="regression"),
    "tokens-dt-pooled": lambda: token_model(),
}


@pytest.fixture(scope="module", params=list(MODELS))
def package(request, tmp_path_factory):
    torch.manual_seed(1)
    model = MODELS[request.param]()
    path = _export(model, tmp_path_factory.mktemp("pkg") / request.param)
    return model, path


@pytest.mark.parametrize("batch", [1, 8])
def test_onnx_matches_pytorch(package, batch):
    model, path = package
    inp, dt = inputs(model, batch, 48, seed=batch)      # 3 chunks of 16 and 48 steps
    verify(model, path / "step.onnx", path / "chunk.onnx", 16, inp, dt, f" (batch {batch})")


def test_package_layout_and_hashes(package):
    model, path = package
    assert sorted(os.listdir(path)) == ["chunk.onnx", "golden.json", "manifest.json", "step.onnx"]
    m = json.loads((path / "manifest.json").read_text())
    assert m["format"] == "s7rt-model" and m["formatVersion"] == 1
    for entry in (m["graphs"]["step"], m["graphs"]["chunk"], m["golden"]):
        assert hashlib.sha256((path / entry["file"]).read_bytes()).hexdigest() == entry["sha256"]
    assert m["graphs"]["chunk"]["length"] == 16
    assert m["graphs"]["chunk"]["length"] % int(np.prod(m["pooling"]["strides"] or [1])) == 0
    assert [s["name"] for s in m["state"]] == [n for n, _ in model.state_spec()]
    ins, outs = io_names(model)
    for graph, length in (("step", None), ("chunk", 16)):
        g = onnx.load(path / m["graphs"][graph]["file"])
        onnx.checker.check_model(g)
        assert [i.name for i in g.graph.input] == ins
        assert [o.name for o in g.graph.output] == outs
        assert max(o.version for o in g.opset_import if o.domain in ("", "ai.onnx")) >= 17
        assert {n.domain for n in g.graph.node} <= {""}, "custom ops"
        for i in g.graph.input:
            dims = i.type.tensor_type.shape.dim
            assert dims[0].dim_param, f"{graph}: {i.name} batch dimension is not dynamic"
            if length and i.name in ("input", "tokens", "dt"):
                assert dims[1].dim_value == length
        kind = {i.name: i.type.tensor_type.elem_type for i in g.graph.input}
        assert kind[ins[0]] == (onnx.TensorProto.INT64 if model.cfg.input_kind == "tokens" else onnx.TensorProto.FLOAT)


def test_step_graph_has_static_shapes(package):
    """The runtime runs step.onnx once per sample: no node may compute a shape at run time (each costs
    a few µs per run; docs/benchmarks.md, Python step graph)."""
    _, path = package
    ops = {n.op_type for n in onnx.load(path / "step.onnx").graph.node}
    assert not ops & {"Shape", "ConstantOfShape", "Size"}, sorted(ops)


def test_golden_vectors_replay_in_onnxruntime(package):
    """What the TypeScript runtime does at load time: golden inputs in step and chunk mode."""
    model, path = package
    m = json.loads((path / "manifest.json").read_text())
    gold = json.loads((path / "golden.json").read_text())
    key = "input" if m["input"]["kind"] == "dense" else "tokens"
    x = np.array(gold[key]["data"], np.float32 if key == "input" else np.int64).reshape(gold[key]["shape"])
    dt = np.array(gold["dt"]["data"], np.float32).reshape(gold["dt"]["shape"]) if m["input"]["dt"] else None
    want = np.array(gold["output"]["data"], np.float32).reshape(gold["output"]["shape"])
    B, T, L = gold["batch"], gold["steps"], m["graphs"]["chunk"]["length"]
    for graph in ("step", "chunk"):
        sess = ort.InferenceSession(str(path / m["graphs"][graph]["file"]))
        state = {s["name"]: np.zeros([B] + s["shape"], np.float32) for s in m["state"]}
        n = 1 if graph == "step" else L
        outs = []
        for s in range(0, T, n):
            feeds = {key: x[:, s] if n == 1 else x[:, s:s + n]}
            if dt is not None:
                feeds["dt"] = dt[:, s] if n == 1 else dt[:, s:s + n]
            feeds.update({f"past_{k}": v for k, v in state.items()})
            res = sess.run(None, feeds)
            outs.append(res[0][:, None] if n == 1 else res[0])
            state = dict(zip(state, res[1:]))
        got = np.concatenate(outs, 1)
        assert np.all(np.abs(got - want) <= ATOL + RTOL * np.abs(want)), graph
        for k, v in state.items():
            w = np.array(gold["state"][k]["data"], np.float32).reshape(gold["state"][k]["shape"])
            assert np.all(np.abs(v - w) <= ATOL + RTOL * np.abs(w)), (graph, k)
        if m["task"] == "classification":
            np.testing.assert_allclose(got.sum(-1), 1.0, atol=1e-5)


def _leftovers(parent, name):
    return [p for p in os.listdir(parent) if p.startswith(f".{name}.")]


def test_failed_export_writes_nothing_and_keeps_old_package(tmp_path):
    good = _export(dense_model(), tmp_path / "pkg")
    before = {p: (good / p).read_bytes() for p in os.listdir(good)}
    bad = dense_model()
    with torch.no_grad():
        bad.head.weight[0, 0] = float("nan")
    with pytest.raises(ExportError, match="head.weight contains NaN"):
        _export(bad, tmp_path / "pkg")
    with pytest.raises(ExportError, match="chunk length 12 must be a positive multiple .* = 8"):
        _export(token_model(), tmp_path / "tok", chunk_length=12)
    with pytest.raises(ExportError, match="distinct labels"):
        _export(dense_model(), tmp_path / "pkg", labels=["x"] * 6)
    with pytest.raises(ExportError, match=r"golden input must be \[B, 32, 6\]"):
        _export(dense_model(), tmp_path / "pkg", golden_input=torch.zeros(2, 10, 6))
    assert {p: (good / p).read_bytes() for p in os.listdir(good)} == before
    assert not (tmp_path / "tok").exists()
    assert _leftovers(tmp_path, "pkg") == [] and _leftovers(tmp_path, "tok") == []


def test_export_disagreement_is_refused(tmp_path, monkeypatch):
    """If the ONNX graph computed something else, verification must catch it before writing."""
    import s7.export as ex
    model = dense_model()
    real = ex.reference

    def skewed(m, inp, dt):
        out, st = real(m, inp, dt)
        return out + 1e-3, st
    monkeypatch.setattr(ex, "reference", skewed)
    with pytest.raises(ExportError, match="disagrees with PyTorch"):
        _export(model, tmp_path / "pkg")
    assert not (tmp_path / "pkg").exists() and _leftovers(tmp_path, "pkg") == []
