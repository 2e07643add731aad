// mapPredictions against the real runtime (ordering, batching, errors) and against a runtime whose
// steps settle when the test says so (out-of-order settling, in-flight bound, overload).
import { from, Subject } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, loadModel, NonFiniteInputError, OverloadError, type Prediction, type Runtime, type Sample, type StreamHandle } from '../../src/index.js';
import { mapPredictions, type Failed, type Predicted } from '../../src/rx/index.js';
import { densePackage } from '../runtime/zoo.js';

interface Msg {
  device: string;
  seq: number;
  values: number[];
}

const values = (k: number, t: number) => Array.from({ length: 6 }, (_, i) => Math.sin(k * 0.9 + t * 0.4 + i));

describe('mapPredictions with the real runtime', () => {
  let rt: Runtime;
  beforeAll(async () => {
    rt = await createRuntime(await loadModel(densePackage()), { skipGoldenCheck: true });
  });
  afterAll(() => rt?.close());

  it('keeps per-key order, batches across keys, routes bad messages to errors and keeps going', async () => {
    const KEYS = 40;
    const STEPS = 8;
    const msgs: Msg[] = [];
    for (let t = 0; t < STEPS; t++) for (let k = 0; k < KEYS; k++) msgs.push({ device: `dev-${k}`, seq: t, values: values(k, t) });
    // Two bad messages in the middle; their streams must continue as if they never came.
    msgs.splice(100, 0, { device: 'dev-3', seq: -1, values: [1, 2, NaN, 4, 5, 6] });
    msgs.splice(200, 0, { device: 'dev-5', seq: -2, values: [1] });

    const got: Predicted<Msg>[] = [];
    const errors: Failed<Msg>[] = [];
    const before = await rt.stats();
    await new Promise<void>((done, fail) =>
      from(msgs)
        .pipe(mapPredictions(rt, { key: (m) => m.device, sample: (m): Sample => ({ values: m.values }), errors: { next: (e) => errors.push(e) }, maxInFlight: 64 }))
        .subscribe({ next: (p) => got.push(p), error: fail, complete: done }),
    );
    const after = await rt.stats();

    expect(errors.map((e) => [e.key, e.message.seq, e.error.constructor])).toEqual([
      ['dev-3', -1, NonFiniteInputError],
      ['dev-5', -2, expect.anything()],
    ]);
    expect(got).toHaveLength(KEYS * STEPS);
    for (let k = 0; k < KEYS; k++) expect(got.filter((p) => p.key === `dev-${k}`).map((p) => p.message.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // Cross-key batching: far fewer batches than messages.
    expect(after.batches - before.batches).toBeLessThan((KEYS * STEPS) / 4);

    // Each key's predictions equal a direct, one-at-a-time run of its samples.
    const solo = await createRuntime(await loadModel(densePackage()), { skipGoldenCheck: true, maxBatch: 1 });
    try {
      for (const k of [0, 3, 5, 39]) {
        const s: StreamHandle = solo.stream(`dev-${k}`);
        const want: number[][] = [];
        for (let t = 0; t < STEPS; t++) want.push(Array.from((await s.step({ values: values(k, t) })).output));
        expect(got.filter((p) => p.key === `dev-${k}`).map((p) => Array.from(p.prediction.output))).toEqual(want);
      }
    } finally {
      await solo.close();
    }
  });
});

/** A runtime whose steps settle only when the test resolves them, in any order. */
function controlledRuntime() {
  const calls: Array<{ key: string; sample: Sample; resolve: (p: Prediction) => void; reject: (e: Error) => void }> = [];
  const rt = {
    stream: (key: string) =>
      ({
        key,
        step: (sample: Sample) => new Promise<Prediction>((resolve, reject) => calls.push({ key, sample, resolve, reject })),
      }) as unknown as StreamHandle,
  };
  const pred = (x: number): Prediction => ({ output: Float32Array.of(x), values: { x } });
  return { rt, calls, pred };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('mapPredictions operator logic', () => {
  it('emits each key in order even when its results settle out of order', async () => {
    const { rt, calls, pred } = controlledRuntime();
    const src = new Subject<Msg>();
    const out: string[] = [];
    src.pipe(mapPredictions(rt, { key: (m) => m.device, sample: (m) => ({ values: m.values }), errors: { next: () => undefined } })).subscribe((p) => out.push(`${p.key}:${p.message.seq}`));
    src.next({ device: 'a', seq: 0, values: [] });
    src.next({ device: 'a', seq: 1, values: [] });
    src.next({ device: 'b', seq: 0, values: [] });
    calls[1]!.resolve(pred(1)); // a:1 settles first
    calls[2]!.resolve(pred(2)); // b:0
    await tick();
    expect(out).toEqual(['b:0']); // a:1 waits for a:0
    calls[0]!.resolve(pred(0));
    await tick();
    expect(out).toEqual(['b:0', 'a:0', 'a:1']);
  });

  it('bounds in-flight work, queues the next ones, refuses beyond maxQueued with OverloadError', async () => {
    const { rt, calls, pred } = controlledRuntime();
    const src = new Subject<Msg>();
    const out: number[] = [];
    const errors: Failed<Msg>[] = [];
    let completed = false;
    src
      .pipe(mapPredictions(rt, { key: (m) => m.device, sample: (m) => ({ values: m.values }), errors: { next: (e) => errors.push(e) }, maxInFlight: 2, maxQueued: 3 }))
      .subscribe({ next: (p) => out.push(p.message.seq), complete: () => (completed = true) });
    for (let i = 0; i < 7; i++) src.next({ device: `d${i}`, seq: i, values: [] });
    src.complete();
    expect(calls).toHaveLength(2); // 2 in flight, 3 queued, 2 refused
    expect(errors.map((e) => [e.message.seq, e.error instanceof OverloadError])).toEqual([
      [5, true],
      [6, true],
    ]);
    calls[0]!.reject(new Error('worker said no'));
    await tick();
    expect(calls).toHaveLength(3);
    for (let i = 1; i < 5; i++) {
      calls[i]!.resolve(pred(i));
      await tick();
    }
    expect(out).toEqual([1, 2, 3, 4]);
    expect(errors.map((e) => e.message.seq)).toEqual([5, 6, 0]);
    expect(completed).toBe(true);
  });

  it('asks a pausable source to pause at the high-water mark and to resume at half of it', async () => {
    const { rt, calls, pred } = controlledRuntime();
    const src = new Subject<Msg>();
    const signals: Array<[boolean, number]> = [];
    let sent = 0;
    src
      .pipe(mapPredictions(rt, { key: (m) => m.device, sample: (m) => ({ values: m.values }), errors: { next: () => {} }, maxInFlight: 1, maxQueued: 10, highWater: 4, pressure: (pause) => signals.push([pause, sent]) }))
      .subscribe();
    for (; sent < 6; ) src.next({ device: `d${sent}`, seq: sent++, values: [] });
    // 1 in flight; the 5th message sent is the 4th waiting: the high-water mark
    expect(signals).toEqual([[true, 5]]);
    for (let i = 0; i < 3; i++) {
      calls[i]!.resolve(pred(i));
      await tick();
    }
    // waiting went 5 -> 4 -> 3 -> 2: resumed once it was down to half of the mark
    expect(signals).toEqual([[true, 5], [false, 6]]);
  });
});
