// A DVS pixel array in the way ESIM (Rebecq et al., 2018) and v2e (Hu et al., 2021) model it:
// each pixel remembers the log intensity at its last event and fires an event each time the
// current log intensity moves one contrast threshold away from it. Thresholds differ per pixel
// (Gaussian mismatch), timestamps are interpolated linearly between rendered frames, a pixel is
// blind for a refractory period after each event, and two noise processes are added: shot noise
// (random ON/OFF events) and leak noise (ON events of static pixels whose reference leaks down).
// Leak is drawn as a Poisson process per pixel (rate varying per pixel) instead of as a drift
// of the reference, so that pixels the scene does not touch cost nothing per frame.

import type { EventBatch } from '../types.js';
import { Rng } from '../../prng.js';
import type { Rect } from './scene.js';

export interface CameraOptions {
  width: number;
  height: number;
  /** mean ON / OFF contrast thresholds in log-intensity units */
  thresholdOn: number;
  thresholdOff: number;
  /** standard deviation of the per-pixel threshold mismatch (log units) */
  thresholdSigma: number;
  /** a pixel emits nothing for this long after an event (µs) */
  refractoryUs: number;
  /** shot noise: random events per pixel per second (half ON, half OFF) */
  shotNoiseHz: number;
  /** leak noise: mean ON events per pixel per second of a static pixel */
  leakNoiseHz: number;
  /** added to linear intensity before the log, so that black pixels do not blow up (v2e uses a lin-log curve) */
  logEps: number;
}

export const defaultCameraOptions: CameraOptions = {
  width: 128,
  height: 128,
  thresholdOn: 0.3,
  thresholdOff: 0.3,
  thresholdSigma: 0.03,
  refractoryUs: 1000,
  shotNoiseHz: 0.1,
  leakNoiseHz: 0.05,
  logEps: 0.01,
};

/** Smallest threshold a pixel may get after mismatch: a zero threshold would fire forever. */
const MIN_THRESHOLD = 0.01;

export class EventCamera {
  readonly options: CameraOptions;
  private readonly n: number;
  private readonly rng: Rng;
  private readonly thrOn: Float32Array;
  private readonly thrOff: Float32Array;
  private readonly leakHz: Float32Array;
  private readonly maxLeakHz: number;
  private totalLeakHz = 0;
  private readonly ref: Float64Array;
  private readonly prevLog: Float64Array;
  private readonly lastT: Float64Array;
  private prevT = 0;
  private started = false;
  // reusable per-frame event buffers
  private ex: number[] = [];
  private ey: number[] = [];
  private et: number[] = [];
  private ep: number[] = [];
  /** events dropped because the pixel was refractory (counted, never silently lost) */
  refractoryDropped = 0;

  constructor(options: Partial<CameraOptions>, rng: Rng) {
    this.options = { ...defaultCameraOptions, ...options };
    const o = this.options;
    this.n = o.width * o.height;
    this.rng = rng;
    this.thrOn = new Float32Array(this.n);
    this.thrOff = new Float32Array(this.n);
    this.leakHz = new Float32Array(this.n);
    let maxLeak = 0;
    for (let i = 0; i < this.n; i++) {
      this.thrOn[i] = Math.max(MIN_THRESHOLD, o.thresholdOn + o.thresholdSigma * rng.normal());
      this.thrOff[i] = Math.max(MIN_THRESHOLD, o.thresholdOff + o.thresholdSigma * rng.normal());
      // leak rates vary per pixel (v2e: leak jitter)
      const rate = o.leakNoiseHz * Math.max(0, 1 + 0.5 * rng.normal());
      this.leakHz[i] = rate;
      this.totalLeakHz += rate;
      if (rate > maxLeak) maxLeak = rate;
    }
    this.maxLeakHz = maxLeak;
    this.ref = new Float64Array(this.n);
    this.prevLog = new Float64Array(this.n);
    this.lastT = new Float64Array(this.n).fill(-Infinity);
  }

