// Synthetic scenes: a bright hand-like blob in front of a darker textured background, moving
// along one of a few gesture trajectories. Every recording draws its own background; every
// gesture its own size, position, amplitude, speed, brightness and orientation, so that a
// classifier has to learn the motion rather than the look.

import { Rng } from '../../prng.js';

/** Class names in label order; DVS128 Gesture-style label files number them from 1. */
export const GESTURES = [
  'swipe_left',
  'swipe_right',
  'swipe_up',
  'swipe_down',
  'circle_cw',
  'circle_ccw',
  'clap',
] as const;
export type Gesture = (typeof GESTURES)[number];

export interface Background {
  width: number;
  height: number;
  /** linear intensity, row-major */
  image: Float32Array;
}

export interface HandMotion {
  gesture: Gesture;
  /** duration of the motion itself (s) */
  durationS: number;
  /** trajectory centre (px) */
  cx: number;
  cy: number;
  /** half the swipe length, circle radius or clap half-distance (px) */
  amplitude: number;
  /** blob radii (px) and orientation (rad) */
  rx: number;
  ry: number;
  angle: number;
  /** linear intensity of the hand, brighter than the background */
  level: number;
  /** circles: turns; clap: claps */
  repeats: number;
  /** start angle of circles (rad) */
  phase: number;
}

export interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** A darker background textured by a few random gratings (edges for the hand to uncover). */
export function sampleBackground(rng: Rng, width = 128, height = 128): Background {
  const level = rng.uniform(0.08, 0.25);
  const amp = rng.uniform(0.2, 0.5);
  const g: number[] = [];
  for (let k = 0; k < 4; k++) {
    const freq = rng.uniform(0.08, 0.4);
    const dir = rng.uniform(0, Math.PI);
    g.push(freq * Math.cos(dir), freq * Math.sin(dir), rng.uniform(0, 2 * Math.PI), rng.uniform(0.3, 1));
  }
  let wsum = 0;
  for (let k = 3; k < g.length; k += 4) wsum += g[k];
  const image = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let v = 0;
      for (let k = 0; k < g.length; k += 4) v += g[k + 3] * Math.sin(g[k] * x + g[k + 1] * y + g[k + 2]);
      image[y * width + x] = level * (1 + amp * (v / wsum));
    }
  }
  return { width, height, image };
}

export function sampleMotion(gesture: Gesture, rng: Rng, width = 128, height = 128): HandMotion {
  const s = Math.min(width, height) / 128;
  const r = rng.uniform(10, 16) * s;
  return {
    gesture,
    durationS: rng.uniform(0.8, 1.4),
    cx: width / 2 + rng.uniform(-10, 10) * s,
    cy: height / 2 + rng.uniform(-10, 10) * s,
    amplitude: rng.uniform(26, 40) * s,
    rx: r * rng.uniform(0.8, 1.2),
    ry: r * rng.uniform(0.8, 1.2),
    angle: rng.uniform(0, Math.PI),
    level: rng.uniform(0.5, 0.9),
    repeats: gesture === 'clap' ? 2 : rng.uniform(1, 1.5),
    phase: rng.uniform(0, 2 * Math.PI),
  };
}

/** smooth 0 → 1 over [0, 1] with zero velocity at both ends, like a hand starting and stopping */
function ease(u: number): number {
  const v = Math.min(1, Math.max(0, u));
  return 0.5 - 0.5 * Math.cos(Math.PI * v);
}

