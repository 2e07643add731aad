import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { evictIdle } from '../../src/rx/index.js';

const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('evictIdle', () => {
  it('passes messages through and evicts each key exactly idleMs after its last message', () => {
    scheduler().run(({ cold, expectObservable, flush }) => {
      const evicted: string[] = [];
      const src = cold('a b 3ms a 20ms |');
      const out = src.pipe(
        evictIdle({ key: (m: string) => m, idleMs: 10, evict: (k) => void evicted.push(k) }),
      );
      expectObservable(out).toBe('a b 3ms a 20ms |');
      flush();
      expect(evicted).toEqual(['b', 'a']);
    });
  });

  it('evicts at the right virtual times and keeps busy keys', () => {
    const s = scheduler();
    s.run(({ cold, flush }) => {
      const evicted: Array<[string, number]> = [];
      // key x every 4ms for a while, y once.
      const src = cold('x y 2ms x 3ms x 3ms x 30ms |');
      src
        .pipe(evictIdle({ key: (m: string) => m, idleMs: 6, evict: (k) => void evicted.push([k, s.now()]) }))
        .subscribe();
      flush();
      // y last seen at 1 -> evicted at 7; x last seen at 12 -> evicted at 18.
      expect(evicted).toEqual([
        ['y', 7],
        ['x', 18],
      ]);
    });
  });

  it('a failing evict goes to onError and the pipeline continues', () => {
    const s = scheduler();
    s.run(({ cold, expectObservable, flush }) => {
      const failures: string[] = [];
      const out = cold('a 10ms b 10ms |').pipe(
        evictIdle({
          key: (m: string) => m,
          idleMs: 5,
          evict: (k) => {
            if (k === 'a') throw new Error('boom');
          },
          onError: (e, k) => failures.push(`${k}: ${(e as Error).message}`),
        }),
      );
      expectObservable(out).toBe('a 10ms b 10ms |');
      flush();
      expect(failures).toEqual(['a: boom']);
    });
  });

  it('stops its timers on unsubscribe', () => {
    const s = scheduler();
    s.run(({ cold, flush }) => {
      const evicted: string[] = [];
      const sub = cold('a').pipe(evictIdle({ key: (m: string) => m, idleMs: 5, evict: (k) => void evicted.push(k) })).subscribe();
      s.schedule(() => sub.unsubscribe(), 2);
      flush();
      expect(evicted).toEqual([]);
    });
  });
});
