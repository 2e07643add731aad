// Prophesee RAW EVT 2.0 writer: a '%' header with the sensor size, then a TIME_HIGH word whenever the
// upper 28 bits of the 34-bit time change, and one CD word per event (see evt2.ts for the layout).
// Times past 2^34 µs (~4.8 h) wrap as a camera's counter does; the reader unwraps them, provided no
// two consecutive events are more than 2^33 µs apart.

import { EventWriteError } from '../errors.js';
import type { EventBatch, SensorSize } from '../types.js';
import { checkedEvents, type EventEncoder } from './encoder.js';
import { EVT2_TIME_HIGH } from './evt2.js';

const MAX_T = Number.MAX_SAFE_INTEGER;
const HIGH_RANGE = 2 ** 28;

export class Evt2Encoder implements EventEncoder {
  private high = -1;
  private readonly check: ReturnType<typeof checkedEvents>;

  constructor(private readonly sensor: SensorSize) {
    if (sensor.width > 2048 || sensor.height > 2048) throw new EventWriteError('evt2', 0, `sensor ${sensor.width}x${sensor.height} exceeds 11-bit addresses`);
    this.check = checkedEvents('evt2', sensor, MAX_T);
  }

  header(): Uint8Array {
    const { width, height } = this.sensor;
    const lines = ['% evt 2.0', `% format EVT2;height=${height};width=${width}`, `% geometry ${width}x${height}`, '% end'];
    return new TextEncoder().encode(lines.map((l) => l + '\n').join(''));
  }

  encode(batch: EventBatch): Uint8Array[] {
    this.check(batch);
    const words = new Uint32Array(2 * batch.length);
    const { x, y, t, p } = batch;
    let w = 0;
    for (let i = 0; i < batch.length; i++) {
      const ti = t[i];
      const high = Math.floor(ti / 64);
      if (high !== this.high) {
        words[w++] = ((EVT2_TIME_HIGH << 28) | high % HIGH_RANGE) >>> 0;
        this.high = high;
      }
      words[w++] = ((p[i] << 28) | ((ti - high * 64) << 22) | (x[i] << 11) | y[i]) >>> 0;
    }
    // Uint32Array is little-endian on every platform JS runs on; EVT 2.0 words are little-endian.
    return w === 0 ? [] : [new Uint8Array(words.buffer, 0, 4 * w)];
  }

  end(): Uint8Array[] {
    return [];
  }
}
