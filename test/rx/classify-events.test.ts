// classifyEvents on the real runtime and the zoo gesture model, the way a live pipeline uses it:
// a recording's batches -> a slicer operator -> classifyEvents. The final emission equals what
// `s7rt classify` computes for the same file, bit for bit, whatever the slicing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { from, lastValueFrom, Subject, toArray, type OperatorFunction } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBatch } from '../../devices/events/batch.js';
import { openEvents } from '../../devices/events/open-events.js';
import { sliceByCount, sliceByTime, sliceEventsIterable } from '../../devices/events/slice/index.js';
import { writeGestureDataset } from '../../devices/events/sim/index.js';
import type { EventBatch } from '../../devices/events/types.js';
import { classifySlices, type ClassifyResult } from '../../src/cli/classify.js';
import { createRuntime, loadModel, type LoadedModel, type Runtime } from '../../src/index.js';
import { classifyEvents, type EventPrediction } from '../../src/rx/index.js';

let dir: string;
let batches: EventBatch[];
let model: LoadedModel;
let rt: Runtime;
let reference: ClassifyResult;
let n = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 's7rt-rx-classify-'));
  await writeGestureDataset(dir, { sessions: 1, count: 2, seed: 5150 });
  const file = join(dir, 'session000.aedat');
  batches = [];
  for await (const b of await openEvents(file)) batches.push(b);
  model = await loadModel(resolve(import.meta.dirname, '../../models/zoo/dvs-gesture-sim'));
  rt = await createRuntime(model, { skipGoldenCheck: true });
  reference = await classifySlices(sliceEventsIterable(await openEvents(file), { events: 10_000 }), rt.stream('reference'), model.manifest);
}, 120_000);

afterAll(async () => {
  await rt?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const run = (slicer: OperatorFunction<EventBatch, EventBatch>) =>
  lastValueFrom(from(batches).pipe(slicer, classifyEvents(rt.stream(`rx-${n++}`), model.manifest), toArray()));

describe('classifyEvents', () => {
  it('ends with the result s7rt classify gives, for slices by count and by time', async () => {
    for (const slicer of [sliceByCount(2_000), sliceByTime(50_000)]) {
      const out: EventPrediction[] = await run(slicer);
      const last = out.at(-1)!;
      expect(last.final).toBe(true);
      expect(out.filter((o) => o.final)).toHaveLength(1);
      expect(Array.from(last.prediction.output)).toEqual(reference.output);
      expect(last.prediction.label).toBe(reference.label);
      expect({ events: last.events, tokens: last.tokens, outsideSensor: last.outsideSensor }).toEqual({
        events: reference.events,
        tokens: reference.tokens,
        outsideSensor: reference.outsideSensor,
      });
      // running predictions in slice order: counts and event times only grow
      for (let i = 1; i < out.length; i++) {
        expect(out[i]!.events).toBeGreaterThanOrEqual(out[i - 1]!.events);
        expect(out[i]!.endUs).toBeGreaterThanOrEqual(out[i - 1]!.endUs);
      }
      expect(out.length).toBeGreaterThan(5);
    }
  });

  it('waits for the model: slices pushed at once still come out in order, one emission per slice with a prediction', async () => {
    const src = new Subject<EventBatch>();
    const got: EventPrediction[] = [];
    const done = new Promise<void>((resolve, reject) =>
      src.pipe(classifyEvents(rt.stream(`rx-${n++}`), model.manifest)).subscribe({ next: (p) => got.push(p), error: reject, complete: resolve }),
    );
    const slices = batches.slice(0, 4);
    for (const b of slices) src.next(b); // synchronously, faster than any model
    src.complete();
    await done;
    expect(got.map((g) => g.endUs)).toEqual([...slices.map((b) => b.t[b.length - 1]), slices.at(-1)!.t[slices.at(-1)!.length - 1]]);
    expect(got.at(-1)!.final).toBe(true);
  });

  it('refuses a model that does not take event tokens, and passes a source error on after the work before it', async () => {
    const dense = await loadModel(resolve(import.meta.dirname, '../../models/zoo/sensor-activity'));
    expect(() => classifyEvents(rt.stream('x'), dense.manifest)).toThrow(/input\.kind/);
    const src = new Subject<EventBatch>();
    const got: EventPrediction[] = [];
    const failure = new Promise<unknown>((resolve) =>
      src.pipe(classifyEvents(rt.stream(`rx-${n++}`), model.manifest)).subscribe({ next: (p) => got.push(p), error: resolve }),
    );
    src.next(batches[0]!);
    src.error(new Error('camera unplugged'));
    expect(((await failure) as Error).message).toBe('camera unplugged');
    expect(got).toHaveLength(1);
    expect(got[0]!.final).toBe(false);
    // an empty slice is fine (a time slicer's quiet window)
    const empty = makeBatch({ x: [], y: [], t: [], p: [] });
    const quiet = await lastValueFrom(from([empty]).pipe(classifyEvents(rt.stream(`rx-${n++}`), model.manifest), toArray()));
    expect(quiet).toEqual([]);
  });
});
