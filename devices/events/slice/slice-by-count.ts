// Slices of exactly `n` events (the last one may hold fewer), in both forms:
//   source$.pipe(sliceByCount(n))          RxJS operator
//   for await (const s of sliceByCount(recording, n))   async iterator

import type { OperatorFunction } from 'rxjs';
import type { EventBatch } from '../types.js';
import { sliceEvents } from './slice-events.js';
import { sliceEventsIterable } from './slice-iterable.js';
import type { EventSlice } from './slicer.js';

export function sliceByCount(n: number): OperatorFunction<EventBatch, EventSlice>;
export function sliceByCount(source: AsyncIterable<EventBatch> | Iterable<EventBatch>, n: number): AsyncGenerator<EventSlice>;
export function sliceByCount(
  a: number | AsyncIterable<EventBatch> | Iterable<EventBatch>,
  n?: number,
): OperatorFunction<EventBatch, EventSlice> | AsyncGenerator<EventSlice> {
  return typeof a === 'number' ? sliceEvents({ events: a }) : sliceEventsIterable(a, { events: n });
}