  /**
   * Feed the frame rendered at time `tUs` (linear intensity, row-major width×height). The first
   * frame only initialises the pixels; later ones return the events in (previous tUs, tUs],
   * sorted by time. `changed` bounds the pixels that may differ from the previous frame (null:
   * none changed; undefined: all may have).
   */
  frame(intensity: Float32Array, tUs: number, changed?: Rect | null): EventBatch {
    const o = this.options;
    if (intensity.length !== this.n) {
      throw new RangeError(`EventCamera.frame: intensity has ${intensity.length} values, expected ${o.width}×${o.height}`);
    }
    if (!this.started) {
      for (let i = 0; i < this.n; i++) {
        const l = Math.log(intensity[i] + o.logEps);
        this.ref[i] = l;
        this.prevLog[i] = l;
      }
      // start the reference at a random phase between thresholds, so that the first events of
      // all pixels do not come at the same brightness change
      for (let i = 0; i < this.n; i++) this.ref[i] += (this.rng.next() - 0.5) * this.thrOn[i];
      this.prevT = tUs;
      this.started = true;
      return emptyBatch();
    }
    const t0 = this.prevT;
    const dt = tUs - t0;
    if (!(dt > 0)) throw new RangeError(`EventCamera.frame: time ${tUs} µs is not after the previous frame ${t0} µs`);
    this.ex.length = 0;
    this.ey.length = 0;
    this.et.length = 0;
    this.ep.length = 0;
    const w = o.width;
    const r = changed === undefined ? { x0: 0, y0: 0, x1: w - 1, y1: o.height - 1 } : changed;
    if (r) {
      for (let y = r.y0; y <= r.y1; y++) {
        for (let x = r.x0; x <= r.x1; x++) this.pixel(x, y, y * w + x, intensity, t0, dt);
      }
    }
    // shot noise: Poisson count over the whole array, uniform pixel, time and polarity
    const shots = this.rng.poisson((o.shotNoiseHz * this.n * dt) / 1e6);
    for (let k = 0; k < shots; k++) {
      const i = this.rng.int(this.n);
      this.emit(i % w, (i / w) | 0, i, Math.round(t0 + this.rng.next() * dt), this.rng.next() < 0.5 ? 1 : 0);
    }
    // leak noise: Poisson count over the array, pixel chosen in proportion to its own rate
    const leaks = this.rng.poisson((this.totalLeakHz * dt) / 1e6);
    for (let k = 0; k < leaks; k++) {
      let i = this.rng.int(this.n);
      while (this.rng.next() * this.maxLeakHz > this.leakHz[i]) i = this.rng.int(this.n);
      this.emit(i % w, (i / w) | 0, i, Math.round(t0 + this.rng.next() * dt), 1);
    }
    this.prevT = tUs;
    return this.sorted();
  }

  private pixel(x: number, y: number, i: number, intensity: Float32Array, t0: number, dt: number): void {
    const l1 = Math.log(intensity[i] + this.options.logEps);
    const l0 = this.prevLog[i];
    this.prevLog[i] = l1;
    let ref = this.ref[i];
    const on = this.thrOn[i];
    const off = this.thrOff[i];
    // one event per threshold crossed, each at its own interpolated time
    while (l1 - ref >= on) {
      ref += on;
      this.emit(x, y, i, this.crossingTime(l0, l1, ref, t0, dt), 1);
    }
    while (ref - l1 >= off) {
      ref -= off;
      this.emit(x, y, i, this.crossingTime(l0, l1, ref, t0, dt), 0);
    }
    this.ref[i] = ref;
  }

  /** time at which the linear path l0 → l1 over [t0, t0+dt] reaches `level`, rounded to whole µs */
  private crossingTime(l0: number, l1: number, level: number, t0: number, dt: number): number {
    const d = l1 - l0;
    // the reference starts within one threshold of l0, so the crossing lies on the path
    const a = Math.min(1, Math.max(0, (level - l0) / d));
    return Math.round(t0 + a * dt);
  }

  private emit(x: number, y: number, i: number, t: number, p: number): void {
    // also catches shot noise drawn before an event already kept at this pixel in this frame
    if (t - this.lastT[i] < this.options.refractoryUs) {
      this.refractoryDropped++;
      return;
    }
    this.lastT[i] = t;
    this.ex.push(x);
    this.ey.push(y);
    this.et.push(t);
    this.ep.push(p);
  }

  private sorted(): EventBatch {
    const m = this.et.length;
    const order = new Uint32Array(m);
    for (let k = 0; k < m; k++) order[k] = k;
    const et = this.et;
    order.sort((a, b) => et[a] - et[b] || a - b);
    const x = new Uint16Array(m);
    const y = new Uint16Array(m);
    const t = new Float64Array(m);
    const p = new Uint8Array(m);
    for (let k = 0; k < m; k++) {
      const j = order[k];
      x[k] = this.ex[j];
      y[k] = this.ey[j];
      t[k] = et[j];
      p[k] = this.ep[j];
    }
    return { length: m, x, y, t, p };
  }
}

export function emptyBatch(): EventBatch {
  return { length: 0, x: new Uint16Array(0), y: new Uint16Array(0), t: new Float64Array(0), p: new Uint8Array(0) };
}
