// Live mode: a simulated camera that delivers its events in real time (or `speed` times faster),
// as an endless async iterable of batches, each released when the wall clock reaches its last event.

import type { EventBatch } from '../types.js';
import { planSession, renderSession, sessionLabels, type GestureLabel, type SessionOptions } from './simulate.js';

export interface LiveOptions extends Omit<SessionOptions, 'seed'> {
  seed: number;
  /** 1 = real time; 2 = twice as fast */
  speed?: number;
  /** stop after this much simulated time (µs); default: forever */
  durationUs?: number;
  /** called with each session's ground-truth labels (absolute µs on the live clock) when it starts */
  onLabels?: (labels: GestureLabel[]) => void;
  signal?: AbortSignal;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

/** Sessions one after another (seed, seed+1, …) on one continuous clock starting at 0 µs. */
export async function* liveEvents(opts: LiveOptions): AsyncGenerator<EventBatch> {
  const speed = opts.speed ?? 1;
  const start = performance.now();
  let offset = 0;
  for (let s = 0; ; s++) {
    const plan = planSession({ ...opts, seed: opts.seed + s });
    opts.onLabels?.(sessionLabels(plan).map((l) => ({ ...l, startUs: l.startUs + offset, endUs: l.endUs + offset })));
    for (const batch of renderSession(plan)) {
      if (opts.signal?.aborted) return;
      const t = batch.t;
      if (offset > 0) for (let i = 0; i < batch.length; i++) t[i] += offset;
      if (opts.durationUs !== undefined && t[0] >= opts.durationUs) return;
      await sleep((t[batch.length - 1] / 1e3) / speed - (performance.now() - start), opts.signal);
      yield batch;
    }
    offset += plan.durationUs;
  }
}
