// A decaying event frame: each pixel holds Σ exp(-(T - t_i)/τ) over its ON events minus the same
// over its OFF events, where T is the frame's clock. Decay uses event time, not wall time, so a
// recording always renders the same picture at the same T.
import type { EventBatch, SensorSize } from '../../devices/events/types.js';

export interface AddResult {
  added: number;
  /** events outside the sensor (counted, not drawn) */
  outside: number;
}

export class DecayFrame {
  readonly width: number;
  readonly height: number;
  /** signed intensity per pixel, row-major */
  readonly values: Float32Array;
  /** the frame's clock in µs (time of the newest event seen) */
  clock = -Infinity;

  constructor(sensor: SensorSize, readonly tauUs = 30_000) {
    this.width = sensor.width;
    this.height = sensor.height;
    this.values = new Float32Array(sensor.width * sensor.height);
  }

  /** Advances the clock to `tUs`, fading every pixel by exp(-Δt/τ). */
  decayTo(tUs: number): void {
    if (!(tUs > this.clock)) return;
    if (Number.isFinite(this.clock)) {
      const k = Math.exp(-(tUs - this.clock) / this.tauUs);
      const v = this.values;
      for (let i = 0; i < v.length; i++) v[i] *= k;
    }
    this.clock = tUs;
  }

  /** Adds events [start, end) of `batch`, first advancing the clock to the newest of them. */
  add(batch: EventBatch, start = 0, end = batch.length): AddResult {
    const result: AddResult = { added: 0, outside: 0 };
    if (end <= start) return result;
    let newest = batch.t[start];
    for (let i = start + 1; i < end; i++) if (batch.t[i] > newest) newest = batch.t[i];
    this.decayTo(newest);
    const { x, y, t, p } = batch;
    for (let i = start; i < end; i++) {
      if (x[i] >= this.width || y[i] >= this.height) {
        result.outside++;
        continue;
      }
      // events older than the clock (out of order across batches) keep their decayed weight
      const w = Math.exp(-Math.max(0, this.clock - t[i]) / this.tauUs);
      this.values[y[i] * this.width + x[i]] += p[i] ? w : -w;
      result.added++;
    }
    return result;
  }

  clear(): void {
    this.values.fill(0);
    this.clock = -Infinity;
  }

  /** Paints into RGBA pixels: white background, ON events blue, OFF events orange, saturating at ±`full`. */
  paint(rgba: Uint8ClampedArray, full = 2): void {
    const v = this.values;
    for (let i = 0, j = 0; i < v.length; i++, j += 4) {
      const a = Math.min(1, Math.abs(v[i]) / full);
      // blend white towards #0072B2 (ON) or #D55E00 (OFF): colour-blind safe pair
      const [r, g, b] = v[i] >= 0 ? [0, 114, 178] : [213, 94, 0];
      rgba[j] = 255 + (r - 255) * a;
      rgba[j + 1] = 255 + (g - 255) * a;
      rgba[j + 2] = 255 + (b - 255) * a;
      rgba[j + 3] = 255;
    }
  }
}
