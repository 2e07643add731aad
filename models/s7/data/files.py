"""User data: labelled sequences from NPZ or CSV files.

NPZ: `x` [N, L, C] float, `y` [N] (int class ids or label strings); optional `labels` [K] and
`channels` [C] string arrays.
CSV: a header `sequence,label,<channel>,...`, one row per sample, the rows of a sequence contiguous and
in time order; every sequence has the same length.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np


class DataError(ValueError):
    """The data file is missing, malformed, or contains values a model cannot train on."""


def validate(x: np.ndarray, y: np.ndarray, n_labels: int, where: str):
    """Shapes, finiteness and label range; raises DataError naming what and where."""
    if x.ndim != 3:
        raise DataError(f"{where}: x must be [N, L, C], got shape {x.shape}")
    if y.shape != (x.shape[0],):
        raise DataError(f"{where}: y must be [N] = [{x.shape[0]}], got shape {y.shape}")
    bad = ~np.isfinite(x)
    if bad.any():
        i, k, c = np.argwhere(bad)[0]
        raise DataError(f"{where}: {int(bad.sum())} NaN/inf values, first at sequence {i}, step {k}, channel {c}")
    if len(y) and (y.min() < 0 or y.max() >= n_labels):
        i = int(np.argmax((y < 0) | (y >= n_labels)))
        raise DataError(f"{where}: label {int(y[i])} of sequence {i} is outside 0..{n_labels - 1}")


def _label_ids(raw, labels, where: str):
    raw = np.asarray(raw)
    if raw.dtype.kind in "iu":
        return raw.astype(np.int64), labels
    raw = raw.astype(str)
    labels = list(labels) if labels is not None else sorted(set(raw.tolist()))
    index = {l: i for i, l in enumerate(labels)}
    unknown = [l for l in raw.tolist() if l not in index]
    if unknown:
        raise DataError(f"{where}: unknown label {unknown[0]!r}; known labels: {labels}")
    return np.array([index[l] for l in raw.tolist()], np.int64), labels


def load_sequences(path, labels=None):
    """(x [N, L, C] float32, y [N] int64, labels, channels) from an NPZ or CSV file."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"data file not found: {path}")
    if path.suffix == ".npz":
        with np.load(path, allow_pickle=False) as z:
            if "x" not in z or "y" not in z:
                raise DataError(f"{path}: needs arrays 'x' and 'y', has {sorted(z.files)}")
            x = z["x"].astype(np.float32)
            labels = labels if labels is not None else (z["labels"].astype(str).tolist() if "labels" in z else None)
            y, labels = _label_ids(z["y"], labels, str(path))
            channels = z["channels"].astype(str).tolist() if "channels" in z else None
    elif path.suffix == ".csv":
        x, y, labels, channels = _load_csv(path, labels)
    else:
        raise DataError(f"{path}: unsupported data file type {path.suffix!r} (use .npz or .csv)")
    if labels is None:
        labels = [str(i) for i in range(int(y.max()) + 1 if len(y) else 0)]
    channels = channels or [f"x{i}" for i in range(x.shape[-1] if x.ndim == 3 else 0)]
    validate(x, y, len(labels), str(path))
    return x, y, list(labels), list(channels)


def _load_csv(path: Path, labels):
    with path.open(newline="") as f:
        rows = csv.reader(f)
        header = next(rows, None)
        if not header or len(header) < 3 or header[0] != "sequence" or header[1] != "label":
            raise DataError(f"{path}: header must be 'sequence,label,<channel>,...', got {header}")
        channels = header[2:]
        seqs, seq_labels, current = [], [], None
        for line, row in enumerate(rows, start=2):
            if len(row) != len(header):
                raise DataError(f"{path}:{line}: {len(row)} fields, expected {len(header)}")
            if row[0] != current:
                current = row[0]
                seqs.append([])
                seq_labels.append(row[1])
            elif row[1] != seq_labels[-1]:
                raise DataError(f"{path}:{line}: label {row[1]!r} changes inside sequence {row[0]!r}")
            try:
                seqs[-1].append([float(v) for v in row[2:]])
            except ValueError as e:
                raise DataError(f"{path}:{line}: {e}") from None
    if not seqs:
        raise DataError(f"{path}: no data rows")
    lengths = {len(s) for s in seqs}
    if len(lengths) != 1:
        raise DataError(f"{path}: sequences must have the same length, got lengths {sorted(lengths)}")
    y, labels = _label_ids(seq_labels, labels, str(path))
    return np.asarray(seqs, np.float32), y, labels, channels
