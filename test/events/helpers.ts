// Test helpers: seeded random events, reading a recording to the end while keeping its error.

import { concatBatches, EMPTY_BATCH } from '../../devices/events/batch.js';
import type { EventBatch } from '../../devices/events/types.js';
import { Rng } from '../../devices/prng.js';

export const FIXTURES = new URL('../../../shared/fixtures/events/', import.meta.url).pathname;

/** n events on a width×height sensor with non-decreasing integer times starting at t0. */
export function randomEvents(n: number, width: number, height: number, seed = 1, t0 = 0, maxGap = 50): EventBatch {
  // seeded, so that every run sees the same "random" data
  const rng = Rng.mulberry32(seed);
  const next = () => rng.next();
  const b = { length: n, x: new Uint16Array(n), y: new Uint16Array(n), t: new Float64Array(n), p: new Uint8Array(n) };
  let t = t0;
  for (let i = 0; i < n; i++) {
    t += Math.floor(next() * maxGap);
    b.x[i] = Math.floor(next() * width);
    b.y[i] = Math.floor(next() * height);
    b.t[i] = t;
    b.p[i] = next() < 0.5 ? 1 : 0;
  }
  return b;
}

/** Splits a batch into batches of `size` (copies, like a producer would hand them over). */
export function chunked(batch: EventBatch, size: number): EventBatch[] {
  const out: EventBatch[] = [];
  for (let i = 0; i < batch.length; i += size) {
    const end = Math.min(batch.length, i + size);
    out.push({ length: end - i, x: batch.x.slice(i, end), y: batch.y.slice(i, end), t: batch.t.slice(i, end), p: batch.p.slice(i, end) });
  }
  return out;
}

export interface ReadResult {
  events: EventBatch;
  batches: number;
  maxBatch: number;
  error: unknown;
}

/** Reads every batch; an error ends the read and is returned with the events delivered before it. */
export async function readAll(batches: AsyncIterable<EventBatch>): Promise<ReadResult> {
  const all: EventBatch[] = [];
  let error: unknown;
  let maxBatch = 0;
  try {
    for await (const b of batches) {
      all.push(b);
      maxBatch = Math.max(maxBatch, b.length);
    }
  } catch (e) {
    error = e;
  }
  return { events: all.length ? concatBatches(all) : EMPTY_BATCH, batches: all.length, maxBatch, error };
}

export async function bytesOf(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of chunks) parts.push(c);
  const out = new Uint8Array(parts.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of parts) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export function expectSameEvents(actual: EventBatch, expected: EventBatch): void {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    if (actual.x[i] !== expected.x[i] || actual.y[i] !== expected.y[i] || actual.t[i] !== expected.t[i] || actual.p[i] !== expected.p[i]) {
      throw new Error(
        `event ${i}: got (${actual.x[i]},${actual.y[i]},${actual.t[i]},${actual.p[i]}) expected (${expected.x[i]},${expected.y[i]},${expected.t[i]},${expected.p[i]})`,
      );
    }
  }
}

export function isMonotonic(t: Float64Array): boolean {
  for (let i = 1; i < t.length; i++) if (t[i] < t[i - 1]) return false;
  return true;
}
