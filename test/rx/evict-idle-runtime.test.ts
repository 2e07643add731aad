// evictIdle + closeStream on the real runtime: an idle stream is snapshotted, then closed; its
// snapshot restores it exactly.
import { Subject } from 'rxjs';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { createRuntime, loadModel, type Runtime, type Snapshot } from '../../src/index.js';
import { closeStream, evictIdle, mapPredictions } from '../../src/rx/index.js';
import { densePackage } from '../runtime/zoo.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await createRuntime(await loadModel(densePackage()), { skipGoldenCheck: true });
});
afterAll(() => rt?.close());

interface Msg {
  key: string;
  values: number[];
}
const msg = (key: string, t: number): Msg => ({ key, values: Array.from({ length: 6 }, (_, i) => Math.cos(t + i)) });

it('snapshots then closes idle streams; the snapshot restores them exactly', async () => {
  const saved = new Map<string, Snapshot>();
  const src = new Subject<Msg>();
  const outputs: string[] = [];
  const sub = src
    .pipe(
      evictIdle({ key: (m) => m.key, idleMs: 100, evict: closeStream(rt, { beforeClose: (k, s) => void saved.set(k, s) }) }),
      mapPredictions(rt, { key: (m) => m.key, sample: (m) => ({ values: m.values }), errors: { next: (e) => outputs.push(`error ${e.error.message}`) } }),
    )
    .subscribe((p) => outputs.push(p.key));
  for (let t = 0; t < 3; t++) src.next(msg('quiet', t));
  await vi.waitFor(() => expect(rt.has('quiet')).toBe(false), { timeout: 20_000, interval: 20 });
  expect(saved.has('quiet')).toBe(true);
  expect(outputs).toEqual(['quiet', 'quiet', 'quiet']);

  // Restored, the stream continues exactly as an uninterrupted one does.
  await rt.restore(saved.get('quiet')!);
  const resumed = await rt.stream('quiet').step({ values: msg('quiet', 3).values });
  const ref = rt.stream('reference');
  for (let t = 0; t < 3; t++) await ref.step({ values: msg('quiet', t).values });
  const uninterrupted = await ref.step({ values: msg('quiet', 3).values });
  expect(Array.from(resumed.output)).toEqual(Array.from(uninterrupted.output));
  sub.unsubscribe();
});
