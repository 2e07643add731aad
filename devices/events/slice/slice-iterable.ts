// Async-iterator twin of sliceEvents: pulls batches from any async iterable (a recording, a live
// source) and yields slices. With `idleMs`, a time slice closes when no batch arrives for that long.

import type { EventBatch } from '../types.js';
import { EventSlicer, type EventSlice, type SliceSpec } from './slicer.js';

export interface SliceIterableOptions {
  /** close finished time slices after this many ms without a new batch */
  idleMs?: number;
  /** wall clock in ms; default performance.now */
  now?: () => number;
}

export async function* sliceEventsIterable(
  source: AsyncIterable<EventBatch> | Iterable<EventBatch>,
  spec: SliceSpec,
  options: SliceIterableOptions = {},
): AsyncGenerator<EventSlice> {
  const slicer = new EventSlicer(spec);
  const now = options.now ?? (() => performance.now());
  const it = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : toAsync(source[Symbol.iterator]());
  let lastT = NaN;
  let lastAt = 0;
  let pending: Promise<IteratorResult<EventBatch>> | undefined;
  try {
    for (;;) {
      pending ??= it.next();
      let result: IteratorResult<EventBatch> | 'tick';
      if (options.idleMs !== undefined && !Number.isNaN(lastT)) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const tick = new Promise<'tick'>((resolve) => (timer = setTimeout(() => resolve('tick'), options.idleMs)));
        result = await Promise.race([pending, tick]);
        clearTimeout(timer);
      } else result = await pending;
      if (result === 'tick') {
        yield* slicer.advance(lastT + (now() - lastAt) * 1000);
        continue;
      }
      pending = undefined;
      if (result.done) break;
      const batch = result.value;
      if (batch.length > 0) {
        lastT = batch.t[batch.length - 1];
        lastAt = now();
      }
      yield* slicer.push(batch);
    }
  } catch (error) {
    yield* slicer.flush();
    throw error;
  } finally {
    if (pending) void it.return?.();
  }
  yield* slicer.flush();
}

async function* toAsync<T>(it: Iterator<T>): AsyncGenerator<T> {
  for (let r = it.next(); !r.done; r = it.next()) yield r.value;
}
