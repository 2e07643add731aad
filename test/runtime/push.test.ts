// Chunk mode with pushes of different lengths arriving together (so they share batched chunk and
// step calls) equals stepping the same samples one by one, within the package's tolerance.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRuntime, loadModel, type LoadedModel, type Runtime, type Sample } from '../../src/index.js';
import { expectClose, densePackage } from './zoo.js';

let model: LoadedModel;
let rt: Runtime;
beforeAll(async () => {
  model = await loadModel(densePackage());
  rt = await createRuntime(model, { skipGoldenCheck: true });
});
afterAll(() => rt?.close());

const sample = (k: number, t: number): Sample => ({ values: Array.from({ length: 6 }, (_, i) => Math.sin(k * 2.1 + t * 0.23 + i) * 1.5) });

it('pushes of 2L+3, L, 5 and 0 samples in one tick equal per-sample steps', { timeout: 120_000 }, async () => {
  const L = model.manifest.graphs.chunk.length;
  const lengths = [2 * L + 3, L, 5, 0];
  const samples = lengths.map((n, k) => Array.from({ length: n }, (_, t) => sample(k, t)));
  const before = await rt.stats();
  const pushed = await Promise.all(samples.map((s, k) => rt.stream(`push-${k}`).push(s)));
  const after = await rt.stats();
  // Chunk index 0 runs once for two streams, index 1 once for one: 2 chunk calls, not 3.
  expect(after.workers[0]!.chunkRuns - before.workers[0]!.chunkRuns).toBe(2);
  for (let k = 0; k < lengths.length; k++) {
    expect(pushed[k]).toHaveLength(lengths[k]!);
    const s = rt.stream(`step-${k}`);
    for (let t = 0; t < lengths[k]!; t++) {
      const p = await s.step(samples[k]![t]!);
      expectClose(pushed[k]![t]!.output, p.output, model.manifest, `stream ${k} sample ${t}`);
    }
  }
  // And the states agree: one more step on each gives the same prediction.
  for (let k = 0; k < lengths.length; k++) {
    const a = await rt.stream(`push-${k}`).step(sample(k, 999));
    const b = await rt.stream(`step-${k}`).step(sample(k, 999));
    expectClose(a.output, b.output, model.manifest, `stream ${k} after push`);
  }
});
