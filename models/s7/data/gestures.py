"""Event-camera gesture data: a numpy reader for AEDAT 3.1 polarity packets and DVS128 Gesture label
files, and the tokenisation shared with the TypeScript runtime (src/cli/classify.ts).

Works on the real DVS128 Gesture files and on the simulated ones written by devices/events/sim
(`npx vite-node devices/events/sim/cli.ts dataset --out DIR`): same AEDAT 3.1 polarity packets, same
`<name>_labels.csv` with `class,startTime_usec,endTime_usec` (classes numbered from 1).

Token formula (recorded in the package manifest under input.events, and used by the runtime):

    keep event i of the stream iff  i mod decimate == 0          (i counts every polarity event from 0)
    xs = x // downsample,  ys = y // downsample,  W' = ceil(width / downsample),  H' = ceil(height / downsample)
    token = p * W' * H' + ys * W' + xs                            (vocabulary 2 * W' * H')
    dt    = t(kept event) - t(previous kept event) in µs; 0 for the first kept event of a stream

Each downsampled pixel and polarity is its own token. With the defaults (128x128, downsample 4,
decimate 32) the vocabulary is 2048 and a simulated gesture of 10-35 k events becomes 300-1100 tokens,
which keeps training to ~20 minutes on 2 shared CPU cores; the runtime still reads every event.

Training runs in s7.train's loop on `GestureData` (label windows as token streams, augmented by random
crops); the recipe, export and held-out measurement are in s7.zoo. Rerun the zoo package (simulate 25
training, 10 validation and 10 test sessions, train, export, measure), or only re-export its checkpoint:

    cd models && python -m s7.data.gestures zoo
    cd models && python -m s7.data.gestures export --checkpoint zoo/checkpoints/dvs-gesture-sim.pt --out zoo/dvs-gesture-sim
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..train import TokenData

POLARITY_EVENT = 1
PACKET_HEADER = 28


class GestureDataError(ValueError):
    """A recording or label file that cannot be read; the message names the file and where."""


@dataclass(frozen=True)
class TokenSpec:
    width: int = 128
    height: int = 128
    downsample: int = 4
    decimate: int = 32

    @property
    def grid(self) -> tuple[int, int]:
        return math.ceil(self.width / self.downsample), math.ceil(self.height / self.downsample)

    @property
    def vocab(self) -> int:
        w, h = self.grid
        return 2 * w * h

    def manifest(self) -> dict:
        """The `input.events` entry of the model manifest."""
        w, h = self.grid
        return {"sensor": {"width": self.width, "height": self.height}, "downsample": self.downsample,
                "decimate": self.decimate, "grid": {"width": w, "height": h},
                "token": "p * grid.width * grid.height + floor(y / downsample) * grid.width + floor(x / downsample)",
                "keep": "event index i (from 0, every polarity event of the stream) with i mod decimate == 0",
                "dt": "µs since the previous kept event; 0 for the first"}

    @classmethod
    def from_manifest(cls, events: dict) -> "TokenSpec":
        return cls(width=events["sensor"]["width"], height=events["sensor"]["height"],
                   downsample=events["downsample"], decimate=events["decimate"])


@dataclass
class Events:
    x: np.ndarray   # uint16
    y: np.ndarray   # uint16
    t: np.ndarray   # int64 µs
    p: np.ndarray   # uint8, 1 = ON

    def __len__(self) -> int:
        return len(self.t)

    def window(self, start_us: int, end_us: int) -> "Events":
        """Events with start_us <= t < end_us (t is sorted)."""
        i, j = np.searchsorted(self.t, [start_us, end_us], side="left")
        return Events(self.x[i:j], self.y[i:j], self.t[i:j], self.p[i:j])


def read_aedat31(path: str | Path) -> tuple[Events, dict]:
    """All valid polarity events of an AEDAT 3.1 file, and its header fields. Other packet types are
    skipped (counted in header['skipped']). Truncation or a bad packet raises GestureDataError naming the
    byte offset."""
    path = Path(path)
    data = path.read_bytes()
    end = data.find(b"#!END-HEADER")
    if not data.startswith(b"#!AEDAT-3") or end < 0:
        raise GestureDataError(f"{path}: not an AEDAT 3.x file (no '#!AEDAT-3' ... '#!END-HEADER' header)")
    pos = data.index(b"\n", end) + 1
    header = {"lines": data[:pos].decode("latin-1").splitlines(), "skipped": {}}
    for line in header["lines"]:
        if line.startswith("#Sensor-Size"):
            w, h = line.split(":", 1)[1].strip().split("x")
            header["width"], header["height"] = int(w), int(h)
    xs, ys, ts, ps = [], [], [], []
    hdr = np.dtype([("type", "<i2"), ("source", "<i2"), ("size", "<i4"), ("tsoffset", "<i4"),
                    ("overflow", "<i4"), ("capacity", "<i4"), ("number", "<i4"), ("valid", "<i4")])
    while pos < len(data):
        if pos + PACKET_HEADER > len(data):
            raise GestureDataError(f"{path}: truncated packet header at byte {pos}")
        h = np.frombuffer(data, hdr, 1, pos)[0]
        size, number = int(h["size"]), int(h["number"])
        body = pos + PACKET_HEADER
        if size <= 0 or number < 0 or body + size * number > len(data):
            raise GestureDataError(f"{path}: bad or truncated packet at byte {pos} "
                                   f"(eventSize {size}, eventNumber {number})")
        if int(h["type"]) == POLARITY_EVENT:
            if size != 8:
                raise GestureDataError(f"{path}: polarity packet at byte {pos} has eventSize {size}, expected 8")
            ev = np.frombuffer(data, "<u4", 2 * number, body).reshape(number, 2)
            d, ts32 = ev[:, 0], ev[:, 1].astype(np.int64)
            ok = (d & 1) == 1
            header["skipped"]["invalid"] = header["skipped"].get("invalid", 0) + int((~ok).sum())
            d = d[ok]
            xs.append(((d >> 17) & 0x7FFF).astype(np.uint16))
            ys.append(((d >> 2) & 0x7FFF).astype(np.uint16))
            ps.append(((d >> 1) & 1).astype(np.uint8))
            ts.append(ts32[ok] + (int(h["overflow"]) << 31))
        else:
            header["skipped"][f"type{int(h['type'])}"] = header["skipped"].get(f"type{int(h['type'])}", 0) + number
        pos = body + size * number
    cat = lambda parts, dtype: np.concatenate(parts) if parts else np.zeros(0, dtype)  # noqa: E731
    return Events(cat(xs, np.uint16), cat(ys, np.uint16), cat(ts, np.int64), cat(ps, np.uint8)), header


def read_labels(path: str | Path) -> list[tuple[int, int, int]]:
    """[(class starting at 1, start µs, end µs)] from a DVS128 Gesture label file."""
    path = Path(path)
    rows = []
    with path.open(newline="") as f:
        reader = csv.reader(f)
        head = next(reader, None)
        if head is None or [c.strip() for c in head[:3]] != ["class", "startTime_usec", "endTime_usec"]:
            raise GestureDataError(f"{path}: line 1 must be 'class,startTime_usec,endTime_usec', got {head}")
        for n, row in enumerate(reader, start=2):
            if not row:
                continue
            try:
                c, s, e = int(row[0]), int(row[1]), int(row[2])
            except (ValueError, IndexError):
                raise GestureDataError(f"{path}: line {n}: expected three integers, got {row}") from None
            if c < 1 or e < s:
                raise GestureDataError(f"{path}: line {n}: class must be >= 1 and end >= start, got {row}")
            rows.append((c, s, e))
    return rows


def tokenize(ev: Events, spec: TokenSpec, phase: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(tokens int64, dt float32 µs) of a stream that starts at `ev[0]`. `phase` shifts which events are
    kept (training augmentation); the runtime uses phase 0."""
    keep = slice(phase % spec.decimate, None, spec.decimate)
    x, y, p, t = ev.x[keep], ev.y[keep], ev.p[keep], ev.t[keep]
    gw, gh = spec.grid
    if len(x) and (int(x.max()) >= spec.width or int(y.max()) >= spec.height):
        raise GestureDataError(f"event outside the {spec.width}x{spec.height} sensor")
    tokens = p.astype(np.int64) * gw * gh + (y // spec.downsample).astype(np.int64) * gw \
        + (x // spec.downsample).astype(np.int64)
    dt = np.diff(t, prepend=t[:1]).astype(np.float32) if len(t) else np.zeros(0, np.float32)
    return tokens, dt


def gesture_windows(directory: str | Path) -> list[tuple[Path, list[tuple[int, int, int]]]]:
    """(recording, labels) for every `<name>.aedat` with a `<name>_labels.csv` in the folder."""
    directory = Path(directory)
    out = []
    for rec in sorted(directory.glob("*.aedat")):
        labels = rec.with_name(rec.stem + "_labels.csv")
        if labels.exists():
            out.append((rec, read_labels(labels)))
    if not out:
        raise GestureDataError(f"{directory}: no <name>.aedat with <name>_labels.csv")
    return out


def load_gestures(directory: str | Path, margin_us: int = 0) -> list[tuple[Events, int]]:
    """One (events, class index from 0) per labelled gesture, each window widened by margin_us on both
    sides (so that a classifier also sees the hand arriving and leaving)."""
    out = []
    for rec, labels in gesture_windows(directory):
        ev, _ = read_aedat31(rec)
        for c, s, e in labels:
            out.append((ev.window(s - margin_us, e + margin_us), c - 1))
    return out


def class_names(directory: str | Path) -> list[str] | None:
    """Class names from dataset.json (written by the simulator), or None for other datasets."""
    meta = Path(directory) / "dataset.json"
    return json.loads(meta.read_text())["classes"] if meta.exists() else None


# ---- the simulator dataset as training data for s7.train ------------------------------------------------

GESTURE_NAMES = ["swipe_left", "swipe_right", "swipe_up", "swipe_down", "circle_cw", "circle_ccw", "clap"]


@dataclass
class GestureDataConfig:
    data: str = ""                     # folder of <name>.aedat + <name>_labels.csv (training)
    val: str = ""                      # same, held-out sessions
    downsample: int = 4
    decimate: int = 32
    margin_us: int = 500_000           # training windows widen the label window by U(0, margin) each side
    max_tokens: int = 384              # training crops: at most this many tokens of a window (cheap steps)


class GestureData(TokenData):
    """Labelled gesture windows for s7.train.train. A training stream is a random crop of a widened label
    window with a random decimation phase: the stream a runtime sees starts anywhere between "hand not
    there yet" and the start of the motion. Validation streams are the label windows from their start."""

    def __init__(self, gd: GestureDataConfig):
        self.gd = gd
        self.spec = TokenSpec(downsample=gd.downsample, decimate=gd.decimate)
        self.windows = load_gestures(gd.data, margin_us=gd.margin_us)
        val = [(*tokenize(ev, self.spec), c) for ev, c in load_gestures(gd.val)]
        meta = {"labels": class_names(gd.data) or GESTURE_NAMES, "timeUnit": "us", "events": self.spec.manifest(),
                "data": f"simulated DVS128-style gestures: train {gd.data}, held-out {gd.val}",
                "dataConfig": asdict(gd)}
        super().__init__([], val, self.spec.vocab, meta)

    def sample(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, int]:
        ev, y = self.windows[int(rng.integers(0, len(self.windows)))]
        margin = self.gd.margin_us
        s, e = int(rng.integers(0, margin + 1)), int(rng.integers(0, margin + 1))
        w = ev.window(int(ev.t[0]) + s, int(ev.t[-1]) + 1 - e) if len(ev) else ev
        tok, dt = tokenize(w if len(w) > 64 else ev, self.spec, phase=int(rng.integers(0, self.spec.decimate)))
        if len(tok) > self.gd.max_tokens:   # a random crop: any stretch of a gesture shows its motion
            a = int(rng.integers(0, len(tok) - self.gd.max_tokens + 1))
            tok, dt = tok[a:a + self.gd.max_tokens], dt[a:a + self.gd.max_tokens]
            dt[0] = 0.0   # a stream starts with dt 0, as at the runtime
        return tok, dt, y


# ---- simulated datasets and the accuracy of a package on them ---------------------------------------

REPO = Path(__file__).resolve().parents[3]
SIM_CLI = REPO / "devices" / "events" / "sim" / "cli.ts"
TRAIN_SEED, VAL_SEED, TEST_SEED = 1000, 900000, 700000   # session seeds; the sets never overlap


def simulate_dataset(out: str | Path, sessions: int, seed: int, per_session: int = 14) -> Path:
    """Runs the TypeScript simulator (devices/events/sim) to write a dataset folder; reuses a complete one."""
    import subprocess
    out = Path(out)
    if (out / "dataset.json").exists():
        meta = json.loads((out / "dataset.json").read_text())
        if len(meta["files"]) == sessions and meta["files"][0]["seed"] == seed:
            return out
    cmd = ["npx", "vite-node", str(SIM_CLI), "dataset", "--out", str(out), "--sessions", str(sessions),
           "--gestures-per-session", str(per_session), "--seed", str(seed)]
    r = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    if r.returncode != 0:
        raise GestureDataError(f"simulator failed ({' '.join(cmd)}): {r.stderr.strip()[-2000:]}")
    return out


def onnx_predict_windows(package: str | Path, windows: list[Events], spec: TokenSpec) -> np.ndarray:
    """Probabilities after the last token of each window, computed by the package's ONNX graphs the way
    a runtime does: all windows as one batch of streams from the zero state, chunk graph for whole
    chunks (the shorter streams padded; their answer is read at their own last token)."""
    import onnxruntime as ort
    package = Path(package)
    man = json.loads((package / "manifest.json").read_text())
    L = man["graphs"]["chunk"]["length"]
    sess = ort.InferenceSession(str(package / man["graphs"]["chunk"]["file"]), providers=["CPUExecutionProvider"])
    seqs = [tokenize(w, spec) for w in windows]
    n = max(len(t) for t, _ in seqs)
    n = -(-n // L) * L
    B = len(seqs)
    tok = np.zeros((B, n), np.int64)
    dt = np.zeros((B, n), np.float32)
    last = np.zeros(B, np.int64)
    for i, (t, d) in enumerate(seqs):
        tok[i, :len(t)], dt[i, :len(d)], last[i] = t, d, max(0, len(t) - 1)
    state = {f"past_{s['name']}": np.zeros((B, *s["shape"]), np.float32) for s in man["state"]}
    probs = np.zeros((B, man["output"]["size"]), np.float32)
    for c in range(0, n, L):
        outs = sess.run(None, {"tokens": tok[:, c:c + L], "dt": dt[:, c:c + L], **state})
        names = [o.name for o in sess.get_outputs()]
        res = dict(zip(names, outs))
        here = (last >= c) & (last < c + L)
        probs[here] = res["output"][here, last[here] - c]
        state = {f"past_{s['name']}": res[f"present_{s['name']}"] for s in man["state"]}
    return probs


def accuracy_on(package: str | Path, directory: str | Path) -> tuple[float, int]:
    """Accuracy of a package on every labelled gesture window of a dataset folder."""
    man = json.loads((Path(package) / "manifest.json").read_text())
    return accuracy_on_spec(package, directory, TokenSpec.from_manifest(man["input"]["events"]))


def accuracy_on_spec(package, directory, spec: TokenSpec) -> tuple[float, int]:
    data = load_gestures(directory)
    probs = onnx_predict_windows(package, [ev for ev, _ in data], spec)
    return float((probs.argmax(1) == np.array([c for _, c in data])).mean()), len(data)


def main(argv=None):
    import argparse
    from dataclasses import asdict

    from .. import zoo   # the zoo builds import this module
    p = argparse.ArgumentParser(prog="python -m s7.data.gestures",
                                description="Simulated DVS gesture classifier: train + export the zoo package")
    sub = p.add_subparsers(dest="cmd", required=True)
    z = sub.add_parser("zoo", help="simulate data, train, export zoo/dvs-gesture-sim, record held-out accuracy "
                                   "(the same as python -m s7.zoo dvs-gesture-sim)")
    z.add_argument("--out", default=str(REPO / "models" / "zoo" / "dvs-gesture-sim"))
    z.add_argument("--work", default=str(REPO / "runs" / "dvs-gesture-sim"), help="datasets and checkpoints")
    z.add_argument("--steps", type=int, default=zoo.RECIPES["dvs-gesture-sim"].steps)
    z.add_argument("--seed", type=int, default=0)
    x = sub.add_parser("export", help="export a checkpoint (e.g. models/zoo/checkpoints/dvs-gesture-sim.pt) and "
                                      "measure it on the test sessions; no training")
    x.add_argument("--checkpoint", required=True)
    x.add_argument("--out", required=True)
    x.add_argument("--work", default=str(REPO / "runs" / "dvs-gesture-sim"),
                   help="where the val and test sessions are simulated unless --val/--test name folders")
    x.add_argument("--val", default=None)
    x.add_argument("--test", default=None)
    e = sub.add_parser("eval", help="accuracy of a package on a dataset folder")
    e.add_argument("package")
    e.add_argument("data")
    a = p.parse_args(argv)
    if a.cmd == "zoo":
        tc = zoo.TrainConfig(**{**asdict(zoo.RECIPES["dvs-gesture-sim"]), "out": str(Path(a.work) / "checkpoints"),
                                "steps": a.steps, "seed": a.seed})
        print(json.dumps(zoo.build_dvs_gesture_sim(tc, Path(a.out), Path(a.work))))
    elif a.cmd == "export":
        print(json.dumps(zoo.build_dvs_gesture_sim(None, Path(a.out), Path(a.work), checkpoint=Path(a.checkpoint),
                                                   val=a.val, test=a.test)))
    else:
        acc, n = accuracy_on(a.package, a.data)
        print(json.dumps({"accuracy": acc, "samples": n}))


if __name__ == "__main__":
    main()
