"""Synthetic 6-axis IMU activity task: the ONE generator behind both training data and the recordings
that the simulated MQTT devices replay (devices/sensors/recordings.json).

A thigh-worn IMU (pocket) at 50 Hz: accelerometer xyz in g (specific force, so 1 g up when still) and
gyroscope xyz in deg/s. Each activity is a periodic motion of the leg in the world frame (x forward,
y left, z up): a linear acceleration a(t) and a swing of the thigh, a rotation vector θ(t). The sensor
sits in the pocket at a random orientation R0, so it measures f = R(t)ᵀ (a(t) + ẑ) and ω = R(t)ᵀ θ̇(t)
with R(t) = Rot(θ(t)) R0. Subjects differ in cadence, amplitudes, waveform and sensor noise/bias;
train, held-out and recording subjects come from disjoint seeds.

Regenerate the device recordings (from the repository root):
    cd models && python -m s7.data.sensors --recordings ../devices/sensors/recordings.json
"""

from __future__ import annotations

import argparse
import json
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SAMPLE_RATE_HZ = 50
CHANNELS = ["ax", "ay", "az", "gx", "gy", "gz"]
LABELS = ["still", "walk", "run", "stairs", "cycle", "jump"]
RECORDINGS_SEED = 7_000_000   # recording subjects; training uses seeds < 1e6, held-out 1e6..2e6
HELD_OUT_SEED = 1_000_000


@dataclass
class Subject:
    """Per-person variation: cadence and amplitude scales, waveform harmonics, sensor noise and bias."""
    cadence: float
    amplitude: float
    harmonic: float
    noise_acc: float
    noise_gyro: float
    bias_acc: np.ndarray
    bias_gyro: np.ndarray

    @staticmethod
    def sample(rng: np.random.Generator) -> "Subject":
        return Subject(cadence=rng.uniform(0.88, 1.12), amplitude=rng.uniform(0.7, 1.3),
                       harmonic=rng.uniform(0.1, 0.5), noise_acc=rng.uniform(0.01, 0.04),
                       noise_gyro=rng.uniform(0.5, 3.0), bias_acc=rng.normal(0, 0.03, 3),
                       bias_gyro=rng.normal(0, 2.0, 3))


def _rotvec_to_matrix(v: np.ndarray) -> np.ndarray:
    """Rodrigues: rotation vectors [n, 3] (rad) -> matrices [n, 3, 3]."""
    angle = np.linalg.norm(v, axis=-1, keepdims=True)
    k = v / np.maximum(angle, 1e-12)
    K = np.zeros(v.shape[:-1] + (3, 3))
    K[..., 0, 1], K[..., 0, 2], K[..., 1, 2] = -k[..., 2], k[..., 1], -k[..., 0]
    K = K - np.swapaxes(K, -1, -2)
    s, c = np.sin(angle)[..., None], np.cos(angle)[..., None]
    return np.eye(3) + s * K + (1 - c) * (K @ K)


def _random_rotation(rng: np.random.Generator) -> np.ndarray:
    q = rng.normal(size=4)
    w, x, y, z = q / np.linalg.norm(q)
    return np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                     [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                     [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])


def _smooth_noise(rng, n: int, scale: float, seconds: float) -> np.ndarray:
    """Low-pass noise (two moving averages over `seconds`, so its derivative is smooth too), std ~ scale."""
    w = max(1, int(seconds * SAMPLE_RATE_HZ))
    x = rng.normal(size=n + 2 * w)
    for _ in range(2):
        x = np.convolve(x, np.ones(w), mode="valid")
    return scale * x[:n] / (x.std() + 1e-12)


