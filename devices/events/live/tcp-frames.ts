// Length-prefixed frames over a byte stream (TCP): uint32 little-endian length, then that many bytes
// (one s7ev packet). The decoder is pure: feed it chunks as they arrive, get whole frames back.

import { EventFormatError } from '../errors.js';
import { packetSize, MAX_PACKET_EVENTS } from './packet.js';

export const MAX_FRAME = packetSize(MAX_PACKET_EVENTS);

export function encodeFrame(packet: Uint8Array): Uint8Array {
  const frame = new Uint8Array(4 + packet.length);
  new DataView(frame.buffer).setUint32(0, packet.length, true);
  frame.set(packet, 4);
  return frame;
}

export class FrameDecoder {
  // Chunks are only joined once they hold the whole next frame, so a large frame arriving in many
  // small chunks is copied once, not once per chunk.
  private chunks: Uint8Array[] = [];
  private size = 0;
  private need = 4; // bytes needed before the next frame (or its length) can be read
  private offset = 0; // stream offset of the first byte held

  /**
   * Adds a chunk and returns the complete frames in it. A length over MAX_FRAME means the stream is
   * out of step (no way to find the next frame): EventFormatError with the stream offset.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    this.chunks.push(chunk);
    this.size += chunk.length;
    const frames: Uint8Array[] = [];
    if (this.size < this.need) return frames;
    const joined = this.chunks.length === 1 ? this.chunks[0] : concat(this.chunks, this.size);
    const v = new DataView(joined.buffer, joined.byteOffset, joined.byteLength);
    let at = 0;
    this.need = 4;
    while (joined.length - at >= 4) {
      const len = v.getUint32(at, true);
      if (len > MAX_FRAME) throw new EventFormatError('s7ev', this.offset + at, 'corrupt', `frame length ${len} exceeds ${MAX_FRAME}`);
      if (joined.length - at - 4 < len) {
        this.need = 4 + len;
        break;
      }
      frames.push(joined.slice(at + 4, at + 4 + len));
      at += 4 + len;
    }
    const rest = joined.subarray(at);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.size = rest.length;
    this.offset += at;
    return frames;
  }

  /** bytes of an incomplete frame waiting for more data */
  get pending(): number {
    return this.size;
  }

  /** stream offset of the first byte not yet in a returned frame */
  get position(): number {
    return this.offset;
  }
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
