"""The zoo gesture classifier (models/zoo/dvs-gesture-sim) and the gesture data path: the AEDAT 3.1
reader and tokenizer against hand-made packets, and the package's accuracy on FRESH simulated
recordings (seeds never used for training, validation or the manifest's held-out set) against the
accuracy its manifest states."""

from __future__ import annotations

import json
import math
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest

from s7.data.gestures import (REPO, TEST_SEED, TRAIN_SEED, VAL_SEED, Events, GestureDataError, TokenSpec,
                              accuracy_on, read_aedat31, read_labels, simulate_dataset, tokenize)

PACKAGE = REPO / "models" / "zoo" / "dvs-gesture-sim"
FRESH_SEED = 31_000_000   # far from TRAIN_SEED, VAL_SEED and TEST_SEED (sessions use seed .. seed + n)
FRESH_SESSIONS = 6        # 84 gestures, 12 per class


def _aedat(path: Path, packets: list[tuple[int, int, list[tuple[int, int, int, bool, int]]]]):
    """AEDAT 3.1 file from [(type, overflow, [(x, y, p, valid, ts)])]."""
    out = b"#!AEDAT-3.1\r\n#Sensor-Size 1: 128x128\r\n#!END-HEADER\r\n"
    for etype, overflow, events in packets:
        out += struct.pack("<hhiiiiii", etype, 1, 8, 4, overflow, len(events), len(events), len(events))
        for x, y, p, valid, ts in events:
            out += struct.pack("<Ii", (x << 17) | (y << 2) | (p << 1) | int(valid), ts)
    path.write_bytes(out)


def test_reader_decodes_polarity_packets_with_overflow_and_skips_others(tmp_path):
    f = tmp_path / "a.aedat"
    _aedat(f, [(1, 0, [(3, 4, 1, True, 10), (127, 0, 0, True, 20), (5, 5, 1, False, 25)]),
               (2, 0, [(0, 0, 0, True, 30)]),                      # another event type: skipped, counted
               (1, 1, [(9, 8, 0, True, 5)])])                       # TS overflow: 2^31 + 5
    ev, header = read_aedat31(f)
    assert ev.x.tolist() == [3, 127, 9] and ev.y.tolist() == [4, 0, 8] and ev.p.tolist() == [1, 0, 0]
    assert ev.t.tolist() == [10, 20, (1 << 31) + 5]
    assert header["width"] == 128 and header["skipped"] == {"invalid": 1, "type2": 1}


def test_reader_names_the_byte_offset_of_a_truncated_packet(tmp_path):
    f = tmp_path / "t.aedat"
    _aedat(f, [(1, 0, [(1, 1, 1, True, 1)] * 4)])
    data = f.read_bytes()
    f.write_bytes(data[:-5])
    header_len = data.index(b"#!END-HEADER") + len(b"#!END-HEADER\r\n")
    with pytest.raises(GestureDataError, match=f"truncated packet at byte {header_len}"):
        read_aedat31(f)


def test_labels_reader_checks_the_dvs128_header(tmp_path):
    good = tmp_path / "l.csv"
    good.write_text("class,startTime_usec,endTime_usec\n3,100,200\n1,300,450\n")
    assert read_labels(good) == [(3, 100, 200), (1, 300, 450)]
    bad = tmp_path / "b.csv"
    bad.write_text("class,startTime_usec,endTime_usec\n3,100,oops\n")
    with pytest.raises(GestureDataError, match="line 2"):
        read_labels(bad)


def test_real_dvs128_label_file_reads():
    f = REPO.parent / "shared" / "fixtures" / "events" / "dvsgesture-user01_natural_labels.csv"
    rows = read_labels(f)
    assert rows and all(1 <= c <= 11 and e > s for c, s, e in rows)


def test_token_formula_and_decimation():
    spec = TokenSpec(width=128, height=128, downsample=4, decimate=2)
    ev = Events(x=np.array([0, 1, 127, 2, 64], np.uint16), y=np.array([0, 0, 127, 0, 33], np.uint16),
                t=np.array([5, 6, 9, 10, 20], np.int64), p=np.array([1, 0, 0, 0, 1], np.uint8))
    tok, dt = tokenize(ev, spec)
    assert spec.vocab == 2048
    assert tok.tolist() == [1024, 31 * 32 + 31, 1024 + 8 * 32 + 16]
    assert dt.tolist() == [0.0, 4.0, 11.0]


def test_zoo_package_states_its_tokenisation_and_held_out_accuracy():
    man = json.loads((PACKAGE / "manifest.json").read_text())
    assert man["input"]["kind"] == "tokens" and man["input"]["dt"] is True and man["input"]["timeUnit"] == "us"
    spec = TokenSpec.from_manifest(man["input"]["events"])
    assert spec.vocab == man["input"]["size"]
    assert man["output"]["labels"] == ["swipe_left", "swipe_right", "swipe_up", "swipe_down", "circle_cw",
                                       "circle_ccw", "clap"]
    assert man["metrics"]["heldOutSamples"] >= 100
    assert man["graphs"]["chunk"]["length"] % math.prod(man["pooling"]["strides"]) == 0


def test_zoo_accuracy_on_fresh_recordings_matches_manifest(tmp_path):
    """Tolerance: both accuracies are binomial estimates; their difference has standard deviation
    sqrt(p (1 - p) (1/n_manifest + 1/n_fresh)); we allow 3 of them (plus 0.02 for p near 1)."""
    if shutil.which("npx") is None:
        pytest.fail("npx (Node) is needed to run the simulator")   # no silent skip: the test must run
    man = json.loads((PACKAGE / "manifest.json").read_text())
    claimed, n0 = man["metrics"]["heldOutAccuracy"], man["metrics"]["heldOutSamples"]
    assert FRESH_SEED not in range(min(TRAIN_SEED, VAL_SEED, TEST_SEED), max(TRAIN_SEED, VAL_SEED, TEST_SEED) + 100)
    data = simulate_dataset(tmp_path / "fresh", FRESH_SESSIONS, FRESH_SEED)
    acc, n = accuracy_on(PACKAGE, data)
    tol = 3 * math.sqrt(claimed * (1 - claimed) * (1 / n0 + 1 / n)) + 0.02
    assert n == FRESH_SESSIONS * 14
    assert abs(acc - claimed) <= tol, f"fresh accuracy {acc:.3f} on {n} vs manifest {claimed:.3f} (tolerance {tol:.3f})"
