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
  private buf = new Uint8Array(0);
  private offset = 0; // stream offset of buf[0]

  /**
   * Adds a chunk and returns the complete frames in it. A length over MAX_FRAME means the stream is
   * out of step (no way to find the next frame): EventFormatError with the stream offset.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    const joined = new Uint8Array(this.buf.length + chunk.length);
    joined.set(this.buf);
    joined.set(chunk, this.buf.length);
    const frames: Uint8Array[] = [];
    const v = new DataView(joined.buffer);
    let at = 0;
    while (joined.length - at >= 4) {
      const len = v.getUint32(at, true);
      if (len > MAX_FRAME) throw new EventFormatError('s7ev', this.offset + at, 'corrupt', `frame length ${len} exceeds ${MAX_FRAME}`);
      if (joined.length - at - 4 < len) break;
      frames.push(joined.subarray(at + 4, at + 4 + len));
      at += 4 + len;
    }
    this.buf = joined.slice(at);
    this.offset += at;
    return frames;
  }

  /** bytes of an incomplete frame waiting for more data */
  get pending(): number {
    return this.buf.length;
  }

  /** stream offset of the first byte not yet in a returned frame */
  get position(): number {
    return this.offset;
  }
}
