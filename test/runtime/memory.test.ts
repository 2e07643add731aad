// Constant memory: after warm-up, 10^6 stream-steps (1000 streams x 1000 batched rounds) grow
// neither the main thread's heap nor the worker's by more than a few MB. Measured after full
// GCs (vitest runs this file with --expose-gc, which the worker inherits); a bound, not a timing.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRuntime, loadModel, type Runtime, type StreamHandle } from '../../src/index.js';
import { densePackage } from './zoo.js';

const STREAMS = 1000;
const ROUNDS = Number(process.env.S7RT_MEMORY_ROUNDS ?? 1000);
const WARMUP = 50;
const LIMIT_BYTES = 4 * 1024 * 1024;

let rt: Runtime;
beforeAll(async () => {
  rt = await createRuntime(await loadModel(densePackage()), { skipGoldenCheck: true, maxBatch: STREAMS });
});
afterAll(() => rt?.close());

const gc = (globalThis as { gc?: () => void }).gc;

async function heaps(): Promise<{ main: number; worker: number }> {
  gc!();
  gc!();
  const worker = await (rt as unknown as { workerHeaps(): Promise<number[]> }).workerHeaps();
  return { main: process.memoryUsage().heapUsed, worker: worker[0]! };
}

it(`${STREAMS * ROUNDS} steps after warm-up keep both heaps flat`, { timeout: 900_000 }, async () => {
  expect(gc, 'run with --expose-gc (vitest.config.ts sets it for this pool)').toBeTypeOf('function');
  const streams: StreamHandle[] = Array.from({ length: STREAMS }, (_, i) => rt.stream(`mem-${i}`));
  const row = new Float32Array(6);
  const round = async (r: number) => {
    const ps = new Array(STREAMS);
    for (let i = 0; i < STREAMS; i++) {
      row[0] = Math.sin(r + i);
      ps[i] = streams[i]!.step({ values: row });
    }
    await Promise.all(ps);
  };
  for (let r = 0; r < WARMUP; r++) await round(r);
  const before = await heaps();
  const statsBefore = await rt.stats();
  for (let r = 0; r < ROUNDS; r++) await round(r);
  const after = await heaps();
  const statsAfter = await rt.stats();
  expect(statsAfter.steps - statsBefore.steps).toBe(STREAMS * ROUNDS);
  const growth = { main: after.main - before.main, worker: after.worker - before.worker };
  console.log(`memory: ${STREAMS * ROUNDS} steps, heap growth main ${(growth.main / 1e6).toFixed(2)} MB, worker ${(growth.worker / 1e6).toFixed(2)} MB`);
  expect(after.worker).toBeGreaterThan(0);
  expect(growth.main).toBeLessThan(LIMIT_BYTES);
  expect(growth.worker).toBeLessThan(LIMIT_BYTES);
});
