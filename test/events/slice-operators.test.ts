// Marble tests for the RxJS slicing operators.

import { Subject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { makeBatch, sliceByCount, sliceByTime, sliceEvents, SliceSpecError, type EventBatch, type EventSlice } from '../../devices/index.js';

/** A batch whose events have these times (x = index, y = 0, ON). */
const at = (...t: number[]): EventBatch => makeBatch({ x: t.map((_, i) => i), y: t.map(() => 0), t, p: t.map(() => 1) });

/** The slice the operators should emit: events with these times (taken from `from`), window, reason. */
function slice(from: EventBatch[], times: number[], start: number, end: number, closedBy: EventSlice['closedBy']): EventSlice {
  const all = from.flatMap((b) => Array.from({ length: b.length }, (_, i) => ({ x: b.x[i], y: b.y[i], t: b.t[i], p: b.p[i] })));
  const picked = times.map((t) => all.find((e) => e.t === t)!);
  const events = makeBatch({ x: picked.map((e) => e.x), y: picked.map((e) => e.y), t: times, p: picked.map((e) => e.p) });
  return { ...events, start, end, closedBy };
}

const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('sliceByCount', () => {
  it('cuts slices of n events across batch boundaries; the rest closes at completion', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const a = at(1, 2);
      const b = at(3, 4, 5, 6, 7);
      const source = cold('-a----b----|', { a, b });
      expectObservable(source.pipe(sliceByCount(3))).toBe('------(xy)-(z|)', {
        x: slice([a, b], [1, 2, 3], 1, 3, 'count'),
        y: slice([a, b], [4, 5, 6], 4, 6, 'count'),
        z: slice([a, b], [7], 7, 7, 'end'),
      });
    });
  });

  it('emits the open slice before passing an error on', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const a = at(1, 2);
      expectObservable(cold('-a-#', { a }).pipe(sliceByCount(3))).toBe('---(z#)', { z: slice([a], [1, 2], 1, 2, 'end') });
    });
  });
});

describe('sliceByTime', () => {
  it('closes a window when an event passes its end; skips empty windows by default', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const a = at(0, 3, 9);
      const b = at(12, 15);
      const c = at(41);
      expectObservable(cold('-a-b-c-|', { a, b, c }).pipe(sliceByTime(10))).toBe('---x-y-(z|)', {
        x: slice([a], [0, 3, 9], 0, 10, 'time'),
        y: slice([b], [12, 15], 10, 20, 'time'),
        z: slice([c], [41], 40, 41, 'end'),
      });
    });
  });

  it('emits empty windows when asked', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const b = at(12, 15);
      const c = at(41);
      // windows [12,22) and the empty [22,32); 41 falls in [32,42)
      expectObservable(cold('-b-c-----|', { b, c }).pipe(sliceByTime(10, { emitEmpty: true }))).toBe('---(xy)--(w|)', {
        x: slice([b], [12, 15], 12, 22, 'time'),
        y: slice([], [], 22, 32, 'time'),
        w: slice([c], [41], 32, 41, 'end'),
      });
    });
  });

  it('a sensor-time clock closes the window although no event comes', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const a = at(0, 3);
      const clock = cold('--a--b', { a: 8, b: 12 });
      expectObservable(cold('-a------|', { a }).pipe(sliceByTime(10, { clock }))).toBe('-----x--|', {
        x: slice([a], [0, 3], 0, 10, 'clock'),
      });
    });
  });

  it('an idle timer closes the window from the elapsed time since the last event', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const a = at(0, 3);
      // 10 ms = 10,000 µs window; the idle check runs every 5 ms of scheduler time
      expectObservable(cold('a 30ms |', { a }).pipe(sliceByTime(10_000, { idleMs: 5 }))).toBe('10ms x 20ms |', {
        x: slice([a], [0, 3], 0, 10_000, 'clock'),
      });
    });
  });
});

describe('sliceEvents (mixed: whichever comes first)', () => {
  it('closes by count or by time, whichever first', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const a = at(0, 1, 2);
      const b = at(5, 16);
      // 3 events close the first slice; the next opens at 5 and its 10 µs pass before 3 events come
      expectObservable(cold('-a-b-|', { a, b }).pipe(sliceEvents({ events: 3, duration: 10 }))).toBe('-x-y-(z|)', {
        x: slice([a], [0, 1, 2], 0, 2, 'count'),
        y: slice([b], [5], 5, 15, 'time'),
        z: slice([b], [16], 15, 16, 'end'),
      });
    });
  });

  it('rejects an empty or invalid spec with a typed error', () => {
    const source = new Subject<EventBatch>();
    expect(() => source.pipe(sliceEvents({})).subscribe()).toThrow(SliceSpecError);
    expect(() => source.pipe(sliceEvents({ events: 0 })).subscribe()).toThrow(/events must be an integer >= 1/);
    expect(() => source.pipe(sliceEvents({ duration: -1 })).subscribe()).toThrow(/duration/);
  });
});
