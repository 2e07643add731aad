// RxJS operator: event batches in, slices out (by count, by Δt, or whichever first; see slicer.ts).
// A time slice also closes without new events when `clock` emits a sensor time past its end, or, with
// `idleMs`, when that long passes on the scheduler (the sensor time is then estimated as the last event's
// time plus the elapsed time). On error the open slice is emitted first, so no event is lost.

import { interval, Observable, type OperatorFunction, type SchedulerLike, asyncScheduler } from 'rxjs';
import type { EventBatch } from '../types.js';
import { EventSlicer, type EventSlice, type SliceSpec } from './slicer.js';

export interface SliceClockOptions {
  /** sensor times (µs) at which to close finished time slices */
  clock?: Observable<number>;
  /** check every `idleMs` milliseconds whether a time slice should close although no events came */
  idleMs?: number;
  scheduler?: SchedulerLike;
}

export function sliceEvents(spec: SliceSpec, options: SliceClockOptions = {}): OperatorFunction<EventBatch, EventSlice> {
  new EventSlicer(spec); // a bad spec throws SliceSpecError here, where the pipeline is built
  return (source) =>
    new Observable<EventSlice>((subscriber) => {
      const slicer = new EventSlicer(spec);
      const scheduler = options.scheduler ?? asyncScheduler;
      const emit = (slices: EventSlice[]) => {
        for (const slice of slices) subscriber.next(slice);
      };
      let lastT = NaN;
      let lastAt = 0;
      const clock = options.clock?.subscribe({ next: (now) => emit(slicer.advance(now)), error: (e) => subscriber.error(e) });
      const idle =
        options.idleMs === undefined
          ? undefined
          : interval(options.idleMs, scheduler).subscribe(() => {
              if (!Number.isNaN(lastT)) emit(slicer.advance(lastT + (scheduler.now() - lastAt) * 1000));
            });
      const events = source.subscribe({
        next: (batch) => {
          if (batch.length > 0) {
            lastT = batch.t[batch.length - 1];
            lastAt = scheduler.now();
          }
          emit(slicer.push(batch));
        },
        error: (e) => {
          emit(slicer.flush());
          subscriber.error(e);
        },
        complete: () => {
          emit(slicer.flush());
          subscriber.complete();
        },
      });
      return () => {
        events.unsubscribe();
        clock?.unsubscribe();
        idle?.unsubscribe();
      };
    });
}
