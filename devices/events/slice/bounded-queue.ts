// From push to pull with a bound: subscribes to an observable (a live source, a slicer) and hands its
// values to a consumer that pulls at its own pace (inference). At most `max` values wait; when the
// consumer falls behind, either the oldest waiting value is dropped and counted, or the iteration
// fails with QueueOverflowError — never unbounded memory, never a silent loss.

import type { Observable } from 'rxjs';

export type OverflowPolicy = 'drop-oldest' | 'error';

export class QueueOverflowError extends Error {
  override readonly name = 'QueueOverflowError';
  constructor(readonly max: number) {
    super(`bounded queue: more than ${max} values waiting; the consumer is too slow`);
  }
}

export interface BoundedQueue<T> extends AsyncIterable<T> {
  /** values dropped by 'drop-oldest' so far */
  readonly dropped: number;
  /** values waiting now */
  readonly size: number;
}

export function toBoundedAsyncIterable<T>(source: Observable<T>, max: number, overflow: OverflowPolicy = 'error'): BoundedQueue<T> {
  if (!(Number.isInteger(max) && max >= 1)) throw new RangeError(`bounded queue: max must be an integer >= 1, got ${max}`);
  const queue: T[] = [];
  let head = 0;
  let dropped = 0;
  let done = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  let subscription: { unsubscribe(): void } | undefined;

  async function* iterate(): AsyncGenerator<T> {
    subscription = source.subscribe({
      next: (value) => {
        if (queue.length - head >= max) {
          if (overflow === 'error') {
            failure ??= { error: new QueueOverflowError(max) };
            subscription?.unsubscribe();
          } else {
            head++;
            dropped++;
          }
        }
        if (!failure) queue.push(value);
        notify();
      },
      error: (error) => {
        failure = { error };
        notify();
      },
      complete: () => {
        done = true;
        notify();
      },
    });
    try {
      for (;;) {
        if (head < queue.length) {
          const value = queue[head];
          queue[head++] = undefined as T;
          if (head > 1024 && head * 2 > queue.length) {
            queue.splice(0, head);
            head = 0;
          }
          yield value;
        } else if (failure) throw failure.error;
        else if (done) return;
        else await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      subscription?.unsubscribe();
    }
  }

  return {
    get dropped() {
      return dropped;
    },
    get size() {
      return queue.length - head;
    },
    [Symbol.asyncIterator]: iterate,
  };
}
