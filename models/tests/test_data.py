"""The synthetic IMU generator, the device recordings it writes, the user-data loader and train's bad input."""
import json

import numpy as np
import pytest
import torch

from conftest import REPO
from s7.data import sensors
from s7.data.files import DataError, load_sequences
from s7.export import ExportError, export_checkpoint, main as export_main
from s7.train import DenseData, TrainConfig, train


def test_generator_is_deterministic_and_physical():
    x1, y1 = sensors.make_dataset(3, 100, seed=5)
    x2, y2 = sensors.make_dataset(3, 100, seed=5)
    assert np.array_equal(x1, x2) and np.array_equal(y1, y2)
    assert x1.shape == (18, 100, 6) and x1.dtype == np.float32 and sorted(np.bincount(y1)) == [3] * 6
    assert np.isfinite(x1).all()
    still = x1[y1 == sensors.LABELS.index("still")]
    # a still sensor measures 1 g of gravity whatever its orientation, and hardly rotates
    np.testing.assert_allclose(np.linalg.norm(still[..., :3], axis=-1).mean(), 1.0, atol=0.05)
    assert np.abs(still[..., 3:]).mean() < 10
    run = x1[y1 == sensors.LABELS.index("run")]
    assert np.abs(run[..., 3:]).mean() > 3 * np.abs(still[..., 3:]).mean()
    assert not np.array_equal(sensors.make_dataset(3, 100, seed=6)[0], x1)
    with pytest.raises(ValueError, match="unknown activity label 'swim'"):
        sensors.simulate("swim", 10, sensors.Subject.sample(np.random.default_rng(0)), np.random.default_rng(0))


def test_device_recordings_come_from_this_generator():
    """devices/sensors/recordings.json is exactly what the generator writes for its recorded seed."""
    path = REPO / "devices" / "sensors" / "recordings.json"
    assert path.stat().st_size < 2_000_000
    data = json.loads(path.read_text())
    fresh = sensors.recordings(seed=data["seed"])
    assert data["sampleRateHz"] == 50 and data["channels"] == sensors.CHANNELS and data["labels"] == sensors.LABELS
    assert len(data["recordings"]) == len(fresh["recordings"]) == 24
    for got, want in zip(data["recordings"], fresh["recordings"]):
        assert got["label"] == want["label"]
        assert len(got["values"]) == 1000 * 6
        np.testing.assert_allclose(got["values"], want["values"], atol=1e-4)


def _csv(path, rows, header="sequence,label,a,b"):
    path.write_text(header + "\n" + "\n".join(rows) + "\n")
    return path


def test_loader_reads_npz_and_csv(tmp_path):
    x = np.random.default_rng(0).normal(size=(4, 5, 2)).astype(np.float32)
    np.savez(tmp_path / "d.npz", x=x, y=np.array(["up", "down", "up", "up"]), channels=np.array(["a", "b"]))
    gx, gy, labels, ch = load_sequences(tmp_path / "d.npz")
    assert np.array_equal(gx, x) and labels == ["down", "up"] and gy.tolist() == [1, 0, 1, 1] and ch == ["a", "b"]
    p = _csv(tmp_path / "d.csv", ["s1,up,1,2", "s1,up,3,4", "s2,down,5,6", "s2,down,7,8"])
    cx, cy, labels, ch = load_sequences(p)
    assert cx.shape == (2, 2, 2) and cx[1, 1].tolist() == [7, 8] and labels == ["down", "up"] and cy.tolist() == [1, 0]


@pytest.mark.parametrize("rows,match", [
    (["s1,up,1,nan"], "NaN/inf values, first at sequence 0, step 0, channel 1"),
    (["s1,up,1,2", "s2,up,1,2", "s2,up,3,4"], "same length"),
    (["s1,up,1"], ":2: 3 fields, expected 4"),
    (["s1,up,1,x"], ":2: could not convert"),
    (["s1,up,1,2", "s1,down,1,2"], ":3: label 'down' changes inside sequence 's1'"),
])
def test_loader_bad_csv(tmp_path, rows, match):
    with pytest.raises(DataError, match=match):
        load_sequences(_csv(tmp_path / "bad.csv", rows))


