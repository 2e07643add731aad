import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/mqtt/errors';
import { SeqTracker } from '../../src/mqtt/seq-tracker';
import { compileDevicePattern, devicePatternFromFilter, fillTopic } from '../../src/mqtt/topic';

describe('device patterns', () => {
  it('take the device from its level and reject other shapes', () => {
    const p = compileDevicePattern('sensors/{device}/imu');
    expect(p.filter).toBe('sensors/+/imu');
    expect(p.match('sensors/d7/imu')).toBe('d7');
    expect(p.match('sensors/d7/gps')).toBeUndefined();
    expect(p.match('sensors/a/b/imu')).toBeUndefined();
    expect(p.match('sensors//imu')).toBeUndefined();
  });

  it('support + and a trailing #', () => {
    const p = compileDevicePattern('site/+/{device}/#');
    expect(p.match('site/north/d1/imu/raw')).toBe('d1');
    expect(p.match('site/north/d1')).toBe('d1');
    expect(p.match('other/north/d1/imu')).toBeUndefined();
  });

  it('are derived from a filter by its first +', () => {
    expect(devicePatternFromFilter('sensors/+/imu')).toBe('sensors/{device}/imu');
    expect(devicePatternFromFilter('sensors/#')).toBeUndefined();
  });

  it('refuse patterns without exactly one {device}', () => {
    expect(() => compileDevicePattern('sensors/+/imu')).toThrow(ConfigError);
    expect(() => compileDevicePattern('{device}/{device}')).toThrow(/more than one/);
  });

  it('fill prediction topics', () => {
    expect(fillTopic('predictions/{device}', 'd1')).toBe('predictions/d1');
  });
});

describe('SeqTracker', () => {
  it('accepts increasing seqs, flags same or older ones as duplicates, and counts gaps', () => {
    const t = new SeqTracker();
    expect(t.accept('a', 0)).toEqual({ kind: 'next', gap: 0 });
    expect(t.accept('a', 1)).toEqual({ kind: 'next', gap: 0 });
    expect(t.accept('a', 1)).toEqual({ kind: 'duplicate', last: 1 });
    expect(t.accept('a', 0)).toEqual({ kind: 'duplicate', last: 1 });
    expect(t.accept('a', 5)).toEqual({ kind: 'next', gap: 3 });
    expect(t.accept('b', 2)).toEqual({ kind: 'next', gap: 2 }); // seqs start at 0: 0 and 1 were missed
    expect(t.toJSON()).toEqual({ a: 5, b: 2 });
  });

  it('tells a late sample (from inside a gap, never applied) from a duplicate', () => {
    const t = new SeqTracker();
    t.accept('a', 0);
    t.accept('a', 1);
    expect(t.accept('a', 5)).toEqual({ kind: 'next', gap: 3 });
    expect(t.accept('a', 3)).toEqual({ kind: 'late', last: 5 });
    expect(t.accept('a', 1)).toEqual({ kind: 'duplicate', last: 5 });
    expect(t.accept('a', 5)).toEqual({ kind: 'duplicate', last: 5 });
    expect(t.accept('b', 2).kind).toBe('next');
    expect(t.accept('b', 0)).toEqual({ kind: 'late', last: 2 }); // b's first sample was 2
    // only the most recent gaps are remembered
    for (let k = 0; k < 20; k++) t.accept('c', 2 * k);
    expect(t.accept('c', 37)).toEqual({ kind: 'late', last: 38 });
    expect(t.accept('c', 1)).toEqual({ kind: 'duplicate', last: 38 });
  });

  it('resumes from a snapshot', () => {
    const t = new SeqTracker({ a: 10 });
    expect(t.accept('a', 10).kind).toBe('duplicate');
    expect(t.accept('a', 11)).toEqual({ kind: 'next', gap: 0 });
  });
});
