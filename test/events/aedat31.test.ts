import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Aedat31Encoder,
  createAedat31Writer,
  encodeEvents,
  EventFormatError,
  EventWriteError,
  makeBatch,
  openAedat31,
  writeAedat31,
} from '../../devices/index.js';
import { bytesOf, chunked, expectSameEvents, randomEvents, readAll } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 's7rt-aedat31-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('AEDAT 3.1 writer and reader', () => {
  it('round-trips events through a file, across the 2^31 µs timestamp overflow', async () => {
    const events = randomEvents(20_000, 128, 128, 7, 2 ** 31 - 300_000, 40);
    expect(events.t[0]).toBeLessThan(2 ** 31);
    expect(events.t[events.length - 1]).toBeGreaterThan(2 ** 31);
    const path = join(dir, 'roundtrip.aedat');
    const written = await writeAedat31(path, chunked(events, 3000), { width: 128, height: 128 });
    expect(written).toBe(20_000);

    const rec = await openAedat31(path, { batchSize: 5000 });
    expect(rec.format).toBe('aedat31');
    expect(rec.sensor).toEqual({ width: 128, height: 128 });
    expect(rec.header[0]).toBe('!AEDAT-3.1');
    expect(rec.header).toContain('Source 1: DVS128');
    const got = await readAll(rec);
    expect(got.error).toBeUndefined();
    expect(got.maxBatch).toBeLessThanOrEqual(5000);
    expectSameEvents(got.events, events);
    expect(rec.stats.events).toBe(20_000);
  });

  it('writes the packet layout of the format document', async () => {
    const events = makeBatch({ x: [3, 127], y: [5, 0], t: [10, 2 ** 31 + 7], p: [1, 0] });
    const bytes = await bytesOf(encodeEvents(new Aedat31Encoder({ width: 128, height: 128, startTime: new Date(0) }), [events]));
    const text = new TextDecoder('latin1').decode(bytes);
    const body = text.indexOf('#!END-HEADER\r\n') + '#!END-HEADER\r\n'.length;
    const v = new DataView(bytes.buffer, bytes.byteOffset + body);
    // first packet: one polarity event, overflow 0
    expect([v.getInt16(0, true), v.getInt16(2, true), v.getInt32(4, true), v.getInt32(8, true), v.getInt32(12, true)]).toEqual([1, 1, 8, 4, 0]);
    expect([v.getInt32(16, true), v.getInt32(20, true), v.getInt32(24, true)]).toEqual([1, 1, 1]);
    expect(v.getUint32(28, true)).toBe((3 << 17) | (5 << 2) | (1 << 1) | 1);
    expect(v.getInt32(32, true)).toBe(10);
    // second packet: overflow 1, timestamp 7
    expect(v.getInt32(36 + 12, true)).toBe(1);
    expect(v.getUint32(36 + 28, true)).toBe(((127 << 17) | 1) >>> 0);
    expect(v.getInt32(36 + 32, true)).toBe(7);
    expect(bytes.length).toBe(body + 2 * 36);
  });

  it('reads from bytes in memory with records straddling tiny blocks', async () => {
    const events = randomEvents(3000, 240, 180, 3);
    const bytes = await bytesOf(encodeEvents(new Aedat31Encoder({ width: 240, height: 180, packetEvents: 500 }), chunked(events, 777)));
    const rec = await openAedat31(bytes, { blockSize: 7, batchSize: 1000 });
    expect(rec.sensor).toEqual({ width: 240, height: 180 });
    const got = await readAll(rec);
    expect(got.error).toBeUndefined();
    expectSameEvents(got.events, events);
  });

  it('skips non-polarity packets and invalid events, and counts them', async () => {
    const events = makeBatch({ x: [1, 2, 3], y: [1, 2, 3], t: [1, 2, 3], p: [0, 1, 0] });
    const bytes = await bytesOf(encodeEvents(new Aedat31Encoder({ width: 128, height: 128 }), [events]));
    const body = new TextDecoder('latin1').decode(bytes).indexOf('#!END-HEADER\r\n') + 14;
    // an IMU6 packet (type 3, 36-byte events, 1 event) before the polarity packet; event 2 marked invalid
    const imu = new Uint8Array(28 + 36);
    const iv = new DataView(imu.buffer);
    iv.setInt16(0, 3, true);
    iv.setInt32(4, 36, true);
    iv.setInt32(8, 32, true);
    iv.setInt32(16, 1, true);
    iv.setInt32(20, 1, true);
    const file = new Uint8Array(bytes.length + imu.length);
    file.set(bytes.subarray(0, body));
    file.set(imu, body);
    file.set(bytes.subarray(body), body + imu.length);
    const pv = new DataView(file.buffer, body + imu.length);
    pv.setUint32(28 + 8, pv.getUint32(28 + 8, true) & ~1, true);
    const rec = await openAedat31(file);
    const got = await readAll(rec);
    expect(got.error).toBeUndefined();
    expect(Array.from(got.events.x)).toEqual([1, 3]);
    expect(rec.stats.skipped).toEqual({ 'imu6-packet': 1, invalid: 1 });
  });

  it('delivers the events before a truncation, then a typed error with the byte offset', async () => {
    const events = randomEvents(1000, 128, 128, 5);
    const bytes = await bytesOf(encodeEvents(new Aedat31Encoder({ width: 128, height: 128, packetEvents: 100 }), [events]));
    const body = new TextDecoder('latin1').decode(bytes).indexOf('#!END-HEADER\r\n') + 14;
    const cut = body + 3 * (28 + 800) + 28 + 8 * 42 + 5; // inside event 42 of packet 4
    const got = await readAll(await openAedat31(bytes.subarray(0, cut)));
    expect(got.error).toBeInstanceOf(EventFormatError);
    const err = got.error as EventFormatError;
    expect(err.problem).toBe('truncated');
    expect(err.offset).toBe(cut - 5);
    expect(got.events.length).toBe(342);
    expectSameEvents(got.events, { ...events, length: 342 });
  });

  it('rejects a corrupt packet header with its offset', async () => {
    const bytes = await bytesOf(encodeEvents(new Aedat31Encoder({ width: 128, height: 128, packetEvents: 10 }), [randomEvents(30, 128, 128)]));
    const body = new TextDecoder('latin1').decode(bytes).indexOf('#!END-HEADER\r\n') + 14;
    new DataView(bytes.buffer).setInt32(body + 2 * (28 + 80) + 20, 99, true); // eventNumber > capacity
    const got = await readAll(await openAedat31(bytes));
    expect(got.events.length).toBe(20);
    expect(got.error).toMatchObject({ name: 'EventFormatError', problem: 'corrupt', offset: body + 2 * (28 + 80) });
  });

  it('refuses a file that is not AEDAT 3.1', async () => {
    await expect(openAedat31(new TextEncoder().encode('#!AER-DAT2.0\r\n#!END-HEADER\r\n'))).rejects.toMatchObject({ problem: 'unknown-format', offset: 0 });
  });

  it('streaming writer: file appears complete only on close; bad events are typed errors', async () => {
    const path = join(dir, 'stream.aedat');
    const w = await createAedat31Writer(path, { width: 128, height: 128 });
    await w.write(makeBatch({ x: [1], y: [2], t: [100], p: [1] }));
    await expect(stat(path)).rejects.toThrow();
    await expect(w.write(makeBatch({ x: [1], y: [2], t: [99], p: [1] }))).rejects.toBeInstanceOf(EventWriteError);
    await expect(w.write(makeBatch({ x: [128], y: [2], t: [200], p: [1] }))).rejects.toThrow(/event 1: \(128, 2\) is outside the 128x128 sensor/);
    await w.close();
    const got = await readAll(await openAedat31(new Uint8Array(await readFile(path))));
    expect(got.events.length).toBe(1);
  });
});
