// The formats' traps on hand-made files, word by word from the format documents: timestamp wraps,
// EVT 3 vectors and TIME_LOW going back, DVS128 addresses, invalid and special events.

import { describe, expect, it } from 'vitest';
import { openAedat2, openDat, openEvt3 } from '../../devices/index.js';
import { readAll } from './helpers.js';

function file(header: string, body: Uint8Array): Uint8Array {
  const head = new TextEncoder().encode(header);
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

describe('EVT 3.0 words', () => {
  const words = (...w: number[]) => new Uint8Array(Uint16Array.from(w).buffer);
  const TIME_HIGH = (v: number) => 0x8000 | v;
  const TIME_LOW = (v: number) => 0x6000 | v;
  const ADDR_Y = (y: number) => 0x0000 | y;
  const ADDR_X = (x: number, p: number) => 0x2000 | (p << 11) | x;
  const BASE_X = (x: number, p: number) => 0x3000 | (p << 11) | x;
  const VECT_12 = (m: number) => 0x4000 | m;
  const VECT_8 = (m: number) => 0x5000 | m;

  it('decodes vectors, keeps a backwards TIME_LOW, unwraps a TIME_HIGH wrap, skips events before time', async () => {
    const body = words(
      ADDR_Y(5), ADDR_X(1, 1), // no TIME_HIGH yet: skipped
      TIME_HIGH(4095), TIME_LOW(100),
      ADDR_Y(7), ADDR_X(9, 0), // t = 4095*4096 + 100
      TIME_LOW(90), ADDR_X(10, 1), // TIME_LOW went back, same TIME_HIGH: t = 4095*4096 + 90, not a wrap
      BASE_X(20, 1), VECT_12(0b100000000101), VECT_8(0b10000001), // x 20, 22, 31, then base 32: 32, 39
      TIME_HIGH(0), TIME_LOW(3), ADDR_X(11, 0), // TIME_HIGH wrapped: t = 4096*4096 + 3
      0xa000, 0xe000, // trigger, other
    );
    const rec = await openEvt3(file('% evt 3.0\n% format EVT3;height=16;width=39\n', body));
    expect(rec.sensor).toEqual({ width: 39, height: 16 });
    const { events, error } = await readAll(rec);
    expect(error).toBeUndefined();
    const hi = 4095 * 4096;
    expect(Array.from(events.x)).toEqual([9, 10, 20, 22, 31, 32, 11]); // x 39 is outside the 39-wide sensor
    expect(Array.from(events.t)).toEqual([hi + 100, hi + 90, hi + 90, hi + 90, hi + 90, hi + 90, 4096 * 4096 + 3]);
    expect(Array.from(events.p)).toEqual([0, 1, 1, 1, 1, 1, 0]);
    expect(rec.stats.skipped).toEqual({ 'before-time-high': 1, 'outside-sensor': 1, trigger: 1, other: 1 });
  });
});

describe('AEDAT 2.0 DVS128 records', () => {
  it('decodes the DVS128 address layout, skips external events and unwraps the 32-bit time', async () => {
    const rec = (addr: number, t: number) => {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setUint32(0, addr, false);
      new DataView(b.buffer).setUint32(4, t, false);
      return b;
    };
    const body = Uint8Array.from([
      ...rec((17 << 8) | (100 << 1) | 1, 4294967290), // y 17, x 100, ON
      ...rec(0x8000 | 5, 4294967295), // external event
      ...rec((3 << 8) | (4 << 1) | 0, 6), // wrapped: t = 2^32 + 6
    ]);
    const r = await openAedat2(file('#!AER-DAT2.0\r\n# AEChip: ch.unizh.ini.jaer.chip.retina.DVS128\r\n', body));
    expect(r.sensor).toEqual({ width: 128, height: 128 });
    const { events, error } = await readAll(r);
    expect(error).toBeUndefined();
    expect(Array.from(events.x)).toEqual([100, 4]);
    expect(Array.from(events.y)).toEqual([17, 3]);
    expect(Array.from(events.p)).toEqual([1, 0]);
    expect(Array.from(events.t)).toEqual([4294967290, 2 ** 32 + 6]);
    expect(r.stats.skipped).toEqual({ special: 1 });
  });
});

describe('Prophesee DAT records', () => {
  it('reads the size from the header, skips invalid polarity, unwraps the 32-bit time', async () => {
    const rec = (t: number, x: number, y: number, p: number) => {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setUint32(0, t, true);
      new DataView(b.buffer).setUint32(4, ((p << 28) | (y << 14) | x) >>> 0, true);
      return b;
    };
    const body = Uint8Array.from([12, 8, ...rec(4294967000, 303, 239, 1), ...rec(4294967100, 1, 1, 7), ...rec(50, 2, 3, 0)]);
    const r = await openDat(file('% Version 2\n% Width 304\n% Height 240\n', body));
    expect(r.sensor).toEqual({ width: 304, height: 240 });
    const { events, error } = await readAll(r);
    expect(error).toBeUndefined();
    expect(Array.from(events.x)).toEqual([303, 2]);
    expect(Array.from(events.t)).toEqual([4294967000, 2 ** 32 + 50]);
    expect(r.stats.skipped).toEqual({ invalid: 1 });
  });
});
