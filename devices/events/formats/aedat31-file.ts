// Node entry points for AEDAT 3.1 files.

import { createEventFileWriter, writeEventFile, type EventFileWriter } from '../io/file-writer.js';
import type { EventBatch } from '../types.js';
import { Aedat31Encoder, type Aedat31WriterOptions } from './aedat31-writer.js';

/** Streaming writer: `await w.write(batch)` as events come, then `await w.close()`. */
export function createAedat31Writer(path: string, options: Aedat31WriterOptions): Promise<EventFileWriter> {
  return createEventFileWriter(path, new Aedat31Encoder(options));
}

/** Writes a whole recording; resolves to the number of events written. */
export function writeAedat31(
  path: string,
  batches: AsyncIterable<EventBatch> | Iterable<EventBatch>,
  options: Aedat31WriterOptions,
): Promise<number> {
  return writeEventFile(path, new Aedat31Encoder(options), batches);
}
