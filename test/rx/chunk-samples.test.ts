import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { chunkSamples } from '../../src/rx/index.js';

const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('chunkSamples', () => {
  it('by count: full chunks, then the partial rest on completion', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const src = cold('a-b-c-d-e-|');
      expectObservable(src.pipe(chunkSamples({ count: 2 }))).toBe('--x---y---(z|)', {
        x: ['a', 'b'],
        y: ['c', 'd'],
        z: ['e'],
      });
    });
  });

  it('by time: a chunk per window, empty windows emit nothing', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const src = cold('ab 7ms c 20ms d|');
      expectObservable(src.pipe(chunkSamples({ timeMs: 5 }))).toBe('5ms x 4ms y 19ms z|', {
        x: ['a', 'b'],
        y: ['c'],
        z: ['d'],
      });
    });
  });

  it('by count and time: whichever comes first', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const src = cold('abc 10ms d 10ms |');
      expectObservable(src.pipe(chunkSamples({ count: 2, timeMs: 6 }))).toBe('-x 5ms y 5ms z 10ms |', {
        x: ['a', 'b'],
        y: ['c'],
        z: ['d'],
      });
    });
  });

  it('refuses nonsense options', () => {
    expect(() => chunkSamples({})).toThrow(/count, timeMs or both/);
    expect(() => chunkSamples({ count: 0 })).toThrow(RangeError);
    expect(() => chunkSamples({ timeMs: -1 })).toThrow(RangeError);
  });
});
