// Slices of `duration` µs of sensor time, in both forms:
//   source$.pipe(sliceByTime(us, { idleMs }))             RxJS operator (clock / idle timer: slice-events.ts)
//   for await (const s of sliceByTime(recording, us, { idleMs }))   async iterator

import type { OperatorFunction } from 'rxjs';
import type { EventBatch } from '../types.js';
import { sliceEvents, type SliceClockOptions } from './slice-events.js';
import { sliceEventsIterable, type SliceIterableOptions } from './slice-iterable.js';
import type { EventSlice } from './slicer.js';

export interface SliceByTimeOptions extends SliceClockOptions, SliceIterableOptions {
  emitEmpty?: boolean;
}

export function sliceByTime(duration: number, options?: SliceByTimeOptions): OperatorFunction<EventBatch, EventSlice>;
export function sliceByTime(source: AsyncIterable<EventBatch> | Iterable<EventBatch>, duration: number, options?: SliceByTimeOptions): AsyncGenerator<EventSlice>;
export function sliceByTime(
  a: number | AsyncIterable<EventBatch> | Iterable<EventBatch>,
  b?: number | SliceByTimeOptions,
  c: SliceByTimeOptions = {},
): OperatorFunction<EventBatch, EventSlice> | AsyncGenerator<EventSlice> {
  if (typeof a === 'number') {
    const options = (b as SliceByTimeOptions | undefined) ?? {};
    return sliceEvents({ duration: a, emitEmpty: options.emitEmpty }, options);
  }
  return sliceEventsIterable(a, { duration: b as number, emitEmpty: c.emitEmpty }, c);
}