/** Blob centres at normalised motion time u ∈ [0, 1] (one blob, two for a clap). */
export function blobCentres(m: HandMotion, u: number): Array<[number, number]> {
  const a = m.amplitude;
  const e = ease(u);
  switch (m.gesture) {
    case 'swipe_left':
      return [[m.cx + a - 2 * a * e, m.cy]];
    case 'swipe_right':
      return [[m.cx - a + 2 * a * e, m.cy]];
    case 'swipe_up': // image rows grow downwards
      return [[m.cx, m.cy + a - 2 * a * e]];
    case 'swipe_down':
      return [[m.cx, m.cy - a + 2 * a * e]];
    case 'circle_cw': {
      // clockwise as seen on the image (y down): the angle grows
      const th = m.phase + 2 * Math.PI * m.repeats * e;
      return [[m.cx + a * Math.cos(th), m.cy + a * Math.sin(th)]];
    }
    case 'circle_ccw': {
      const th = m.phase - 2 * Math.PI * m.repeats * e;
      return [[m.cx + a * Math.cos(th), m.cy + a * Math.sin(th)]];
    }
    case 'clap': {
      // two hands meet in the middle `repeats` times
      const d = m.rx + (a - m.rx) * Math.abs(Math.cos(Math.PI * m.repeats * e));
      return [
        [m.cx - d, m.cy],
        [m.cx + d, m.cy],
      ];
    }
  }
}

const EDGE = 1.5; // px of soft edge, so that sub-pixel motion changes intensity smoothly

/** Pixels the hand covers at time u, clipped to the sensor (null when it is off-sensor). */
export function handBounds(m: HandMotion, u: number, width: number, height: number): Rect | null {
  const reach = Math.max(m.rx, m.ry) + 2 * EDGE;
  let r: Rect | null = null;
  for (const [bx, by] of blobCentres(m, u)) {
    const b = {
      x0: Math.max(0, Math.floor(bx - reach)),
      y0: Math.max(0, Math.floor(by - reach)),
      x1: Math.min(width - 1, Math.ceil(bx + reach)),
      y1: Math.min(height - 1, Math.ceil(by + reach)),
    };
    if (b.x0 > b.x1 || b.y0 > b.y1) continue;
    r = unionRect(r, b);
  }
  return r;
}

export function unionRect(a: Rect | null, b: Rect | null): Rect | null {
  if (!a) return b;
  if (!b) return a;
  return { x0: Math.min(a.x0, b.x0), y0: Math.min(a.y0, b.y0), x1: Math.max(a.x1, b.x1), y1: Math.max(a.y1, b.y1) };
}

/**
 * Render `rect` of the frame into `out`: the background, then the hand blobs at motion time u
 * with opacity `alpha` (hands fade in before and out after a gesture). Pixels outside `rect`
 * are left as they are: the caller passes the union of the hand's old and new bounds.
 */
export function renderRegion(bg: Background, m: HandMotion | null, u: number, alpha: number, rect: Rect, out: Float32Array): void {
  const w = bg.width;
  for (let y = rect.y0; y <= rect.y1; y++) {
    const row = y * w;
    out.set(bg.image.subarray(row + rect.x0, row + rect.x1 + 1), row + rect.x0);
  }
  if (!m || alpha <= 0) return;
  const cos = Math.cos(m.angle);
  const sin = Math.sin(m.angle);
  const rmin = Math.min(m.rx, m.ry);
  for (const [bx, by] of blobCentres(m, u)) {
    for (let y = rect.y0; y <= rect.y1; y++) {
      for (let x = rect.x0; x <= rect.x1; x++) {
        const dx = x - bx;
        const dy = y - by;
        const ux = (dx * cos + dy * sin) / m.rx;
        const uy = (-dx * sin + dy * cos) / m.ry;
        const dist = (Math.sqrt(ux * ux + uy * uy) - 1) * rmin; // ≈ px outside the edge
        const cover = alpha * Math.min(1, Math.max(0, 0.5 - dist / (2 * EDGE)));
        if (cover <= 0) continue;
        // a little shading inside the hand (fingers, knuckles) so that its interior is not flat
        const shade = m.level * (0.85 + 0.15 * Math.cos(3 * ux) * Math.cos(3 * uy));
        const i = y * w + x;
        out[i] = out[i] * (1 - cover) + shade * cover;
      }
    }
  }
}
