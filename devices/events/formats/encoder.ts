// What writers share: an encoder turns batches into byte chunks (no I/O, so it also runs in a browser),
// and every event is checked before it is encoded.

import { EventWriteError, type EventFormat } from '../errors.js';
import type { EventBatch, SensorSize } from '../types.js';

export interface EventEncoder {
  header(): Uint8Array;
  encode(batch: EventBatch): Uint8Array[];
  end(): Uint8Array[];
}

/**
 * Returns a checker that throws EventWriteError for the first event outside the sensor, with a
 * non-integer, negative or too large timestamp, or earlier than the event before it (recordings are
 * time-ordered).
 */
export function checkedEvents(format: EventFormat, sensor: SensorSize, maxT: number): (batch: EventBatch) => void {
  const state = { index: 0, last: 0 };
  return (batch) => checkBatch(format, sensor, maxT, state, batch);
}

function checkBatch(format: EventFormat, sensor: SensorSize, maxT: number, state: { index: number; last: number }, batch: EventBatch): void {
  const { x, y, t, p } = batch;
  const { width, height } = sensor;
  let last = state.last;
  for (let i = 0; i < batch.length; i++) {
    const ti = t[i];
    // one combined test on the fast path (NaN fails every comparison); the message is built on failure
    if (x[i] >= width || y[i] >= height || p[i] > 1 || !(ti >= last && ti <= maxT && Math.floor(ti) === ti)) {
      throw new EventWriteError(format, state.index + i, problem(sensor, maxT, last, x[i], y[i], ti, p[i]));
    }
    last = ti;
  }
  state.index += batch.length;
  state.last = last;
}

function problem(sensor: SensorSize, maxT: number, last: number, x: number, y: number, t: number, p: number): string {
  if (x >= sensor.width || y >= sensor.height) return `(${x}, ${y}) is outside the ${sensor.width}x${sensor.height} sensor`;
  if (p > 1) return `polarity ${p} is not 0 or 1`;
  if (!(Number.isInteger(t) && t >= 0 && t <= maxT)) return `timestamp ${t} is not an integer in [0, ${maxT}] µs`;
  return `timestamp ${t} is before the previous event's ${last}`;
}

/** Runs an encoder over batches and yields the file's byte chunks. */
export async function* encodeEvents(
  encoder: EventEncoder,
  batches: AsyncIterable<EventBatch> | Iterable<EventBatch>,
): AsyncGenerator<Uint8Array> {
  yield encoder.header();
  for await (const batch of batches) yield* encoder.encode(batch);
  yield* encoder.end();
}
