// What every reader returns: the format, the sensor size and header once the header is read, then the
// events as an async iterable of bounded batches. Counters say what was skipped and why.

import type { EventFormat } from './errors.js';
import type { EventBatch, SensorSize } from './types.js';

export interface ReaderOptions {
  /** Sensor size to use when the file does not state it (or to override it). */
  sensor?: SensorSize;
  /** Largest batch yielded (events); default 65,536. */
  batchSize?: number;
  /** Bytes read at a time; default 1 MiB. */
  blockSize?: number;
}

export interface ReaderStats {
  /** events delivered */
  events: number;
  batches: number;
  /** records or events not delivered as polarity events, by reason (e.g. "imu", "invalid", "outside-sensor") */
  skipped: Record<string, number>;
}

export interface EventRecording extends AsyncIterable<EventBatch> {
  readonly format: EventFormat;
  /** From the header or options; undefined when neither states it (see openEvents for inference). */
  readonly sensor: SensorSize | undefined;
  /** Header lines as written in the file, without their comment prefix. */
  readonly header: readonly string[];
  /** Live counters, updated as batches are read. */
  readonly stats: ReaderStats;
}

export function newStats(): ReaderStats {
  return { events: 0, batches: 0, skipped: {} };
}

export function countSkipped(stats: ReaderStats, reason: string, n = 1): void {
  if (n === 0) return;
  stats.skipped[reason] = (stats.skipped[reason] ?? 0) + n;
}

/** Wraps a decode generator as a recording that can be iterated once. */
export function recording(
  format: EventFormat,
  sensor: SensorSize | undefined,
  header: readonly string[],
  stats: ReaderStats,
  body: () => AsyncGenerator<EventBatch>,
): EventRecording {
  let used = false;
  return {
    format,
    sensor,
    header,
    stats,
    [Symbol.asyncIterator]() {
      if (used) throw new Error(`${format} recording: already iterated (open the source again to re-read it)`);
      used = true;
      return counted(body(), stats);
    },
  };
}

async function* counted(batches: AsyncGenerator<EventBatch>, stats: ReaderStats): AsyncGenerator<EventBatch> {
  for await (const batch of batches) {
    if (batch.length === 0) continue;
    stats.events += batch.length;
    stats.batches += 1;
    yield batch;
  }
}
