// The event camera simulator: the pixel model's arithmetic on hand-made frames, then the statistics of
// whole simulated sessions (ordering, refractory period, noise rates, polarity balance, determinism,
// gesture motion) measured on the events it emits.

import { describe, expect, it } from 'vitest';
import { concatBatches } from '../../devices/events/batch.js';
import type { EventBatch } from '../../devices/events/types.js';
import { EventCamera, Rng, planSession, renderSession, simulateGesture, type Gesture } from '../../devices/events/sim/index.js';

const quiet = { thresholdSigma: 0, shotNoiseHz: 0, leakNoiseHz: 0, refractoryUs: 0, logEps: 0 };

function all(batches: Iterable<EventBatch>): EventBatch {
  return concatBatches([...batches]);
}

describe('Rng', () => {
  // pinned: the zoo gesture data (sfc32) and the sensor fleet's phases (mulberry32) depend on them
  it('produces the same words for a seed as it always has, on both cores', () => {
    const sfc = new Rng(42);
    expect([sfc.nextU32(), sfc.nextU32(), sfc.nextU32()]).toEqual([1028872839, 2516511472, 400437680]);
    const mul = Rng.mulberry32(7);
    expect([mul.nextU32(), mul.nextU32(), mul.nextU32()]).toEqual([50271532, 266108690, 4195786334]);
    expect(Rng.mulberry32(7).next()).toBe(50271532 / 2 ** 32);
  });

  it('forks keep their core and do not replay the parent', () => {
    const parent = Rng.mulberry32(7);
    const child = parent.fork();
    const seed = Rng.mulberry32(7).nextU32();
    expect(child.nextU32()).toBe(Rng.mulberry32(seed).nextU32());
    expect(child.nextU32()).not.toBe(parent.nextU32());
  });
});

describe('EventCamera pixel model', () => {
  it('emits one event per threshold crossed, timestamps interpolated linearly inside the frame', () => {
    const cam = new EventCamera({ width: 1, height: 1, thresholdOn: 0.2, thresholdOff: 0.2, ...quiet }, new Rng(1));
    cam.frame(new Float32Array([1]), 0);
    // reference starts at a random phase within ±thr/2 of log(1) = 0; drive log intensity up by 1.0 in one frame
    const b = cam.frame(new Float32Array([Math.E]), 1000);
    expect([4, 5, 6]).toContain(b.length);
    expect(Array.from(b.p).every((p) => p === 1)).toBe(true);
    // equal log steps along a linear path: equal time steps (0.2 of the frame = 200 µs, rounded to µs)
    for (let i = 1; i < b.length; i++) expect(Math.abs(b.t[i] - b.t[i - 1] - 200)).toBeLessThanOrEqual(1);
    // going back down gives OFF events, as many as ON events give or take one
    const back = cam.frame(new Float32Array([1]), 2000);
    expect(Array.from(back.p).every((p) => p === 0)).toBe(true);
    expect(Math.abs(back.length - b.length)).toBeLessThanOrEqual(1);
    expect(back.t[0]).toBeGreaterThan(1000);
    expect(back.t[back.length - 1]).toBeLessThanOrEqual(2000);
  });

  it('a static scene without noise emits nothing; a changing one does not emit on unchanged pixels', () => {
    const cam = new EventCamera({ width: 4, height: 4, ...quiet, thresholdOn: 0.1, thresholdOff: 0.1 }, new Rng(2));
    const img = new Float32Array(16).fill(0.5);
    cam.frame(img, 0);
    expect(cam.frame(img, 1000).length).toBe(0);
    img[5] = 1;
    const b = cam.frame(img, 2000);
    expect(b.length).toBeGreaterThan(0);
    expect(Array.from(b.x).every((x) => x === 1) && Array.from(b.y).every((y) => y === 1)).toBe(true);
  });

  it('drops events inside the refractory period and counts them', () => {
    const cam = new EventCamera({ width: 1, height: 1, ...quiet, thresholdOn: 0.1, thresholdOff: 0.1, refractoryUs: 300 }, new Rng(3));
    cam.frame(new Float32Array([1]), 0);
    const b = cam.frame(new Float32Array([Math.exp(1)]), 1000); // ~10 crossings 100 µs apart
    for (let i = 1; i < b.length; i++) expect(b.t[i] - b.t[i - 1]).toBeGreaterThanOrEqual(300);
    expect(b.length).toBeLessThanOrEqual(4);
    expect(cam.refractoryDropped + b.length).toBeGreaterThanOrEqual(9);
  });

  it('rejects a frame of the wrong size or a time that does not advance, naming the problem', () => {
    const cam = new EventCamera({ width: 2, height: 2 }, new Rng(4));
    expect(() => cam.frame(new Float32Array(3), 0)).toThrow(/3 values, expected 2×2/);
    cam.frame(new Float32Array(4), 0);
    expect(() => cam.frame(new Float32Array(4), 0)).toThrow(/not after the previous frame/);
  });
});

