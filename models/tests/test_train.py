"""s7.train's loop on token streams with dt and pooling (the gesture model's path): a few steps of a
tiny model on a task it can learn, and refusal of bad token data."""
import json

import numpy as np
import pytest

from s7.data.files import DataError
from s7.export import load_checkpoint
from s7.train import TokenData, TrainConfig, train

VOCAB, CLASSES = 32, 3


def _streams(n: int, seed: int):
    """Class c streams use tokens of the c-th third of the vocabulary; lengths 10..60, dt in [0, 2 tau)."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        c = i % CLASSES
        k = int(rng.integers(10, 61))
        tok = rng.integers(c * VOCAB // CLASSES, (c + 1) * VOCAB // CLASSES, k).astype(np.int64)
        dt = rng.uniform(0, 20, k).astype(np.float32)
        dt[0] = 0.0
        out.append((tok, dt, c))
    return out


def test_token_training_lowers_the_loss(tmp_path):
    meta = {"labels": ["a", "b", "c"], "timeUnit": "us", "data": "test streams"}
    data = TokenData(_streams(60, 1), _streams(24, 2), VOCAB, meta)
    tc = TrainConfig(out=str(tmp_path / "run"), d_model=8, d_state=8, n_layers=1, pool_strides=[2, 2], tau=10.0,
                     dropout=0.0, loss_warm=8, steps=30, batch=8, lr=1e-2, warmup=3, eval_every=5, progress=False)
    model, summary = train(tc, data)
    lines = [json.loads(l) for l in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    assert [l["step"] for l in lines] == [5, 10, 15, 20, 25, 30]
    assert lines[-1]["val_loss"] < 0.7 * lines[0]["val_loss"], [l["val_loss"] for l in lines]
    assert max(l["val_accuracy"] for l in lines) > 1 / CLASSES + 0.2
    # the checkpoint is a token model with dt and pooling, and carries the data's meta
    ck, meta_back = load_checkpoint(tmp_path / "run" / "best.pt")
    assert ck.cfg.input_kind == "tokens" and ck.cfg.dt and ck.cfg.pool_strides == [2, 2] and ck.cfg.tau == 10.0
    assert meta_back["labels"] == meta["labels"] and meta_back["train"]["pool_strides"] == [2, 2]


def test_token_data_refuses_bad_streams():
    good = _streams(3, 0)
    meta = {"labels": ["a", "b", "c"]}
    bad_token = [(np.array([0, VOCAB], np.int64), np.zeros(2, np.float32), 0)]
    with pytest.raises(DataError, match=r"training data: stream 0 needs tokens in 0..31"):
        TokenData(bad_token, good, VOCAB, meta)
    with pytest.raises(DataError, match=r"validation data: class 5 of stream 1 is outside 0..2"):
        TokenData(good, [good[0], (good[1][0], good[1][1], 5)], VOCAB, meta)
    with pytest.raises(DataError, match="token streams train classifiers only"):
        train(TrainConfig(task="regression", progress=False), TokenData(good, good, VOCAB, meta))
