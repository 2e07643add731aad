// Passes keyed messages through and calls `evict(key)` once a key has been silent for `idleMs`.
// One timer per key, re-armed lazily: a message only records its time, and the timer, when it
// fires early, sleeps again for the remainder, so busy keys cost a Map write per message.
import { asyncScheduler, Observable, type MonoTypeOperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import type { Runtime, Snapshot } from '../api.js';

export interface EvictIdleOptions<M> {
  key: (message: M) => string;
  idleMs: number;
  evict: (key: string) => void | Promise<void>;
  /** eviction failures (the pipeline goes on). Default: console.error. */
  onError?: (error: unknown, key: string) => void;
  scheduler?: SchedulerLike;
}

export function evictIdle<M>(opts: EvictIdleOptions<M>): MonoTypeOperatorFunction<M> {
  const scheduler = opts.scheduler ?? asyncScheduler;
  const onError = opts.onError ?? ((e, k) => console.error(`evictIdle: evicting ${k} failed`, e));
  return (source) =>
    new Observable<M>((subscriber) => {
      const lastSeen = new Map<string, number>();
      const timers = new Map<string, Subscription>();

      const arm = (key: string, delay: number) => {
        timers.set(
          key,
          scheduler.schedule(() => {
            const idle = scheduler.now() - lastSeen.get(key)!;
            if (idle < opts.idleMs) return arm(key, opts.idleMs - idle);
            timers.delete(key);
            lastSeen.delete(key);
            try {
              Promise.resolve(opts.evict(key)).catch((e) => onError(e, key));
            } catch (e) {
              onError(e, key);
            }
          }, delay),
        );
      };

      const sub = source.subscribe({
        next: (m) => {
          const key = opts.key(m);
          lastSeen.set(key, scheduler.now());
          if (!timers.has(key)) arm(key, opts.idleMs);
          subscriber.next(m);
        },
        error: (e) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
      return () => {
        sub.unsubscribe();
        for (const t of timers.values()) t.unsubscribe();
        timers.clear();
      };
    });
}

/** An evict function for evictIdle: snapshot the stream (if asked), then close it. */
export function closeStream(
  rt: Pick<Runtime, 'has' | 'get' | 'snapshot'>,
  opts: { beforeClose?: (key: string, snapshot: Snapshot) => void | Promise<void> } = {},
): (key: string) => Promise<void> {
  return async (key) => {
    if (!rt.has(key)) return;
    if (opts.beforeClose) await opts.beforeClose(key, await rt.snapshot([key]));
    await rt.get(key).close();
  };
}
