// Recordings: a session is one sensor (its own threshold mismatch and noise) in front of one
// background, with a sequence of gestures separated by idle gaps, like a DVS128 Gesture file.
// The plan (which gesture when) is drawn first from the seed; rendering then yields the events.

import type { EventBatch } from '../types.js';
import { EventCamera, type CameraOptions } from './camera.js';
import { Rng } from '../../prng.js';
import {
  GESTURES,
  type Background,
  type Gesture,
  type HandMotion,
  type Rect,
  handBounds,
  renderRegion,
  sampleBackground,
  sampleMotion,
  unionRect,
} from './scene.js';

export interface SessionOptions {
  seed: number;
  /** gestures in the session, cycling through `gestures` in a seeded random order */
  count?: number;
  /** classes to draw from (default: all) */
  gestures?: readonly Gesture[];
  width?: number;
  height?: number;
  /** the fine time step at which the scene is rendered (µs); v2e advises < 1 px of motion per frame */
  frameUs?: number;
  /** the time step while no hand is in view, when only noise happens (µs) */
  idleFrameUs?: number;
  /** camera parameters; unset ones are drawn per session around the defaults */
  camera?: Partial<CameraOptions>;
}

export interface GestureLabel {
  gesture: Gesture;
  /** 1-based class number, as in DVS128 Gesture label files */
  classId: number;
  startUs: number;
  endUs: number;
}

interface PlannedGesture extends GestureLabel {
  motion: HandMotion;
  fadeInStartUs: number;
  fadeOutEndUs: number;
}

export interface SessionPlan {
  width: number;
  height: number;
  frameUs: number;
  idleFrameUs: number;
  camera: CameraOptions;
  background: Background;
  gestures: PlannedGesture[];
  durationUs: number;
  cameraSeed: number;
}

const FADE_US = 150_000;

/** Draw everything about a session from its seed, without rendering it. */
export function planSession(opts: SessionOptions): SessionPlan {
  const rng = new Rng(opts.seed);
  const width = opts.width ?? 128;
  const height = opts.height ?? 128;
  const classes = opts.gestures ?? GESTURES;
  const count = opts.count ?? classes.length;
  // per-sensor variation around v2e-like defaults
  const thr = rng.uniform(0.25, 0.4);
  const camera: CameraOptions = {
    width,
    height,
    thresholdOn: thr * rng.uniform(0.9, 1.1),
    thresholdOff: thr * rng.uniform(0.9, 1.1),
    thresholdSigma: rng.uniform(0.02, 0.05),
    refractoryUs: rng.uniform(500, 2000),
    shotNoiseHz: rng.uniform(0.02, 0.2),
    leakNoiseHz: rng.uniform(0.01, 0.1),
    logEps: 0.01,
    ...opts.camera,
  };
  const background = sampleBackground(rng.fork(), width, height);
  // a shuffled cycle through the classes, so that every class is present equally often
  const order: Gesture[] = [];
  while (order.length < count) {
    const cycle = [...classes];
    for (let i = cycle.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [cycle[i], cycle[j]] = [cycle[j], cycle[i]];
    }
    order.push(...cycle);
  }
  order.length = count;
  const gestures: PlannedGesture[] = [];
  let t = Math.round(rng.uniform(100_000, 300_000));
  for (const gesture of order) {
    const motion = sampleMotion(gesture, rng.fork(), width, height);
    const fadeInStartUs = t;
    const startUs = t + FADE_US;
    const endUs = startUs + Math.round(motion.durationS * 1e6);
    const fadeOutEndUs = endUs + FADE_US;
    gestures.push({ gesture, classId: GESTURES.indexOf(gesture) + 1, startUs, endUs, motion, fadeInStartUs, fadeOutEndUs });
    t = fadeOutEndUs + Math.round(rng.uniform(200_000, 500_000));
  }
  return {
    width,
    height,
    frameUs: opts.frameUs ?? 1000,
    idleFrameUs: opts.idleFrameUs ?? 5_000,
    camera,
    background,
    gestures,
    durationUs: t,
    cameraSeed: rng.nextU32(),
  };
}

export function sessionLabels(plan: SessionPlan): GestureLabel[] {
  return plan.gestures.map(({ gesture, classId, startUs, endUs }) => ({ gesture, classId, startUs, endUs }));
}

/** The hand state at time t: which motion, at which motion time u, with which opacity. */
function handAt(plan: SessionPlan, tUs: number): { m: HandMotion; u: number; alpha: number } | null {
  for (const g of plan.gestures) {
    if (tUs < g.fadeInStartUs || tUs > g.fadeOutEndUs) continue;
    if (tUs < g.startUs) return { m: g.motion, u: 0, alpha: (tUs - g.fadeInStartUs) / FADE_US };
    if (tUs > g.endUs) return { m: g.motion, u: 1, alpha: (g.fadeOutEndUs - tUs) / FADE_US };
    return { m: g.motion, u: (tUs - g.startUs) / (g.endUs - g.startUs), alpha: 1 };
  }
  return null;
}

/**
 * Render a session: yields one EventBatch per rendered frame that has events, in time order.
 * Deterministic: the same plan gives the same events.
 */
export function* renderSession(plan: SessionPlan): Generator<EventBatch> {
  const { width, height } = plan;
  const camera = new EventCamera(plan.camera, new Rng(plan.cameraSeed));
  const frame = new Float32Array(plan.background.image);
  camera.frame(frame, 0);
  let prevRect: Rect | null = null;
  let t = 0;
  while (t < plan.durationUs) {
    const hand = handAt(plan, t);
    const next = Math.min(plan.durationUs, t + (hand || prevRect ? plan.frameUs : plan.idleFrameUs));
    const now = handAt(plan, next);
    const rect = now ? handBounds(now.m, now.u, width, height) : null;
    const changed = unionRect(prevRect, rect);
    if (changed) renderRegion(plan.background, now?.m ?? null, now?.u ?? 0, now?.alpha ?? 0, changed, frame);
    const batch = camera.frame(frame, next, changed);
    prevRect = rect;
    t = next;
    if (batch.length > 0) yield batch;
  }
}

/** Events of a single gesture (one-gesture session): convenient for tests and demos. */
export function simulateGesture(gesture: Gesture, seed: number, opts: Omit<SessionOptions, 'seed' | 'gestures' | 'count'> = {}) {
  const plan = planSession({ ...opts, seed, gestures: [gesture], count: 1 });
  return { plan, labels: sessionLabels(plan), batches: renderSession(plan) };
}
