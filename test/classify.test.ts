// Streaming classification of event recordings with the zoo gesture model: the tokenizer against its
// formula and against the Python tokenizer, slicing invariance (1, 100, 10,000 events and Δt slices
// give the same whole-file result), step vs chunk mode, and the `s7rt classify` command end to end.

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concatBatches, makeBatch } from '../devices/events/batch.js';
import { openEvents } from '../devices/events/open-events.js';
import { sliceEventsIterable } from '../devices/events/slice/index.js';
import { writeGestureDataset } from '../devices/events/sim/index.js';
import { classifySlices, type ClassifyResult, type WindowResult } from '../src/cli/classify.js';
import { createRuntime, EventTokenizer, loadModel, ManifestError, tokenSpecOf, type LoadedModel, type Runtime } from '../src/index.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const MODEL = join(ROOT, 'models/zoo/dvs-gesture-sim');

describe('EventTokenizer', () => {
  const spec = { width: 128, height: 128, downsample: 4, decimate: 3 };

  it('follows token = p·W′·H′ + ⌊y/f⌋·W′ + ⌊x/f⌋ on every decimate-th event, dt between kept events', () => {
    const tk = new EventTokenizer(spec);
    const b = makeBatch({ x: [0, 5, 6, 127, 9, 10, 64], y: [0, 1, 2, 127, 8, 9, 33], t: [10, 20, 30, 45, 50, 60, 100], p: [1, 0, 0, 0, 1, 1, 1] });
    const s = tk.push(b);
    // kept: events 0, 3, 6
    expect(s).toEqual([
      { token: 1024 + 0, dt: 0 },
      { token: 0 + 31 * 32 + 31, dt: 35 },
      { token: 1024 + 8 * 32 + 16, dt: 55 },
    ]);
  });

  it('counts events across batches, so any slicing gives the same tokens', () => {
    const b = makeBatch({ x: [1, 2, 3, 4, 5, 6, 7, 8], y: [1, 1, 1, 1, 1, 1, 1, 1], t: [1, 2, 3, 4, 5, 6, 7, 8], p: [0, 1, 0, 1, 0, 1, 0, 1] });
    const whole = new EventTokenizer(spec).push(b);
    const tk = new EventTokenizer(spec);
    const parts = [0, 1, 2, 3, 4, 5, 6, 7].flatMap((i) => tk.push(makeBatch({ x: [b.x[i]], y: [b.y[i]], t: [b.t[i]], p: [b.p[i]] })));
    expect(parts).toEqual(whole);
  });

  it('counts events outside the sensor instead of tokenising them', () => {
    const tk = new EventTokenizer({ ...spec, decimate: 1 });
    const s = tk.push(makeBatch({ x: [3, 200, 4], y: [3, 3, 130], t: [1, 2, 3], p: [1, 1, 1] }));
    expect(s.length).toBe(1);
    expect(tk.stats).toEqual({ events: 1, tokens: 1, outsideSensor: 2 });
  });
});

