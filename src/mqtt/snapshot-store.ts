// Durable snapshots: the runtime's snapshot bytes plus every device's last applied seq, written
// atomically (temp file, fsync, rename, fsync dir) so a crash leaves the old or the new file, never half.
//
// File layout: "S7SN" | uint32 LE header length | header JSON | runtime snapshot bytes
import { open, readFile, rename, mkdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Snapshot } from '../api';

export interface StoredSnapshot {
  runtime: Snapshot;
  /** device -> last seq whose sample is in `runtime` */
  lastSeq: Record<string, number>;
  createdAt: string;
}

const magic = Buffer.from('S7SN');
export const snapshotFileName = 'snapshot.s7sn';

export class SnapshotFormatError extends Error {
  override readonly name = 'SnapshotFormatError';
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
  }
}

export function encodeSnapshot(s: StoredSnapshot): Buffer {
  const header = Buffer.from(
    JSON.stringify({ modelId: s.runtime.modelId, formatVersion: s.runtime.formatVersion, lastSeq: s.lastSeq, createdAt: s.createdAt }),
  );
  const len = Buffer.alloc(4);
  len.writeUInt32LE(header.byteLength, 0);
  return Buffer.concat([magic, len, header, s.runtime.bytes]);
}

export function decodeSnapshot(buf: Buffer, file = 'snapshot'): StoredSnapshot {
  if (buf.byteLength < 8 || !buf.subarray(0, 4).equals(magic)) throw new SnapshotFormatError(file, 'not an s7rt snapshot (bad magic)');
  const len = buf.readUInt32LE(4);
  if (8 + len > buf.byteLength) throw new SnapshotFormatError(file, `header length ${len} runs past the end (${buf.byteLength} bytes)`);
  let header: { modelId: string; formatVersion: number; lastSeq: Record<string, number>; createdAt: string };
  try {
    header = JSON.parse(buf.subarray(8, 8 + len).toString('utf8'));
  } catch (err) {
    throw new SnapshotFormatError(file, `header is not JSON: ${(err as Error).message}`);
  }
  if (typeof header.modelId !== 'string' || typeof header.lastSeq !== 'object' || header.lastSeq === null) {
    throw new SnapshotFormatError(file, 'header lacks modelId or lastSeq');
  }
  // Copy: the runtime may transfer the buffer to a worker.
  const bytes = new Uint8Array(buf.subarray(8 + len));
  return {
    runtime: { modelId: header.modelId, formatVersion: header.formatVersion, bytes },
    lastSeq: header.lastSeq,
    createdAt: header.createdAt,
  };
}

export class SnapshotStore {
  readonly file: string;

  constructor(readonly dir: string) {
    this.file = join(dir, snapshotFileName);
  }

  async write(s: StoredSnapshot): Promise<number> {
    await mkdir(this.dir, { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    const data = encodeSnapshot(s);
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await rename(tmp, this.file);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    // The rename is durable only once the directory entry is.
    const dh = await open(this.dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
    return data.byteLength;
  }

  /** The last snapshot, or undefined when there is none yet. */
  async read(): Promise<StoredSnapshot | undefined> {
    let buf: Buffer;
    try {
      buf = await readFile(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    return decodeSnapshot(buf, this.file);
  }
}
