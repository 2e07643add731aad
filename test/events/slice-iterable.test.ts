// Async-iterator slicers over real recordings, the idle close, and the bounded queue.

import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  concatBatches,
  makeBatch,
  openEvents,
  QueueOverflowError,
  sliceByCount,
  sliceByTime,
  sliceEventsIterable,
  toBoundedAsyncIterable,
  type EventBatch,
  type EventSlice,
} from '../../devices/index.js';
import { expectSameEvents, FIXTURES, readAll } from './helpers.js';

const RAW = FIXTURES + 'expelliarmus-evt3_sample.raw';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of it) out.push(v);
  return out;
}

describe('async-iterator slicers over a real recording', () => {
  it('by count: every slice holds n events, and together they are the recording', async () => {
    const whole = (await readAll(await openEvents(RAW))).events;
    for (const n of [1000, 10_000]) {
      const slices = await collect(sliceByCount(await openEvents(RAW, { batchSize: 4096 }), n));
      expect(slices.length).toBe(Math.ceil(whole.length / n));
      expect(slices.slice(0, -1).every((s) => s.length === n && s.closedBy === 'count')).toBe(true);
      expectSameEvents(concatBatches(slices), whole);
    }
  });

  it('by time: every event lies in its slice window, windows tile the time axis', async () => {
    const whole = (await readAll(await openEvents(RAW))).events;
    const slices = await collect(sliceByTime(await openEvents(RAW), 1000));
    expectSameEvents(concatBatches(slices), whole);
    let outside = 0;
    for (const s of slices) {
      for (let i = 0; i < s.length; i++) if (!(s.t[i] >= s.start && s.t[i] < s.end + (s.closedBy === 'end' ? 1 : 0))) outside++;
    }
    expect(outside).toBe(0);
    for (let k = 1; k < slices.length; k++) {
      expect(slices[k].start).toBeGreaterThanOrEqual(slices[k - 1].end);
      expect((slices[k].start - slices[0].start) % 1000).toBe(0);
    }
  });

  it('idle: a time slice closes when no batch comes, before the next batch is released', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let wall = 0;
    async function* source(): AsyncGenerator<EventBatch> {
      yield makeBatch({ x: [1, 2], y: [1, 1], t: [0, 300], p: [1, 0] });
      wall = 50; // 50 ms of (fake) wall time pass: sensor time is now about 50,300 µs
      await released;
      yield makeBatch({ x: [3], y: [1], t: [60_000], p: [1] });
    }
    const it = sliceEventsIterable(source(), { duration: 10_000 }, { idleMs: 5, now: () => wall })[Symbol.asyncIterator]();
    const first = (await it.next()).value as EventSlice;
    expect(first.closedBy).toBe('clock');
    expect(Array.from(first.t)).toEqual([0, 300]);
    expect([first.start, first.end]).toEqual([0, 10_000]);
    release();
    const rest = await collect({ [Symbol.asyncIterator]: () => it });
    expect(rest.map((s) => [s.closedBy, Array.from(s.t)])).toEqual([['end', [60_000]]]);
  });
});

describe('bounded queue between a push source and a slow consumer', () => {
  it('drop-oldest keeps the newest `max` values and counts the dropped ones', async () => {
    const subject = new Subject<number>();
    const queue = toBoundedAsyncIterable(subject, 3, 'drop-oldest');
    const it = queue[Symbol.asyncIterator]();
    const first = it.next(); // subscribes; the consumer runs only after the burst below
    for (let i = 0; i < 10; i++) subject.next(i);
    subject.complete();
    expect((await first).value).toBe(7);
    const rest = await collect({ [Symbol.asyncIterator]: () => it });
    expect(rest).toEqual([8, 9]);
    expect(queue.dropped).toBe(7);
  });

  it('error: delivers what waited, then fails with QueueOverflowError', async () => {
    const subject = new Subject<number>();
    const queue = toBoundedAsyncIterable(subject, 2, 'error');
    const it = queue[Symbol.asyncIterator]();
    const first = it.next();
    for (let i = 0; i < 5; i++) subject.next(i);
    expect((await first).value).toBe(0);
    expect((await it.next()).value).toBe(1);
    await expect(it.next()).rejects.toBeInstanceOf(QueueOverflowError);
    expect(subject.observed).toBe(false); // unsubscribed from the source
  });
});
