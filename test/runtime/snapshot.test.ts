// snapshot -> restore continues exactly where the stream stopped, in the same runtime (after
// further steps moved it on) and in a fresh runtime.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRuntime, loadModel, type LoadedModel, type Runtime, type Sample } from '../../src/index.js';
import { densePackage } from './zoo.js';

let model: LoadedModel;
let rt: Runtime;
const input = (k: number, t: number): Sample => ({ values: Array.from({ length: 6 }, (_, i) => Math.cos(k + t * 0.7 + i)) });

beforeAll(async () => {
  model = await loadModel(densePackage());
  rt = await createRuntime(model, { skipGoldenCheck: true });
});
afterAll(() => rt?.close());

async function run(r: Runtime, key: string, k: number, from: number, to: number): Promise<number[][]> {
  const s = r.stream(key);
  const out: number[][] = [];
  for (let t = from; t < to; t++) out.push(Array.from((await s.step(input(k, t))).output));
  return out;
}

it('restores into the same runtime and into a fresh one, continuing exactly', async () => {
  await run(rt, 'a', 1, 0, 20);
  await run(rt, 'b', 2, 0, 7);
  // Snapshot issued without awaiting the steps before it: it must still see them.
  const s = rt.stream('a');
  const pendingSteps = [s.step(input(1, 20)), s.step(input(1, 21))];
  const snap = await rt.snapshot(['a', 'b']);
  await Promise.all(pendingSteps);
  expect(snap.modelId).toBe(model.manifest.id);

  const expectedA = await run(rt, 'a', 1, 22, 30);
  const expectedB = await run(rt, 'b', 2, 7, 15);

  expect(await rt.restore(snap)).toEqual(['a', 'b']);
  expect(await run(rt, 'a', 1, 22, 30)).toEqual(expectedA);
  expect(await run(rt, 'b', 2, 7, 15)).toEqual(expectedB);

  const fresh = await createRuntime(model, { skipGoldenCheck: true, workers: 2 });
  try {
    await fresh.restore(snap.bytes);
    expect(fresh.keys().sort()).toEqual(['a', 'b']);
    expect(await run(fresh, 'a', 1, 22, 30)).toEqual(expectedA);
    expect(await run(fresh, 'b', 2, 7, 15)).toEqual(expectedB);
  } finally {
    await fresh.close();
  }
});

it('reset returns a stream to the zero state, after its pending steps', async () => {
  const first = await run(rt, 'r', 3, 0, 5);
  const s = rt.stream('r');
  void s.step(input(3, 5));
  await s.reset();
  expect(await run(rt, 'r', 3, 0, 5)).toEqual(first);
});