describe('simulated sessions', () => {
  const plan = planSession({ seed: 42, count: 7 });
  const ev = all(renderSession(plan));

  it('events are time-ordered integer µs on the 128×128 sensor', () => {
    expect(ev.length).toBeGreaterThan(50_000);
    for (let i = 0; i < ev.length; i++) {
      if (ev.x[i] >= 128 || ev.y[i] >= 128 || !Number.isInteger(ev.t[i]) || (i > 0 && ev.t[i] < ev.t[i - 1])) {
        throw new Error(`event ${i} breaks the contract: (${ev.x[i]}, ${ev.y[i]}) t=${ev.t[i]} after ${ev.t[i - 1]}`);
      }
    }
    expect(ev.t[ev.length - 1]).toBeLessThanOrEqual(plan.durationUs);
  });

  it('honours the refractory period at every pixel', () => {
    const last = new Float64Array(128 * 128).fill(-Infinity);
    let minGap = Infinity;
    for (let i = 0; i < ev.length; i++) {
      const k = ev.y[i] * 128 + ev.x[i];
      minGap = Math.min(minGap, ev.t[i] - last[k]);
      last[k] = ev.t[i];
    }
    expect(minGap).toBeGreaterThanOrEqual(plan.camera.refractoryUs);
  });

  it('idle periods carry shot + leak noise at the configured rate; gestures are far busier', () => {
    let idleEvents = 0;
    let idleOn = 0;
    let idleUs = 0;
    let busyEvents = 0;
    let busyUs = 0;
    const count = (a: number, b: number) => {
      let n = 0;
      let on = 0;
      for (let i = 0; i < ev.length; i++) if (ev.t[i] >= a && ev.t[i] < b) (n++, (on += ev.p[i]));
      return { n, on };
    };
    const g = plan.gestures;
    for (let k = 0; k + 1 < g.length; k++) {
      // between one hand fading out and the next fading in, the scene is static
      const a = g[k].fadeOutEndUs + 5_000;
      const b = g[k + 1].fadeInStartUs;
      const c = count(a, b);
      idleEvents += c.n;
      idleOn += c.on;
      idleUs += b - a;
      const d = count(g[k].startUs, g[k].endUs);
      busyEvents += d.n;
      busyUs += g[k].endUs - g[k].startUs;
    }
    const cam = plan.camera;
    const expected = ((cam.shotNoiseHz + cam.leakNoiseHz) * 128 * 128 * idleUs) / 1e6;
    // Poisson counts of several thousand: ±15% is many standard deviations
    expect(idleEvents).toBeGreaterThan(0.85 * expected);
    expect(idleEvents).toBeLessThan(1.15 * expected);
    // leak noise is ON only, shot noise half ON
    const onShare = (cam.shotNoiseHz / 2 + cam.leakNoiseHz) / (cam.shotNoiseHz + cam.leakNoiseHz);
    expect(Math.abs(idleOn / idleEvents - onShare)).toBeLessThan(0.05);
    expect(busyEvents / busyUs).toBeGreaterThan((5 * idleEvents) / idleUs);
  });

  it('gesture events are balanced between ON and OFF (a bright hand arriving and leaving)', () => {
    let n = 0;
    let on = 0;
    for (const g of plan.gestures) {
      for (let i = 0; i < ev.length; i++) if (ev.t[i] >= g.startUs && ev.t[i] < g.endUs) (n++, (on += ev.p[i]));
    }
    expect(on / n).toBeGreaterThan(0.35);
    expect(on / n).toBeLessThan(0.65);
  });

  it('is deterministic by seed and different across seeds', () => {
    const again = all(renderSession(planSession({ seed: 42, count: 7 })));
    expect(again.length).toBe(ev.length);
    expect(Buffer.from(again.t.buffer).equals(Buffer.from(ev.t.buffer))).toBe(true);
    expect(Buffer.from(again.x.buffer).equals(Buffer.from(ev.x.buffer))).toBe(true);
    expect(Buffer.from(again.p.buffer).equals(Buffer.from(ev.p.buffer))).toBe(true);
    const other = all(renderSession(planSession({ seed: 43, count: 7 })));
    expect(other.length).not.toBe(ev.length);
  });

  it('plans every class equally often, with DVS128-style 1-based class ids', () => {
    const p = planSession({ seed: 7, count: 14 });
    const counts = new Map<string, number>();
    for (const g of p.gestures) counts.set(g.gesture, (counts.get(g.gesture) ?? 0) + 1);
    expect([...counts.values()]).toEqual(Array(7).fill(2));
    for (const g of p.gestures) expect(g.classId).toBeGreaterThanOrEqual(1);
  });
});

