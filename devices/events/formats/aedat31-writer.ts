// AEDAT 3.1 writer: polarity packets as cAER writes them (readable by our reader, tonic, dv and the
// DVS128 Gesture loaders). Events are buffered into packets of up to `packetEvents`; a packet never
// spans a timestamp-overflow boundary (2^31 µs), since all its events share one eventTSOverflow.

import { EventWriteError } from '../errors.js';
import type { EventBatch, SensorSize } from '../types.js';
import { AEDAT3_PACKET_HEADER, AEDAT3_POLARITY_TYPE } from './aedat31.js';
import { checkedEvents, type EventEncoder } from './encoder.js';

export interface Aedat31WriterOptions extends SensorSize {
  /** events per packet; default 4096 */
  packetEvents?: number;
  /** cAER source name; default "DVS128" for a 128×128 sensor, else "s7rt" */
  sourceName?: string;
  /** '#Start-Time' header value; default now */
  startTime?: Date;
}

const TS_OVERFLOW = 2 ** 31;

export class Aedat31Encoder implements EventEncoder {
  private readonly packetEvents: number;
  private readonly packet: Uint8Array;
  private readonly view: DataView;
  private n = 0;
  private overflow = 0;
  private readonly check: ReturnType<typeof checkedEvents>;

  constructor(private readonly options: Aedat31WriterOptions) {
    if (options.width > 0x7fff || options.height > 0x7fff) throw new EventWriteError('aedat31', 0, `sensor ${options.width}x${options.height} exceeds 15-bit addresses`);
    this.packetEvents = options.packetEvents ?? 4096;
    this.packet = new Uint8Array(AEDAT3_PACKET_HEADER + 8 * this.packetEvents);
    this.view = new DataView(this.packet.buffer);
    this.check = checkedEvents('aedat31', options, Number.MAX_SAFE_INTEGER);
  }

  header(): Uint8Array {
    const { width, height } = this.options;
    const source = this.options.sourceName ?? (width === 128 && height === 128 ? 'DVS128' : 's7rt');
    const lines = [
      '#!AEDAT-3.1',
      '#Format: RAW',
      `#Source 1: ${source}`,
      `#Sensor-Size 1: ${width}x${height}`,
      `#Start-Time: ${(this.options.startTime ?? new Date()).toISOString()}`,
      '#!END-HEADER',
    ];
    return new TextEncoder().encode(lines.map((l) => l + '\r\n').join(''));
  }

  encode(batch: EventBatch): Uint8Array[] {
    this.check(batch);
    const out: Uint8Array[] = [];
    const { x, y, t, p } = batch;
    const view = this.view;
    const capacity = this.packetEvents;
    let n = this.n;
    let base = this.overflow * TS_OVERFLOW;
    for (let i = 0; i < batch.length; i++) {
      const ti = t[i];
      if (ti >= base + TS_OVERFLOW || ti < base) {
        if (n > 0) {
          this.n = n;
          out.push(this.flushPacket());
          n = 0;
        }
        this.overflow = Math.floor(ti / TS_OVERFLOW);
        base = this.overflow * TS_OVERFLOW;
      }
      const at = AEDAT3_PACKET_HEADER + 8 * n;
      view.setUint32(at, ((x[i] << 17) | (y[i] << 2) | ((p[i] & 1) << 1) | 1) >>> 0, true);
      view.setInt32(at + 4, ti - base, true);
      if (++n === capacity) {
        this.n = n;
        out.push(this.flushPacket());
        n = 0;
      }
    }
    this.n = n;
    return out;
  }

  end(): Uint8Array[] {
    return this.n > 0 ? [this.flushPacket()] : [];
  }

  private flushPacket(): Uint8Array {
    const v = this.view;
    const n = this.n;
    v.setInt16(0, AEDAT3_POLARITY_TYPE, true);
    v.setInt16(2, 1, true); // eventSource: the one source named in the header
    v.setInt32(4, 8, true); // eventSize
    v.setInt32(8, 4, true); // eventTSOffset
    v.setInt32(12, this.overflow, true);
    v.setInt32(16, n, true); // eventCapacity
    v.setInt32(20, n, true); // eventNumber
    v.setInt32(24, n, true); // eventValid
    this.n = 0;
    return this.packet.slice(0, AEDAT3_PACKET_HEADER + 8 * n);
  }
}
