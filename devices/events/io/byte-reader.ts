// A forward-only buffered reader over byte chunks. Decoders work directly on `buf`/`view` between
// `start` and `end` (no per-event allocation) and pull more bytes when a record straddles a chunk:
// the unread tail is moved to the front, so memory stays bounded by the block size and the largest
// record (an AEDAT 4 packet), whatever the file size.

import { byteChunks, DEFAULT_BLOCK_SIZE, type ByteSource } from './byte-source.js';

export class ByteReader {
  buf: Uint8Array;
  view: DataView;
  /** first unread byte in `buf` */
  start = 0;
  /** end of valid bytes in `buf` */
  end = 0;
  /** file offset of buf[0] */
  private base = 0;
  private done = false;
  private readonly chunks: AsyncIterator<Uint8Array>;

  constructor(source: ByteSource, blockSize = DEFAULT_BLOCK_SIZE) {
    this.chunks = byteChunks(source, blockSize)[Symbol.asyncIterator]();
    this.buf = new Uint8Array(2 * blockSize);
    this.view = new DataView(this.buf.buffer);
  }

  get available(): number {
    return this.end - this.start;
  }

  /** File offset of the byte at `pos` in `buf` (default: the first unread byte). */
  offset(pos = this.start): number {
    return this.base + pos;
  }

  /** True once the source has no more chunks and every byte was consumed. */
  get atEnd(): boolean {
    return this.done && this.start >= this.end;
  }

  /** Reads one more chunk after the unread bytes; false at end of input. */
  async pull(): Promise<boolean> {
    if (this.done) return false;
    const next = await this.chunks.next();
    if (next.done) {
      this.done = true;
      return false;
    }
    this.append(next.value);
    return true;
  }

  /** Makes at least `min` unread bytes available if the input has them; returns how many are. */
  async fill(min: number): Promise<number> {
    while (this.available < min && (await this.pull()));
    return this.available;
  }

  /** Discards `n` bytes (possibly across chunks); returns how many could be discarded. */
  async skip(n: number): Promise<number> {
    let left = n;
    for (;;) {
      const k = Math.min(left, this.available);
      this.start += k;
      left -= k;
      if (left === 0 || !(await this.pull())) return n - left;
    }
  }

  /** Copies out the next `n` unread bytes (n must be available). */
  take(n: number): Uint8Array {
    const out = this.buf.slice(this.start, this.start + n);
    this.start += n;
    return out;
  }

  /** Reads one text line ending with '\n' (returned without '\r\n'), or null if none within `maxLength` bytes. */
  async readLine(maxLength = 1 << 20): Promise<string | null> {
    let scanned = 0;
    for (;;) {
      const nl = this.buf.subarray(this.start + scanned, this.end).indexOf(0x0a);
      if (nl >= 0) {
        const lineEnd = this.start + scanned + nl;
        const text = latin1(this.buf.subarray(this.start, lineEnd > this.start && this.buf[lineEnd - 1] === 0x0d ? lineEnd - 1 : lineEnd));
        this.start = lineEnd + 1;
        return text;
      }
      scanned = this.available;
      if (scanned > maxLength || !(await this.pull())) return null;
    }
  }

  private append(chunk: Uint8Array): void {
    const unread = this.end - this.start;
    if (unread + chunk.length > this.buf.length) {
      const grown = new Uint8Array(Math.max(2 * this.buf.length, unread + chunk.length));
      grown.set(this.buf.subarray(this.start, this.end));
      this.buf = grown;
      this.view = new DataView(grown.buffer);
    } else if (this.start > 0) {
      this.buf.copyWithin(0, this.start, this.end);
    }
    this.base += this.start;
    this.start = 0;
    this.end = unread;
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }
}

export function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 4096) s += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return s;
}