describe('gesture scenes move the way their names say', () => {
  // centroid of the events in the first and last third of the motion
  function drift(gesture: Gesture, seed: number) {
    const { batches, labels } = simulateGesture(gesture, seed, { camera: { shotNoiseHz: 0, leakNoiseHz: 0 } });
    const ev = all(batches);
    const { startUs, endUs } = labels[0];
    const third = (endUs - startUs) / 3;
    const centroid = (a: number, b: number) => {
      let sx = 0;
      let sy = 0;
      let n = 0;
      for (let i = 0; i < ev.length; i++) if (ev.t[i] >= a && ev.t[i] < b) (sx += ev.x[i], (sy += ev.y[i]), n++);
      return [sx / n, sy / n];
    };
    const [x0, y0] = centroid(startUs, startUs + third);
    const [x1, y1] = centroid(endUs - third, endUs);
    return { dx: x1 - x0, dy: y1 - y0 };
  }

  it.each([1, 2, 3])('swipes (seed %i)', (seed) => {
    expect(drift('swipe_left', seed).dx).toBeLessThan(-10);
    expect(drift('swipe_right', seed).dx).toBeGreaterThan(10);
    expect(drift('swipe_up', seed).dy).toBeLessThan(-10);
    expect(drift('swipe_down', seed).dy).toBeGreaterThan(10);
  });

  it('circles turn the named way (signed area swept by the event centroid)', () => {
    for (const [gesture, sign] of [['circle_cw', 1], ['circle_ccw', -1]] as const) {
      const { batches, labels } = simulateGesture(gesture, 5, { camera: { shotNoiseHz: 0, leakNoiseHz: 0 } });
      const ev = all(batches);
      const { startUs, endUs } = labels[0];
      const bins = 40;
      const pts: Array<[number, number]> = [];
      for (let b = 0; b < bins; b++) {
        const a = startUs + ((endUs - startUs) * b) / bins;
        const z = startUs + ((endUs - startUs) * (b + 1)) / bins;
        let sx = 0;
        let sy = 0;
        let n = 0;
        for (let i = 0; i < ev.length; i++) if (ev.t[i] >= a && ev.t[i] < z) (sx += ev.x[i], (sy += ev.y[i]), n++);
        if (n > 20) pts.push([sx / n, sy / n]);
      }
      const cx = pts.reduce((s, p) => s + p[0], 0) / pts.length;
      const cy = pts.reduce((s, p) => s + p[1], 0) / pts.length;
      let area = 0;
      for (let k = 1; k < pts.length; k++) {
        area += (pts[k - 1][0] - cx) * (pts[k][1] - cy) - (pts[k][0] - cx) * (pts[k - 1][1] - cy);
      }
      // with y pointing down, a clockwise turn on the image has a positive cross product
      expect(Math.sign(area)).toBe(sign);
    }
  });
});
