"""The committed zoo package reaches the accuracy its manifest claims, on freshly generated held-out
subjects, run through ONNX Runtime the way the TypeScript runtime runs it (chunk graph, then steps)."""
import hashlib
import json
import math

import numpy as np
import onnxruntime as ort

from conftest import MODELS
from s7.data import sensors

PKG = MODELS / "zoo" / "sensor-activity"


def _run(manifest, x: np.ndarray) -> np.ndarray:
    """Final probabilities for x [B, T, C]: floor(T/L) chunk calls, then T mod L step calls."""
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    chunk = ort.InferenceSession(str(PKG / "chunk.onnx"), opts)
    step = ort.InferenceSession(str(PKG / "step.onnx"), opts)
    L = manifest["graphs"]["chunk"]["length"]
    state = {s["name"]: np.zeros([len(x)] + s["shape"], np.float32) for s in manifest["state"]}
    out = None
    for s in range(0, x.shape[1] // L * L, L):
        res = chunk.run(None, {"input": x[:, s:s + L], **{f"past_{k}": v for k, v in state.items()}})
        out, state = res[0][:, -1], dict(zip(state, res[1:]))
    for k in range(x.shape[1] // L * L, x.shape[1]):
        res = step.run(None, {"input": x[:, k], **{f"past_{k2}": v for k2, v in state.items()}})
        out, state = res[0], dict(zip(state, res[1:]))
    return out


def test_zoo_package_is_complete_and_trained():
    m = json.loads((PKG / "manifest.json").read_text())
    for entry in (m["graphs"]["step"], m["graphs"]["chunk"], m["golden"]):
        assert hashlib.sha256((PKG / entry["file"]).read_bytes()).hexdigest() == entry["sha256"]
    assert m["output"]["labels"] == sensors.LABELS and m["input"]["names"] == sensors.CHANNELS
    assert m["input"]["sampleRateHz"] == sensors.SAMPLE_RATE_HZ
    assert m["metrics"]["heldOutAccuracy"] >= 0.9, "the zoo model must be trained (python -m s7.zoo sensor-activity)"
    assert sum(p.stat().st_size for p in PKG.iterdir()) < 2_000_000


def test_zoo_model_reaches_claimed_accuracy_on_fresh_held_out_data():
    m = json.loads((PKG / "manifest.json").read_text())
    claim, n_claim = m["metrics"]["heldOutAccuracy"], m["metrics"]["heldOutSamples"]
    length = m["metrics"]["heldOutSequenceLength"] + 5          # + 5: the tail goes through the step graph
    x, y = sensors.make_dataset(100, length, seed=m["metrics"]["heldOutSeed"] + 1)   # new subjects
    pred = np.concatenate([_run(m, x[i:i + 200]).argmax(-1) for i in range(0, len(x), 200)])
    acc = float((pred == y).mean())
    # both numbers are estimates from finite samples: allow 3 standard errors of their difference
    slack = 3 * math.sqrt(claim * (1 - claim) * (1 / n_claim + 1 / len(y))) + 0.005
    assert acc >= claim - slack, f"held-out accuracy {acc:.4f} < claimed {claim:.4f} - {slack:.4f}"
