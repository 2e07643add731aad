// State isolation: 100 streams stepped interleaved (batched together, in shuffled order, over two
// workers) give each stream exactly what it gets when run alone.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRuntime, loadModel, type LoadedModel, type Prediction, type Runtime } from '../../src/index.js';
import { densePackage } from './zoo.js';

const STREAMS = 100;
const STEPS = 12;
let model: LoadedModel;
let rt: Runtime;

/** Deterministic per-stream inputs, different for every stream. */
function sample(stream: number, t: number, size: number): number[] {
  return Array.from({ length: size }, (_, i) => Math.sin(stream * 1.7 + t * 0.31 + i) * (1 + (stream % 7)));
}

beforeAll(async () => {
  model = await loadModel(densePackage());
  rt = await createRuntime(model, { skipGoldenCheck: true, workers: 2 });
});
afterAll(() => rt?.close());

it('interleaving 100 streams gives each exactly its solo result', async () => {
  const size = model.manifest.input.size;
  const solo: Prediction[][] = [];
  for (let k = 0; k < STREAMS; k++) {
    const s = rt.stream(`solo-${k}`);
    const out: Prediction[] = [];
    for (let t = 0; t < STEPS; t++) out.push(await s.step({ values: sample(k, t, size) }));
    solo.push(out);
    await s.close();
  }

  const mixed: Prediction[][] = Array.from({ length: STREAMS }, () => []);
  const handles = Array.from({ length: STREAMS }, (_, k) => rt.stream(`mixed-${k}`));
  // Every stream's steps are issued without waiting, in an order that differs per round, so
  // batches hold many streams and a stream's later steps queue behind its earlier ones.
  const pending: Promise<void>[] = [];
  for (let t = 0; t < STEPS; t++) {
    const order = handles.map((_, k) => k).sort((a, b) => ((a * 37 + t * 11) % STREAMS) - ((b * 37 + t * 11) % STREAMS));
    for (const k of order) pending.push(handles[k]!.step({ values: sample(k, t, size) }).then((p) => void (mixed[k]![t] = p)));
  }
  await Promise.all(pending);

  for (let k = 0; k < STREAMS; k++)
    for (let t = 0; t < STEPS; t++) expect(Array.from(mixed[k]![t]!.output), `stream ${k} step ${t}`).toEqual(Array.from(solo[k]![t]!.output));

  const stats = await rt.stats();
  expect(stats.workers).toHaveLength(2);
  // Both shards held streams and batches really mixed streams.
  for (const w of stats.workers) expect(w.maxBatchSeen).toBeGreaterThan(1);
});
