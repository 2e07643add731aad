// Small helpers over EventBatch used by slicers, writers and tests.

import type { EventBatch } from './types.js';

export const EMPTY_BATCH: EventBatch = {
  length: 0,
  x: new Uint16Array(0),
  y: new Uint16Array(0),
  t: new Float64Array(0),
  p: new Uint8Array(0),
};

/** Events [start, end) of a batch, sharing its memory. */
export function sliceBatch(batch: EventBatch, start: number, end = batch.length): EventBatch {
  if (start === 0 && end === batch.length) return batch;
  return {
    length: end - start,
    x: batch.x.subarray(start, end),
    y: batch.y.subarray(start, end),
    t: batch.t.subarray(start, end),
    p: batch.p.subarray(start, end),
  };
}

/** One batch holding all events of `batches` in order (copies). */
export function concatBatches(batches: readonly EventBatch[]): EventBatch {
  if (batches.length === 1) return batches[0];
  const length = batches.reduce((n, b) => n + b.length, 0);
  const out = { length, x: new Uint16Array(length), y: new Uint16Array(length), t: new Float64Array(length), p: new Uint8Array(length) };
  let at = 0;
  for (const b of batches) {
    out.x.set(b.x.subarray(0, b.length), at);
    out.y.set(b.y.subarray(0, b.length), at);
    out.t.set(b.t.subarray(0, b.length), at);
    out.p.set(b.p.subarray(0, b.length), at);
    at += b.length;
  }
  return out;
}

/** Reads every batch of an iterable into one batch (for tests and small files). */
export async function collectEvents(batches: AsyncIterable<EventBatch> | Iterable<EventBatch>): Promise<EventBatch> {
  const all: EventBatch[] = [];
  for await (const b of batches) all.push(b);
  return all.length === 0 ? EMPTY_BATCH : concatBatches(all);
}

/** Builds a batch from plain arrays (tests, examples). */
export function makeBatch(events: { x: number[]; y: number[]; t: number[]; p: number[] }): EventBatch {
  return {
    length: events.t.length,
    x: Uint16Array.from(events.x),
    y: Uint16Array.from(events.y),
    t: Float64Array.from(events.t),
    p: Uint8Array.from(events.p),
  };
}
