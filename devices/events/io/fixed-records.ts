// The block loop shared by the formats made of fixed-size records after a header (AEDAT 2.0, DAT,
// EVT 2.0, N-MNIST): whole records go to the format's hot loop in runs that fit the batch, full
// batches are yielded, and a partial record at the end is a truncation error.

import { EventFormatError, type EventFormat } from '../errors.js';
import { countSkipped, type ReaderStats } from '../recording.js';
import type { EventBatch } from '../types.js';
import { BatchBuilder } from './batch-builder.js';
import type { ByteReader } from './byte-reader.js';

export interface FixedRecords {
  format: EventFormat;
  /** bytes per record */
  size: number;
  /** what a record is, for the truncation error ("an event needs 8") */
  record: 'an event' | 'a word';
  /** the format's hot loop: decodes the whole records in r.buf[start, stop) into `out` */
  decode(start: number, stop: number, out: BatchBuilder): void;
  /** after the last record: what was not delivered, by reason */
  skipped(): Record<string, number>;
}

export async function* readFixedRecords(r: ByteReader, batchSize: number | undefined, stats: ReaderStats, f: FixedRecords): AsyncGenerator<EventBatch> {
  const size = f.size;
  const out = new BatchBuilder(batchSize);
  for (;;) {
    if (r.available < size && (await r.fill(size)) < size) break;
    const stop = r.start + Math.min(Math.floor((r.end - r.start) / size), out.capacity - out.n) * size;
    f.decode(r.start, stop, out);
    r.start = stop;
    if (out.full) yield out.take();
  }
  for (const [reason, n] of Object.entries(f.skipped())) countSkipped(stats, reason, n);
  yield out.take();
  if (r.available > 0) throw new EventFormatError(f.format, r.offset(), 'truncated', `${r.available} bytes left, ${f.record} needs ${size}`);
}
