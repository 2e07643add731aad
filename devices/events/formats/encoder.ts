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
  let index = 0;
  let last = 0;
  return (batch) => {
    const { x, y, t, p } = batch;
    for (let i = 0; i < batch.length; i++, index++) {
      const ti = t[i];
      if (x[i] >= sensor.width || y[i] >= sensor.height) throw new EventWriteError(format, index, `(${x[i]}, ${y[i]}) is outside the ${sensor.width}x${sensor.height} sensor`);
      if (p[i] > 1) throw new EventWriteError(format, index, `polarity ${p[i]} is not 0 or 1`);
      if (!Number.isInteger(ti) || ti < 0 || ti > maxT) throw new EventWriteError(format, index, `timestamp ${ti} is not an integer in [0, ${maxT}] µs`);
      if (ti < last) throw new EventWriteError(format, index, `timestamp ${ti} is before the previous event's ${last}`);
      last = ti;
    }
  };
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