describe('classification with the zoo gesture model', () => {
  let dir: string;
  let file: string;
  let model: LoadedModel;
  let rt: Runtime;
  let n = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 's7rt-classify-'));
    // one simulated session with two gestures (~40k events), as an AEDAT 3.1 file
    await writeGestureDataset(dir, { sessions: 1, count: 2, seed: 424242 });
    file = join(dir, 'session000.aedat');
    model = await loadModel(MODEL);
    rt = await createRuntime(model);
  });
  afterAll(async () => {
    await rt?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const classify = async (spec: { events?: number; duration?: number }, mode: 'chunk' | 'step' = 'chunk'): Promise<ClassifyResult> => {
    const rec = await openEvents(file);
    return classifySlices(sliceEventsIterable(rec, spec), rt.stream(`s${n++}`), model.manifest, { mode });
  };

  it('the manifest states the tokenisation', () => {
    expect(tokenSpecOf(model.manifest)).toEqual({ width: 128, height: 128, downsample: expect.any(Number), decimate: expect.any(Number) });
  });

  it('gives the same whole-file result for slices of 1, 100 and 10,000 events and of 1 ms and 50 ms', async () => {
    const ref = await classify({ events: 10_000 });
    expect(ref.events).toBeGreaterThan(10_000);
    expect(ref.tokens).toBe(Math.ceil(ref.events / tokenSpecOf(model.manifest).decimate));
    const sum = ref.output.reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 4);
    for (const spec of [{ events: 1 }, { events: 100 }, { duration: 1_000 }, { duration: 50_000 }]) {
      const r = await classify(spec);
      expect(r.events, JSON.stringify(spec)).toBe(ref.events);
      // chunk mode runs the same graph calls whatever the slicing: bit-identical
      expect(r.output, JSON.stringify(spec)).toEqual(ref.output);
      expect(r.label).toBe(ref.label);
    }
  });

  it('windows: each window is classified as if it were its own recording, whatever the slicing', async () => {
    const W = 700_000;
    const windows = async (spec: { events?: number; duration?: number }) => {
      const out: WindowResult[] = [];
      const r = await classifySlices(sliceEventsIterable(await openEvents(file), spec), rt.stream(`w${n++}`), model.manifest, {
        windowUs: W,
        onWindow: (w) => out.push(w),
      });
      return { out, r };
    };
    const a = await windows({ events: 10_000 });
    const b = await windows({ events: 1 });
    expect(a.out.length).toBeGreaterThan(3);
    expect(b.out).toEqual(a.out);
    expect(b.r.output).toEqual(a.r.output);
    // the second window alone, from a fresh stream
    const parts = [];
    for await (const b of await openEvents(file)) parts.push(b);
    const all = concatBatches(parts);
    const w = a.out[1];
    const keep = Array.from(all.t, (t, i) => (t >= w.startUs && t < w.endUs ? i : -1)).filter((i) => i >= 0);
    const alone = makeBatch({
      x: keep.map((i) => all.x[i]),
      y: keep.map((i) => all.y[i]),
      t: keep.map((i) => all.t[i]),
      p: keep.map((i) => all.p[i]),
    });
    const solo = await classifySlices([alone], rt.stream(`w${n++}`), model.manifest);
    expect(solo.label).toBe(w.label);
    expect(solo.probability).toBe(w.probability);
    expect(solo.tokens).toBe(w.tokens);
  });

  it('step mode agrees with chunk mode within the package tolerance', async () => {
    const chunk = await classify({ events: 100 });
    const step = await classify({ events: 100 }, 'step');
    const { atol, rtol } = model.manifest.golden;
    step.output.forEach((v, i) => expect(Math.abs(v - chunk.output[i])).toBeLessThanOrEqual(atol + rtol * Math.abs(chunk.output[i])));
    expect(step.label).toBe(chunk.label);
  });

  it('matches the Python tokenizer and the Python onnxruntime prediction for the same file', async () => {
    const py = `
import json, sys
sys.path.insert(0, ${JSON.stringify(join(ROOT, 'models'))})
from s7.data.gestures import read_aedat31, tokenize, TokenSpec, onnx_predict_windows
man = json.load(open(${JSON.stringify(join(MODEL, 'manifest.json'))}))
spec = TokenSpec.from_manifest(man["input"]["events"])
ev, _ = read_aedat31(${JSON.stringify(file)})
tok, dt = tokenize(ev, spec)
p = onnx_predict_windows(${JSON.stringify(MODEL)}, [ev], spec)[0]
print(json.dumps({"tokens": tok.tolist(), "dt": dt.tolist(), "probs": p.tolist()}))
`;
    const { stdout } = await run('python3', ['-c', py], { maxBuffer: 64 << 20 });
    const want = JSON.parse(stdout) as { tokens: number[]; dt: number[]; probs: number[] };
    const rec = await openEvents(file);
    const tk = new EventTokenizer(tokenSpecOf(model.manifest));
    const got: { token?: number; dt?: number }[] = [];
    for await (const b of rec) got.push(...tk.push(b));
    expect(got.map((s) => s.token)).toEqual(want.tokens);
    expect(got.map((s) => s.dt)).toEqual(want.dt);
    const r = await classify({ events: 10_000 });
    r.output.forEach((v, i) => expect(Math.abs(v - want.probs[i])).toBeLessThan(1e-4));
  }, 120_000);

  it('refuses a model that does not take event tokens, naming the manifest field', async () => {
    const dense = await loadModel(join(ROOT, 'models/zoo/sensor-activity'));
    expect(() => tokenSpecOf(dense.manifest)).toThrow(ManifestError);
    expect(() => tokenSpecOf(dense.manifest)).toThrow(/input\.kind: is "dense"/);
  });

  it('`s7rt classify` prints progress, the result and the real-time factor', async () => {
    const { stdout } = await run(process.execPath, [join(ROOT, 'bin/s7rt.js'), 'classify', file, '--slice-us', '20000', '--every-us', '200000']);
    const lines = stdout.trim().split('\n');
    const labels = model.manifest.output.labels!;
    const progress = lines.filter((l) => / s {2}\d+ events {2}/.test(l));
    expect(progress.length).toBeGreaterThan(3);
    expect(labels.some((l) => lines.at(-2)!.startsWith(`result: ${l} `))).toBe(true);
    expect(lines.at(-1)).toMatch(/real-time factor \d+\.\d\d \(chunk mode\)/);
    const json = await run(process.execPath, [join(ROOT, 'bin/s7rt.js'), 'classify', file, '--json', '--quiet', '--slice-events', '100']);
    const result = JSON.parse(json.stdout) as ClassifyResult;
    const ref = await classify({ events: 10_000 });
    expect(result.output).toEqual(ref.output);
    expect(result.realTimeFactor).toBeGreaterThan(0);
  }, 120_000);

  it('`s7rt classify` reports a bad option or a missing file as one line and a non-zero exit', async () => {
    const bad = await run(process.execPath, [join(ROOT, 'bin/s7rt.js'), 'classify', file, '--slice-events', 'many']).catch((e) => e);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--slice-events.*"many" is not a positive number/);
    const missing = await run(process.execPath, [join(ROOT, 'bin/s7rt.js'), 'classify', join(dir, 'nope.aedat')]).catch((e) => e);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/nope\.aedat/);
    const nowhere = await run(process.execPath, [join(ROOT, 'bin/s7rt.js'), 'classify', file, '--publish', 'predictions/cam']).catch((e) => e);
    expect(nowhere.code).not.toBe(0);
    expect(nowhere.stderr).toMatch(/--publish: needs --broker <url>/);
    const filter = await run(process.execPath, [join(ROOT, 'bin/s7rt.js'), 'classify', file, '--broker', 'mqtt://127.0.0.1:1', '--publish', 'predictions/+']).catch((e) => e);
    expect(filter.stderr).toMatch(/--publish: "predictions\/\+" is a filter, not a topic/);
  });
});

