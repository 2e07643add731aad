import { describe, expect, it } from 'vitest';
import { makeBatch } from '../../devices/events/batch';
import { DecayFrame } from '../../src/dashboard/decay-frame';

describe('DecayFrame', () => {
  it('adds ON events positive, OFF negative, weighted by their age at the newest event', () => {
    const f = new DecayFrame({ width: 4, height: 2 }, 1000);
    const r = f.add(makeBatch({ x: [0, 0, 3], y: [0, 0, 1], t: [0, 1000, 1000], p: [1, 1, 0] }));
    expect(r).toEqual({ added: 3, outside: 0 });
    expect(f.clock).toBe(1000);
    expect(f.values[0]).toBeCloseTo(1 + Math.exp(-1), 6);
    expect(f.values[1 * 4 + 3]).toBeCloseTo(-1, 6);
  });

  it('fades with event time and counts events outside the sensor', () => {
    const f = new DecayFrame({ width: 2, height: 2 }, 500);
    f.add(makeBatch({ x: [1, 5], y: [1, 0], t: [0, 0], p: [1, 1] }));
    f.decayTo(1000);
    expect(f.values[3]).toBeCloseTo(Math.exp(-2), 6);
    const r = f.add(makeBatch({ x: [2], y: [0], t: [1000], p: [1] }));
    expect(r.outside).toBe(1);
  });

  it('paints white where nothing happened and colours events', () => {
    const f = new DecayFrame({ width: 2, height: 1 });
    f.add(makeBatch({ x: [1], y: [0], t: [0], p: [1] }));
    const rgba = new Uint8ClampedArray(8);
    f.paint(rgba, 1);
    expect([...rgba.slice(0, 4)]).toEqual([255, 255, 255, 255]);
    expect([...rgba.slice(4, 8)]).toEqual([0, 114, 178, 255]);
  });
});
