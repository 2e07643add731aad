// Node-only: writes an encoder's chunks to a file. Bytes go to "<path>.partial", renamed to <path> on
// close(), so a recording is either complete or absent (a reader never sees a half-written file).

import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import type { EventEncoder } from '../formats/encoder.js';
import type { EventBatch } from '../types.js';

export interface EventFileWriter {
  write(batch: EventBatch): Promise<void>;
  /** Flushes the last packet and renames the file into place. */
  close(): Promise<void>;
  /** Removes the partial file (after an error). */
  abort(): Promise<void>;
  /** events written so far */
  readonly events: number;
}

export async function createEventFileWriter(path: string, encoder: EventEncoder): Promise<EventFileWriter> {
  const partial = `${path}.partial`;
  const file: FileHandle = await open(partial, 'w');
  let events = 0;
  let closed = false;
  const writeAll = async (chunks: Uint8Array[]) => {
    for (const chunk of chunks) await file.write(chunk);
  };
  await writeAll([encoder.header()]);
  return {
    get events() {
      return events;
    },
    async write(batch) {
      if (closed) throw new Error(`event writer for ${path}: write after close`);
      await writeAll(encoder.encode(batch));
      events += batch.length;
    },
    async close() {
      if (closed) return;
      closed = true;
      await writeAll(encoder.end());
      await file.close();
      await rename(partial, path);
    },
    async abort() {
      if (!closed) {
        closed = true;
        await file.close();
      }
      await rm(partial, { force: true });
    },
  };
}

/** Writes all batches to `path`; on error the partial file is removed and the error rethrown. */
export async function writeEventFile(
  path: string,
  encoder: EventEncoder,
  batches: AsyncIterable<EventBatch> | Iterable<EventBatch>,
): Promise<number> {
  const writer = await createEventFileWriter(path, encoder);
  try {
    for await (const batch of batches) await writer.write(batch);
    await writer.close();
    return writer.events;
  } catch (error) {
    await writer.abort();
    throw error;
  }
}
