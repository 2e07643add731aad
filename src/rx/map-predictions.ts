// Keyed messages -> keyed predictions. Each message is stepped on its key's stream as soon as it
// is taken from the source, so messages of different keys arriving together share a batch (the
// runtime gathers within a tick). Per-key output order is kept even if results settle out of
// order; at most `maxInFlight` messages are being predicted, up to `maxQueued` more wait, and
// beyond that a message is refused with OverloadError on the error output (never dropped
// silently). Push sources that can pause (an MQTT socket, a Node stream) get backpressure through
// `pressure`: told to pause when the queue reaches its high-water mark and to resume once it has
// drained to half of it. Failures of single messages go to `errors`; the pipeline keeps running.
import { Observable, type Observer, type OperatorFunction } from 'rxjs';
import type { Prediction, Runtime, Sample } from '../api.js';
import { OverloadError } from '../errors.js';

export { OverloadError };

export interface Predicted<M> {
  key: string;
  message: M;
  prediction: Prediction;
}

export interface Failed<M> {
  key: string;
  message: M;
  error: Error;
}

export interface MapPredictionsOptions<M> {
  key: (message: M) => string;
  sample: (message: M) => Sample;
  /** where per-message failures go (bad input, closed stream, overload). */
  errors: Pick<Observer<Failed<M>>, 'next'>;
  /** messages being predicted at once. Default 1024. */
  maxInFlight?: number;
  /** messages waiting for an in-flight slot before new ones are refused. Default 65536. */
  maxQueued?: number;
  /** backpressure for a source that can pause: called with true when `highWater` messages are
   * waiting, with false when they have drained to half of it. */
  pressure?: (pause: boolean) => void;
  /** waiting messages that trigger `pressure(true)`. Default maxQueued / 2. */
  highWater?: number;
}

type Outcome<M> = { ok: true; value: Predicted<M> } | { ok: false; value: Failed<M> };

export function mapPredictions<M>(
  rt: Pick<Runtime, 'stream'>,
  opts: MapPredictionsOptions<M>,
): OperatorFunction<M, Predicted<M>> {
  const maxInFlight = opts.maxInFlight ?? 1024;
  const maxQueued = opts.maxQueued ?? 65536;
  const highWater = Math.max(1, Math.min(opts.highWater ?? Math.floor(maxQueued / 2), maxQueued));
  return (source) =>
    new Observable<Predicted<M>>((subscriber) => {
      const waiting: M[] = [];
      let inFlight = 0;
      let sourceDone = false;
      let paused = false;
      const signal = () => {
        const pause = paused ? waiting.length > highWater / 2 : waiting.length >= highWater;
        if (pause !== paused) opts.pressure?.((paused = pause));
      };
      // Per key: results not yet emitted, in issue order; emitted from the head as they settle.
      const pending = new Map<string, Array<{ done: boolean; outcome?: Outcome<M> }>>();

      const emit = (key: string) => {
        const q = pending.get(key)!;
        while (q.length > 0 && q[0]!.done) {
          const { outcome } = q.shift()!;
          if (outcome!.ok) subscriber.next(outcome!.value);
          else opts.errors.next(outcome!.value);
        }
        if (q.length === 0) pending.delete(key);
      };

      const finishIfDone = () => {
        if (sourceDone && inFlight === 0 && waiting.length === 0) subscriber.complete();
      };

      const start = (message: M) => {
        let key: string;
        let p: Promise<Prediction>;
        try {
          key = opts.key(message);
          p = rt.stream(key).step(opts.sample(message));
        } catch (e) {
          opts.errors.next({ key: safeKey(opts.key, message), message, error: e as Error });
          return;
        }
        const slot: { done: boolean; outcome?: Outcome<M> } = { done: false };
        let q = pending.get(key);
        if (!q) pending.set(key, (q = []));
        q.push(slot);
        inFlight++;
        p.then(
          (prediction) => (slot.outcome = { ok: true, value: { key, message, prediction } }),
          (error: Error) => (slot.outcome = { ok: false, value: { key, message, error } }),
        ).then(() => {
          slot.done = true;
          inFlight--;
          emit(key);
          while (inFlight < maxInFlight && waiting.length > 0) start(waiting.shift()!);
          signal();
          finishIfDone();
        });
      };

      const sub = source.subscribe({
        next: (message) => {
          if (inFlight < maxInFlight) start(message);
          else if (waiting.length < maxQueued) {
            waiting.push(message);
            signal();
          } else opts.errors.next({ key: safeKey(opts.key, message), message, error: new OverloadError(safeKey(opts.key, message), waiting.length) });
        },
        error: (e) => subscriber.error(e),
        complete: () => {
          sourceDone = true;
          finishIfDone();
        },
      });
      return () => sub.unsubscribe();
    });
}

function safeKey<M>(key: (m: M) => string, m: M): string {
  try {
    return key(m);
  } catch {
    return '?';
  }
}