def test_loader_bad_files(tmp_path):
    with pytest.raises(DataError, match="data file not found"):
        load_sequences(tmp_path / "missing.npz")
    np.savez(tmp_path / "noy.npz", x=np.zeros((2, 3, 1)))
    with pytest.raises(DataError, match="needs arrays 'x' and 'y'"):
        load_sequences(tmp_path / "noy.npz")
    np.savez(tmp_path / "shape.npz", x=np.zeros((2, 3)), y=np.zeros(2, int))
    with pytest.raises(DataError, match=r"x must be \[N, L, C\]"):
        load_sequences(tmp_path / "shape.npz")
    np.savez(tmp_path / "lab.npz", x=np.zeros((2, 3, 1)), y=np.array(["a", "zzz"]))
    with pytest.raises(DataError, match="unknown label 'zzz'"):
        load_sequences(tmp_path / "lab.npz", labels=["a", "b"])
    with pytest.raises(DataError, match="unsupported data file type"):
        load_sequences(_csv(tmp_path / "d.txt", []))


def test_train_tiny_run_writes_checkpoints_and_log_then_exports(tmp_path):
    x, y = sensors.make_dataset(4, 32, seed=1)
    xv, yv = sensors.make_dataset(2, 32, seed=sensors.HELD_OUT_SEED)
    meta = {"labels": sensors.LABELS, "channels": sensors.CHANNELS, "sampleRateHz": 50, "data": "test"}
    tc = TrainConfig(out=str(tmp_path / "run"), d_model=8, d_state=8, n_layers=1, steps=6, batch=4,
                     eval_every=3, warmup=2, progress=False)
    model, summary = train(tc, DenseData(x, y, xv, yv, meta))
    lines = [json.loads(l) for l in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    assert [l["step"] for l in lines] == [3, 6] and all(0 <= l["val_accuracy"] <= 1 for l in lines)
    assert (tmp_path / "run" / "best.pt").is_file() and (tmp_path / "run" / "last.pt").is_file()
    assert summary["best"]["val_accuracy"] == max(l["val_accuracy"] for l in lines)
    # normalisation statistics live in the model
    np.testing.assert_allclose(model.in_mean.numpy(), x.reshape(-1, 6).mean(0), rtol=1e-4, atol=1e-5)
    pkg = export_checkpoint(tmp_path / "run" / "best.pt", tmp_path / "pkg", chunk_length=8)
    m = json.loads((pkg / "manifest.json").read_text())
    assert m["output"]["labels"] == sensors.LABELS and m["input"]["names"] == sensors.CHANNELS
    assert m["id"] == "pkg" and m["input"]["sampleRateHz"] == 50


def test_train_rejects_bad_data(tmp_path):
    x, y = sensors.make_dataset(2, 16, seed=1)
    meta = {"labels": sensors.LABELS, "channels": sensors.CHANNELS, "data": "test"}
    tc = TrainConfig(out=str(tmp_path / "run"), d_model=8, d_state=8, n_layers=1, steps=2, batch=2, progress=False)
    xn = x.copy()
    xn[3, 7, 2] = np.nan
    with pytest.raises(DataError, match="training data: 1 NaN/inf values, first at sequence 3, step 7, channel 2"):
        train(tc, DenseData(xn, y, x, y, meta))
    yb = y.copy()
    yb[0] = 9
    with pytest.raises(DataError, match=r"label 9 of sequence 0 is outside 0..5"):
        train(tc, DenseData(x, yb, x, y, meta))
    with pytest.raises(DataError, match=r"y must be \[N\]"):
        train(tc, DenseData(x, y[:3], x, y, meta))
    with pytest.raises(DataError, match="validation sequences"):
        train(tc, DenseData(x, y, x[:, :8], y, meta))


def test_export_cli_errors(tmp_path, capsys):
    with pytest.raises(SystemExit, match="export failed: checkpoint not found"):
        export_main(["--checkpoint", str(tmp_path / "nope.pt"), "--out", str(tmp_path / "p")])
    torch.save({"weights": 1}, tmp_path / "x.pt")
    with pytest.raises(ExportError, match="is not an s7 checkpoint"):
        export_checkpoint(tmp_path / "x.pt", tmp_path / "p")
    assert not (tmp_path / "p").exists()
