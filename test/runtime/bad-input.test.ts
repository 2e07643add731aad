// Bad input: each problem gives its own typed error naming what and where, is counted by reason
// in stats, and never disturbs other streams.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRuntime,
  InputLengthError,
  loadModel,
  NonFiniteInputError,
  RuntimeClosedError,
  SampleError,
  SnapshotCorruptError,
  SnapshotModelMismatchError,
  StreamClosedError,
  UnknownStreamError,
  encodeSnapshot,
  type LoadedModel,
  type Runtime,
} from '../../src/index.js';
import { densePackage } from './zoo.js';

let model: LoadedModel;
let rt: Runtime;
const good = (t: number) => ({ values: [0.1 * t, 0.2, -0.3, 4, 5, -6] });

beforeAll(async () => {
  model = await loadModel(densePackage());
  rt = await createRuntime(model, { skipGoldenCheck: true });
});
afterAll(() => rt?.close());

describe('rejected samples', () => {
  it('each bad sample is refused with its own error; the good stream interleaved with them is unaffected', async () => {
    const reference = await createRuntime(model, { skipGoldenCheck: true });
    const want: number[][] = [];
    for (let t = 0; t < 4; t++) want.push(Array.from((await reference.stream('ok').step(good(t))).output));
    await reference.close();

    const ok = rt.stream('ok');
    const bad = rt.stream('bad');
    const results = await Promise.allSettled([
      ok.step(good(0)),
      bad.step({ values: [1, 2, 3] }),
      ok.step(good(1)),
      bad.step({ values: [1, 2, NaN, 4, 5, 6] }),
      bad.step({ values: [1, 2, 3, Infinity, 5, 6] }),
      ok.step(good(2)),
      bad.step({}),
      bad.push([good(0), { values: [1, 2, 3, 4, 5, -Infinity] }]),
      ok.step(good(3)),
    ]);
    const errors = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason);
    expect(errors[0]).toBeInstanceOf(InputLengthError);
    expect(errors[0]).toMatchObject({ code: 'input_length', stream: 'bad', expected: 6, actual: 3 });
    expect(errors[1]).toBeInstanceOf(NonFiniteInputError);
    expect(errors[1]).toMatchObject({ code: 'non_finite', field: 'values', index: 2 });
    expect(errors[2]).toMatchObject({ code: 'non_finite', index: 3, value: Infinity });
    expect(errors[3]).toMatchObject({ code: 'input_length', actual: 0 });
    expect(errors[4]).toBeInstanceOf(SampleError);
    expect(errors[4]).toMatchObject({ code: 'non_finite', index: 1 });
    expect(errors[4].message).toContain('sample 1');

    const got = results.filter((r) => r.status === 'fulfilled').map((r) => Array.from((r as PromiseFulfilledResult<{ output: Float32Array }>).value.output));
    expect(got).toEqual(want);

    // The bad stream itself is still usable and still at the zero state: nothing joined a batch.
    const fresh = Array.from((await rt.stream('fresh').step(good(0))).output);
    expect(Array.from((await bad.step(good(0))).output)).toEqual(fresh);

    const stats = await rt.stats();
    expect(stats.rejectedByReason).toMatchObject({ input_length: 2, non_finite: 3 });
    expect(stats.rejected).toBe(5);
  });

  it('closed and unknown streams', async () => {
    const s = rt.stream('short-lived');
    await s.step(good(0));
    await s.close();
    expect(s.closed).toBe(true);
    await expect(s.step(good(1))).rejects.toBeInstanceOf(StreamClosedError);
    expect(() => rt.get('short-lived')).toThrow(UnknownStreamError);
    expect(() => rt.get('never-opened')).toThrow(/never-opened/);
    await expect(rt.snapshot(['never-opened'])).rejects.toMatchObject({ code: 'unknown_stream', stream: 'never-opened' });
    const stats = await rt.stats();
    expect(stats.rejectedByReason.stream_closed).toBe(1);
    expect(stats.rejectedByReason.unknown_stream).toBe(3);
  });
});

describe('snapshots that must be refused', () => {
  it('corrupt bytes, truncation, another model, another state layout', async () => {
    await rt.stream('snap').step(good(0));
    const snap = await rt.snapshot(['snap']);
    const flipped = snap.bytes.slice();
    flipped[flipped.length - 9]! ^= 0x40;
    await expect(rt.restore(flipped)).rejects.toMatchObject({ code: 'snapshot_corrupt', reason: 'checksum mismatch' });
    await expect(rt.restore(snap.bytes.slice(0, 40))).rejects.toBeInstanceOf(SnapshotCorruptError);
    await expect(rt.restore(new TextEncoder().encode('not a snapshot at all'))).rejects.toThrow(/bad magic/);

    const m = model.manifest;
    const n = m.state.reduce((a, e) => a + e.shape.reduce((x, y) => x * y, 1), 0);
    const other = encodeSnapshot({ modelId: 'some-other-model', state: m.state, keys: ['x'], states: new Float32Array(n) });
    await expect(rt.restore(other)).rejects.toBeInstanceOf(SnapshotModelMismatchError);
    const reshaped = encodeSnapshot({ modelId: m.id, state: [{ name: 'z', shape: [n] }], keys: ['x'], states: new Float32Array(n) });
    await expect(rt.restore(reshaped)).rejects.toThrow(/state layout/);
    expect(rt.has('x')).toBe(false);

    const stats = await rt.stats();
    expect(stats.rejectedByReason.snapshot_corrupt).toBe(3);
    expect(stats.rejectedByReason.snapshot_model_mismatch).toBe(2);
  });
});

it('a closed runtime refuses everything with RuntimeClosedError', async () => {
  const r = await createRuntime(model, { skipGoldenCheck: true });
  const s = r.stream('k');
  await s.step(good(0));
  await r.close();
  await expect(s.step(good(1))).rejects.toBeInstanceOf(RuntimeClosedError);
  expect(() => r.stream('k2')).toThrow(RuntimeClosedError);
  await expect(r.snapshot()).rejects.toBeInstanceOf(RuntimeClosedError);
  await r.close();
});
