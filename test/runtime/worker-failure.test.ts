// A worker that dies (here: ended from outside) fails its pending steps with InferenceError and
// the runtime refuses further work with that error instead of hanging; the process goes on.
import { expect, it } from 'vitest';
import { createRuntime, InferenceError, loadModel } from '../../src/index.js';
import { densePackage } from './zoo.js';

it('a dead worker rejects pending and later steps with InferenceError', async () => {
  const rt = await createRuntime(await loadModel(densePackage()), { skipGoldenCheck: true });
  const s = rt.stream('k');
  await s.step({ values: [1, 2, 3, 4, 5, 6] });
  const link = (rt as unknown as { shards: Array<{ link: { terminate(): Promise<void> } }> }).shards[0]!.link;
  const pending = Array.from({ length: 20 }, (_, i) => s.step({ values: [i, 2, 3, 4, 5, 6] }));
  await link.terminate();
  const settled = await Promise.allSettled(pending);
  // Steps answered before the worker ended resolve; every other one is rejected, none hangs.
  const rejected = settled.filter((r) => r.status === 'rejected');
  expect(rejected.length).toBeGreaterThan(0);
  for (const r of rejected) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(InferenceError);
  await expect(s.step({ values: [1, 2, 3, 4, 5, 6] })).rejects.toBeInstanceOf(InferenceError);
  await expect(rt.stats()).rejects.toThrow(/worker failed/);
  await rt.close();
});