def simulate(label: str, n: int, subject: Subject, rng: np.random.Generator) -> np.ndarray:
    """One recording of `n` samples of activity `label`: float32 [n, 6] (ax, ay, az in g; gx, gy, gz in deg/s)."""
    if label not in LABELS:
        raise ValueError(f"unknown activity label {label!r}; known: {LABELS}")
    t = np.arange(n) / SAMPLE_RATE_HZ
    a = np.zeros((n, 3))          # world linear acceleration, g
    th = np.zeros((n, 3))         # thigh rotation vector (roll, pitch, yaw), rad
    amp, h2 = subject.amplitude * rng.uniform(0.9, 1.1), subject.harmonic
    deg = math.pi / 180

    def phase(f0: float) -> np.ndarray:   # step phase with a slowly wandering cadence
        f = f0 * subject.cadence * (1 + _smooth_noise(rng, n, 0.03, 2.0))
        return 2 * math.pi * np.cumsum(f) / SAMPLE_RATE_HZ + rng.uniform(0, 2 * math.pi)

    if label == "still":          # sitting/standing: posture drift, tremor, an occasional shift
        th[:, 0] = _smooth_noise(rng, n, 2 * deg, 3.0)
        th[:, 1] = _smooth_noise(rng, n, 3 * deg, 3.0)
        a += rng.normal(0, 0.004, (n, 3))
    elif label == "walk":
        p = phase(rng.uniform(1.6, 2.05))
        a[:, 2] = amp * 0.25 * (np.sin(p) + h2 * np.sin(2 * p + 1.0))
        a[:, 0] = amp * 0.15 * np.sin(p + math.pi / 2)
        a[:, 1] = amp * 0.07 * np.sin(p / 2)
        th[:, 1] = amp * 22 * deg * np.sin(p / 2)          # leg swing once per stride (two steps)
        th[:, 0] = amp * 4 * deg * np.sin(p / 2 + 0.5)
    elif label == "run":
        p = phase(rng.uniform(2.5, 3.1))
        impact = np.maximum(0, np.sin(p)) ** 3
        a[:, 2] = amp * 1.6 * (impact - impact.mean()) + amp * 0.2 * h2 * np.sin(2 * p)
        a[:, 0] = amp * 0.35 * np.sin(p + math.pi / 2)
        a[:, 1] = amp * 0.12 * np.sin(p / 2)
        th[:, 1] = amp * 40 * deg * np.sin(p / 2)
        th[:, 0] = amp * 6 * deg * np.sin(p / 2 + 0.5)
    elif label == "stairs":       # going up: slower steps, the thigh raised and alternating effort
        p = phase(rng.uniform(1.3, 1.75))
        a[:, 2] = amp * (0.22 * np.sin(p) + 0.12 * np.sin(p / 2 + 0.7) + 0.08 * h2 * np.sin(2 * p))
        a[:, 0] = amp * 0.08 * np.sin(p + math.pi / 2)
        a[:, 1] = amp * 0.06 * np.sin(p / 2)
        th[:, 1] = amp * 28 * deg * np.sin(p / 2) + 15 * deg * (1 + np.sin(p / 2 - 0.8)) / 2
        th[:, 0] = amp * 5 * deg * np.sin(p / 2 + 0.5)
    elif label == "cycle":        # seated pedalling: smooth thigh rotation about a raised posture, road buzz
        p = phase(rng.uniform(0.9, 1.45))
        th[:, 1] = 50 * deg + amp * 25 * deg * np.sin(p)
        th[:, 0] = amp * 3 * deg * np.sin(p + 1.0)
        a[:, 2] = amp * 0.05 * np.sin(2 * p) + rng.normal(0, 0.06, n)
        a[:, 0] = _smooth_noise(rng, n, 0.03, 1.0) + rng.normal(0, 0.04, n)
    elif label == "jump":         # jumping in place: free fall (0 g) in flight, landing impulses
        p = phase(rng.uniform(1.6, 2.4))
        flight = rng.uniform(0.3, 0.5)
        cyc = (p / (2 * math.pi)) % 1.0
        contact = cyc >= flight
        # half-sine contact force whose mean over a cycle is exactly 1 g
        f_contact = (math.pi / 2) / (1 - flight) * np.sin(math.pi * (cyc - flight) / (1 - flight))
        a[:, 2] = np.where(contact, f_contact, 0.0) - 1.0
        a[:, 0] = amp * 0.05 * np.sin(p)
        th[:, 1] = amp * 8 * deg * np.sin(p)
    # the thigh swing's frame: the pocket holds the sensor at a random orientation R0
    R = _rotvec_to_matrix(th) @ _random_rotation(rng)                     # world <- sensor
    omega = np.gradient(th, axis=0) * SAMPLE_RATE_HZ / deg                 # deg/s, world frame
    Rt = np.swapaxes(R, -1, -2)
    acc = (Rt @ (a + np.array([0.0, 0.0, 1.0]))[..., None])[..., 0]
    gyr = (Rt @ omega[..., None])[..., 0]
    acc += subject.bias_acc + rng.normal(0, subject.noise_acc, (n, 3))
    gyr += subject.bias_gyro + rng.normal(0, subject.noise_gyro, (n, 3))
    # sensor ranges: ±8 g, ±1000 deg/s
    return np.concatenate([np.clip(acc, -8, 8), np.clip(gyr, -1000, 1000)], axis=1).astype(np.float32)


def make_dataset(n_per_class: int, length: int, seed: int, subjects: int = 0):
    """Balanced dataset X [N, length, 6] float32, y [N] int64; one fresh subject per sequence unless
    `subjects` > 0 (then sequences share that many subjects). Seeds < 1e6 train, >= HELD_OUT_SEED held out."""
    rng = np.random.default_rng(seed)
    pool = [Subject.sample(rng) for _ in range(subjects)]
    X = np.empty((n_per_class * len(LABELS), length, len(CHANNELS)), np.float32)
    y = np.empty(len(X), np.int64)
    i = 0
    for _ in range(n_per_class):
        for c, label in enumerate(LABELS):
            subj = pool[rng.integers(len(pool))] if pool else Subject.sample(rng)
            X[i], y[i] = simulate(label, length, subj, rng), c
            i += 1
    order = rng.permutation(len(X))
    return X[order], y[order]


def recordings(seed: int = RECORDINGS_SEED, per_class: int = 4, seconds: float = 20.0) -> dict:
    """The device replay file's content: `per_class` held-out recordings per activity."""
    rng = np.random.default_rng(seed)
    n = int(seconds * SAMPLE_RATE_HZ)
    recs = []
    for r in range(per_class):
        for label in LABELS:
            x = simulate(label, n, Subject.sample(rng), rng)
            recs.append({"label": label, "values": [round(float(v), 4) for v in x.reshape(-1)]})
    return {"sampleRateHz": SAMPLE_RATE_HZ, "channels": CHANNELS, "labels": LABELS, "seed": seed,
            "generator": "models/s7/data/sensors.py (python -m s7.data.sensors --recordings ...)",
            "recordings": recs}


def write_json_atomic(path: Path, obj, **kw):
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(obj, f, **kw)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m s7.data.sensors", description="Write the device recordings.")
    p.add_argument("--recordings", required=True, help="output JSON (devices/sensors/recordings.json)")
    p.add_argument("--seed", type=int, default=RECORDINGS_SEED)
    p.add_argument("--per-class", type=int, default=4)
    p.add_argument("--seconds", type=float, default=20.0)
    a = p.parse_args(argv)
    write_json_atomic(Path(a.recordings), recordings(a.seed, a.per_class, a.seconds), separators=(",", ":"))
    print(f"wrote {a.recordings}")


if __name__ == "__main__":
    main()
