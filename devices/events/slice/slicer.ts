// The one slicing core behind the RxJS operators and the async iterators: a small state machine that
// cuts a stream of event batches into slices of N events, of Δt µs, or whichever comes first, and
// closes a time slice when a clock (sensor time) passes its end although no event arrived.

import { concatBatches, EMPTY_BATCH, sliceBatch } from '../batch.js';
import type { EventBatch } from '../types.js';

export interface SliceSpec {
  /** close a slice when it holds this many events */
  events?: number;
  /** close a slice when event time (µs) reaches its start + duration */
  duration?: number;
  /** time slices only: also emit slices with no events for windows a gap skipped; default false */
  emitEmpty?: boolean;
}

/**
 * A slice: its events and its window in µs. A time slice covers [start, end); a slice closed by count
 * starts at its first event (or the previous time boundary) and ends at its last event's time.
 * A slice is itself an EventBatch, so it goes wherever batches go (tokenizers, writers, slicers).
 */
export interface EventSlice extends EventBatch {
  readonly start: number;
  readonly end: number;
  /** what closed it */
  readonly closedBy: 'count' | 'time' | 'clock' | 'end';
}

export class SliceSpecError extends Error {
  override readonly name = 'SliceSpecError';
}

export class EventSlicer {
  private parts: EventBatch[] = [];
  private count = 0;
  private start = NaN; // window start; NaN until the next event opens one
  private readonly n: number;
  private readonly dt: number;

  constructor(readonly spec: SliceSpec) {
    if (spec.events === undefined && spec.duration === undefined) throw new SliceSpecError('give events, duration or both');
    if (spec.events !== undefined && !(Number.isInteger(spec.events) && spec.events >= 1)) throw new SliceSpecError(`events must be an integer >= 1, got ${spec.events}`);
    if (spec.duration !== undefined && !(spec.duration > 0 && Number.isFinite(spec.duration))) throw new SliceSpecError(`duration must be a finite number of µs > 0, got ${spec.duration}`);
    this.n = spec.events ?? Infinity;
    this.dt = spec.duration ?? Infinity;
  }

  /** Adds a batch; returns the slices it completed. */
  push(batch: EventBatch): EventSlice[] {
    const out: EventSlice[] = [];
    const t = batch.t;
    const len = batch.length;
    let from = 0; // first event of `batch` not yet in `parts`
    let i = 0;
    while (i < len) {
      if (Number.isNaN(this.start)) this.start = t[i];
      const end = this.start + this.dt;
      if (t[i] >= end) {
        // event i belongs to a later window: close this one at its end
        this.take(batch, from, i);
        from = i;
        out.push(...this.closeTime(t[i], 'time'));
        continue;
      }
      // the run of events inside the window, up to the count limit (room >= 1 here)
      const limit = Math.min(len, i + this.n - this.count - (i - from));
      while (i < limit && t[i] < end) i++;
      if (this.count + (i - from) === this.n) {
        this.take(batch, from, i);
        from = i;
        out.push(this.close(t[i - 1], 'count'));
        // the next slice's window opens at its first event
        this.start = NaN;
      }
    }
    this.take(batch, from, len);
    return out;
  }

  /** Clock tick at sensor time `now` (µs): closes time slices that ended at or before it. */
  advance(now: number): EventSlice[] {
    if (this.dt === Infinity || Number.isNaN(this.start) || now < this.start + this.dt) return [];
    return this.closeTime(now, 'clock');
  }

  /** End of stream: the open slice, if it has events. */
  flush(): EventSlice[] {
    if (this.count === 0) return [];
    const last = this.parts[this.parts.length - 1];
    return [this.close(Math.max(this.start, last.t[last.length - 1]), 'end')];
  }

  /** Events held in the open slice (bounded by `events` when given). */
  get pending(): number {
    return this.count;
  }

  /** Closes the current window and the empty ones before the window holding time `t`. */
  private closeTime(t: number, by: 'time' | 'clock'): EventSlice[] {
    const out: EventSlice[] = [];
    if (this.count > 0 || this.spec.emitEmpty) out.push(this.close(this.start + this.dt, by, this.start));
    let next = this.start + this.dt;
    const skipped = Math.floor((t - next) / this.dt);
    if (skipped > 0) {
      if (this.spec.emitEmpty) for (let k = 0; k < skipped; k++) out.push({ ...EMPTY_BATCH, start: next + k * this.dt, end: next + (k + 1) * this.dt, closedBy: by });
      next += skipped * this.dt;
    }
    this.start = next;
    return out;
  }

  private take(batch: EventBatch, from: number, to: number): void {
    if (to === from) return;
    this.parts.push(sliceBatch(batch, from, to));
    this.count += to - from;
  }

  private close(end: number, closedBy: EventSlice['closedBy'], start = this.start): EventSlice {
    const events = this.parts.length === 0 ? EMPTY_BATCH : concatBatches(this.parts);
    this.parts = [];
    this.count = 0;
    const { length, x, y, t, p } = events;
    return { length, x, y, t, p, start, end, closedBy };
  }
}
