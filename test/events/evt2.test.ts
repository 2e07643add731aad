import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeEvents, EventFormatError, EventWriteError, Evt2Encoder, makeBatch, openEvents, openEvt2, writeEvt2 } from '../../devices/index.js';
import { bytesOf, chunked, expectSameEvents, randomEvents, readAll } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 's7rt-evt2-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('EVT 2.0 writer and reader', () => {
  it('round-trips events through a file; openEvents sniffs it', async () => {
    const events = randomEvents(50_000, 1280, 720, 11, 1_000_000, 30);
    const path = join(dir, 'roundtrip.raw');
    expect(await writeEvt2(path, chunked(events, 4096), { width: 1280, height: 720 })).toBe(50_000);
    const rec = await openEvents(path, { batchSize: 10_000 });
    expect(rec.format).toBe('evt2');
    expect(rec.sensor).toEqual({ width: 1280, height: 720 });
    const got = await readAll(rec);
    expect(got.error).toBeUndefined();
    expect(got.maxBatch).toBe(10_000);
    expectSameEvents(got.events, events);
  });

  it('writes the words of the format document', async () => {
    const bytes = await bytesOf(encodeEvents(new Evt2Encoder({ width: 640, height: 480 }), [makeBatch({ x: [5, 639], y: [7, 479], t: [130, 131], p: [1, 0] })]));
    const text = new TextDecoder('latin1').decode(bytes);
    const body = text.indexOf('% end\n') + 6;
    const v = new DataView(bytes.buffer, bytes.byteOffset + body);
    expect(bytes.length - body).toBe(12);
    expect(v.getUint32(0, true)).toBe(((0x8 << 28) | 2) >>> 0); // TIME_HIGH 130 >> 6
    expect(v.getUint32(4, true)).toBe((1 << 28) | (2 << 22) | (5 << 11) | 7); // CD_ON, low 130 & 63
    expect(v.getUint32(8, true)).toBe((0 << 28) | (3 << 22) | (639 << 11) | 479);
  });

  it('unwraps the 34-bit time, skips events before the first TIME_HIGH and triggers', async () => {
    const high = (h: number) => ((0x8 << 28) | h) >>> 0;
    const cd = (on: number, low: number, x: number, y: number) => ((on << 28) | (low << 22) | (x << 11) | y) >>> 0;
    const words = Uint32Array.from([cd(1, 0, 1, 1), high(2 ** 28 - 1), cd(1, 63, 2, 2), (0xa << 28) >>> 0, high(0), cd(0, 1, 3, 3)]);
    const head = new TextEncoder().encode('% evt 2.0\n% geometry 10x10\n');
    const file = new Uint8Array(head.length + words.byteLength);
    file.set(head);
    file.set(new Uint8Array(words.buffer), head.length);
    const rec = await openEvt2(file);
    const got = await readAll(rec);
    expect(got.error).toBeUndefined();
    expect(Array.from(got.events.t)).toEqual([(2 ** 28 - 1) * 64 + 63, 2 ** 34 + 1]);
    expect(rec.stats.skipped).toEqual({ 'before-time-high': 1, trigger: 1 });
  });

  it('round-trips times across the 34-bit wrap (~4.8 h)', async () => {
    const events = randomEvents(5000, 64, 64, 21, 2 ** 34 - 100_000, 60);
    expect(events.t[events.length - 1]).toBeGreaterThan(2 ** 34);
    const bytes = await bytesOf(encodeEvents(new Evt2Encoder({ width: 64, height: 64 }), [events]));
    const got = await readAll(await openEvt2(bytes));
    expect(got.error).toBeUndefined();
    expectSameEvents(got.events, events);
  });

  it('reports a torn last word with its offset after the events before it', async () => {
    const bytes = await bytesOf(encodeEvents(new Evt2Encoder({ width: 64, height: 64 }), [randomEvents(100, 64, 64)]));
    const got = await readAll(await openEvt2(bytes.subarray(0, bytes.length - 2)));
    expect(got.events.length).toBe(99);
    expect(got.error).toBeInstanceOf(EventFormatError);
    expect(got.error).toMatchObject({ problem: 'truncated', offset: bytes.length - 4 });
  });

  it('rejects events it cannot encode', () => {
    const enc = new Evt2Encoder({ width: 64, height: 64 });
    expect(() => enc.encode(makeBatch({ x: [1], y: [1], t: [1.5], p: [1] }))).toThrow(EventWriteError);
    expect(() => enc.encode(makeBatch({ x: [1], y: [1], t: [-1], p: [1] }))).toThrow(/not an integer in/);
    expect(() => new Evt2Encoder({ width: 4096, height: 10 })).toThrow(EventWriteError);
  });
});
