// Every reader against the real recordings in ../shared/fixtures/events/ (see its README.md).
// Spot values are decoded by hand here from the format documents, independently of the readers.

import { readFileSync } from 'node:fs';
import { Blob } from 'node:buffer';
import { decompress as lz4Decompress } from 'lz4js';
import { describe, expect, it } from 'vitest';
import { openEvents, openAedat2, openAedat4, openDat, openEvt3, openNmnist, EventFormatError, sniffFormat, type EventRecording } from '../../devices/index.js';
import { expectSameEvents, FIXTURES, isMonotonic, readAll } from './helpers.js';

const file = (name: string) => FIXTURES + name;
const bytes = (name: string) => new Uint8Array(readFileSync(file(name)));

/** Offset of the first byte after the comment lines that start with `prefix`. */
function headerEnd(b: Uint8Array, prefix: string): number {
  let i = 0;
  while (b[i] === prefix.charCodeAt(0)) i = b.indexOf(0x0a, i) + 1;
  return i;
}

async function readWhole(rec: EventRecording) {
  const got = await readAll(rec);
  expect(got.error).toBeUndefined();
  return got.events;
}

describe('AEDAT 2.0 (jAER, DAVIS240C)', () => {
  const name = 'pyaedat-IMU_translBoxes.aedat';
  it('reads the 162,771 polarity events and skips APS/IMU samples', async () => {
    const rec = await openAedat2(file(name));
    expect(rec.sensor).toEqual({ width: 240, height: 180 });
    const ev = await readWhole(rec);
    expect(ev.length).toBe(162_771);
    expect(isMonotonic(ev.t)).toBe(true);
    expect(ev.x.reduce((m, v) => Math.max(m, v), 0)).toBe(239);
    expect(ev.y.reduce((m, v) => Math.max(m, v), 0)).toBe(179);
    expect(rec.stats.skipped['aps-imu-special']).toBeGreaterThan(0);
    // first record whose big-endian address has bit 31 (APS/IMU) and bit 10 (special) clear
    const b = bytes(name);
    const v = new DataView(b.buffer, b.byteOffset);
    let i = headerEnd(b, '#');
    while (v.getUint32(i, false) & 0x80000400) i += 8;
    const addr = v.getUint32(i, false);
    expect([ev.x[0], ev.y[0], ev.p[0], ev.t[0]]).toEqual([(addr >>> 12) & 0x3ff, (addr >>> 22) & 0x1ff, (addr >>> 11) & 1, v.getUint32(i + 4, false)]);
  });
});

describe('AEDAT 4.0 (DVXplorer, LZ4 packets)', () => {
  it('reads the 111,954 events of stream 0 with the sensor size from the info node', async () => {
    const rec = await openAedat4(file('tonic-sample.aedat4'));
    expect(rec.sensor).toEqual({ width: 320, height: 240 });
    expect(rec.streams.map((s) => [s.id, s.type])).toEqual([[0, 'EVTS'], [2, 'IMUS'], [3, 'TRIG']]);
    const ev = await readWhole(rec);
    expect(ev.length).toBe(111_954);
    expect(isMonotonic(ev.t)).toBe(true);
    expect(rec.stats.skipped).toEqual({ 'stream2-packet': 59 });
    // first struct of the first packet: t = 0x0005b43a53fc9549, x = 0x9a, y = 0xcc, on = 0
    expect([ev.x[0], ev.y[0], ev.t[0], ev.p[0]]).toEqual([154, 204, 0x0005b43a53fc9549, 0]);
  });

  it('stops at the file data table and reports a truncated packet with its offset', async () => {
    const b = bytes('tonic-sample.aedat4');
    const got = await readAll(await openAedat4(b.subarray(0, 20_000)));
    expect(got.error).toBeInstanceOf(EventFormatError);
    expect((got.error as EventFormatError).problem).toBe('truncated');
    expect((got.error as EventFormatError).offset).toBe(19233); // the fifth packet (stream 0) starts there and ends past 20,000
    expect(got.events.length).toBeGreaterThan(0);
  });
});

/** A Zstandard frame holding `data` in raw (stored) blocks: valid Zstd that needs no compressor. */
function zstdStored(data: Uint8Array): Uint8Array {
  const blocks = Math.max(1, Math.ceil(data.length / 131072));
  const out = new Uint8Array(4 + 1 + 8 + 3 * blocks + data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0xfd2fb528, true); // magic
  out[4] = 0xe0; // frame header: 8-byte content size, single segment, no checksum
  v.setUint32(5, data.length, true);
  let at = 13;
  for (let b = 0, from = 0; b < blocks; b++) {
    const size = Math.min(131072, data.length - from);
    const last = b === blocks - 1 ? 1 : 0;
    const header = (size << 3) | last; // block type 0 = raw
    out[at] = header & 0xff;
    out[at + 1] = (header >>> 8) & 0xff;
    out[at + 2] = (header >>> 16) & 0xff;
    out.set(data.subarray(from, from + size), at + 3);
    at += 3 + size;
    from += size;
  }
  return out;
}

/** The fixture rewritten with each packet decompressed and stored as `recompress` says, and the IOHeader compression set. */
function recompressAedat4(b: Uint8Array, code: number, recompress: (packet: Uint8Array) => Uint8Array): Uint8Array {
  const v = new DataView(b.buffer, b.byteOffset);
  const headerAt = b.indexOf(0x0a) + 1;
  const size = v.getInt32(headerAt, true);
  const io = b.slice(headerAt + 4, headerAt + 4 + size);
  const iv = new DataView(io.buffer);
  const root = iv.getUint32(0, true);
  const vtable = root - iv.getInt32(root, true);
  iv.setInt32(root + iv.getUint16(vtable + 4, true), code, true); // field 0: compression
  const dataTable = root + iv.getUint16(vtable + 6, true);
  const tableAt = Number(iv.getBigInt64(dataTable, true));
  const parts: Uint8Array[] = [b.subarray(0, headerAt + 4), io];
  for (let at = headerAt + 4 + size; at < tableAt; ) {
    const stream = v.getInt32(at, true);
    const len = v.getInt32(at + 4, true);
    const body = recompress(lz4Decompress(b.subarray(at + 8, at + 8 + len)));
    const head = new Uint8Array(8);
    new DataView(head.buffer).setInt32(0, stream, true);
    new DataView(head.buffer).setInt32(4, body.length, true);
    parts.push(head, body);
    at += 8 + len;
  }
  iv.setBigInt64(dataTable, -1n, true); // the data table is left out
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe('AEDAT 4.0, Zstd and uncompressed packets', () => {
  it.each([
    ['zstd', 3, zstdStored],
    ['none', 0, (p: Uint8Array) => p],
  ] as const)('reads the fixture re-packed as %s with the same events', async (_name, code, recompress) => {
    const b = bytes('tonic-sample.aedat4');
    const reference = await readWhole(await openAedat4(b));
    const repacked = recompressAedat4(b, code, recompress);
    const rec = await openAedat4(repacked, { blockSize: 4093 });
    expectSameEvents(await readWhole(rec), reference);
  });
});

describe('Prophesee RAW EVT 3.0 (1280x720)', () => {
  const name = 'expelliarmus-evt3_sample.raw';
  it('reads the 219,596 CD events; a TIME_LOW that goes back is not a wrap', async () => {
    const rec = await openEvt3(file(name));
    expect(rec.sensor).toEqual({ width: 1280, height: 720 });
    const ev = await readWhole(rec);
    expect(ev.length).toBe(219_596);
    expect(isMonotonic(ev.t)).toBe(true);
    // a decoder that took the backward TIME_LOW for a wrap would jump 4096 µs ahead
    let maxStep = 0;
    for (let i = 1; i < ev.length; i++) maxStep = Math.max(maxStep, ev.t[i] - ev.t[i - 1]);
    expect(maxStep).toBeLessThan(4096);
    // the trap is really in the file: two TIME_LOW words in a row, the second smaller
    const b = bytes(name);
    const v = new DataView(b.buffer, b.byteOffset);
    let backwards = 0;
    for (let i = headerEnd(b, '%'); i + 4 <= b.length; i += 2) {
      const w0 = v.getUint16(i, true);
      const w1 = v.getUint16(i + 2, true);
      if (w0 >>> 12 === 6 && w1 >>> 12 === 6 && (w1 & 0xfff) < (w0 & 0xfff)) backwards++;
    }
    expect(backwards).toBeGreaterThan(0);
    // first event: TIME_HIGH 2861 -> t = 2861 * 4096, then ADDR_Y 200, ADDR_X 874 OFF
    expect([ev.x[0], ev.y[0], ev.t[0], ev.p[0]]).toEqual([874, 200, 2861 * 4096, 0]);
  });
});

describe('Prophesee DAT (N-CARS)', () => {
  const name = 'tonic-sample_ncars.dat';
  it('reads 2,009 CD events with monotonic time and polarity in {0,1}', async () => {
    const rec = await openDat(file(name));
    const ev = await readWhole(rec);
    expect(ev.length).toBe(2009);
    expect(isMonotonic(ev.t)).toBe(true);
    expect(new Set(ev.p)).toEqual(new Set([0, 1]));
    const b = bytes(name);
    const at = headerEnd(b, '%') + 2; // event type and size bytes
    const v = new DataView(b.buffer, b.byteOffset);
    const data = v.getUint32(at + 4, true);
    expect([ev.t[0], ev.x[0], ev.y[0], ev.p[0]]).toEqual([v.getUint32(at, true), data & 0x3fff, (data >>> 14) & 0x3fff, data >>> 28]);
  });
});

describe('N-MNIST binary', () => {
  it('reads 4,325 events; openEvents infers the 34x34 sensor', async () => {
    const rec = await openEvents(file('tonic-sample_nmnist.bin'));
    expect(rec.format).toBe('nmnist');
    expect(rec.sensor).toEqual({ width: 34, height: 34 });
    const ev = await readWhole(rec);
    expect(ev.length).toBe(4325);
    expect(isMonotonic(ev.t)).toBe(true);
    // bytes 07 0f 80 02 8e: x 7, y 15, ON, t 0x028e
    expect([ev.x[0], ev.y[0], ev.p[0], ev.t[0]]).toEqual([7, 15, 1, 0x028e]);
  });

  it('applies the y = 240 timestamp-overflow marker', async () => {
    const b = Uint8Array.from([1, 2, 0x80, 0, 10, 0, 240, 0, 0, 0, 3, 4, 0, 0, 5]);
    const rec = await openNmnist(b, { sensor: { width: 34, height: 34 } });
    const ev = await readWhole(rec);
    expect(Array.from(ev.t)).toEqual([10, 8192 + 5]);
    expect(rec.stats.skipped['timestamp-overflow']).toBe(1);
  });
});

describe('openEvents', () => {
  const cases: [string, string, number][] = [
    ['pyaedat-IMU_translBoxes.aedat', 'aedat2', 162_771],
    ['tonic-sample.aedat4', 'aedat4', 111_954],
    ['expelliarmus-evt3_sample.raw', 'evt3', 219_596],
    ['tonic-sample_ncars.dat', 'dat', 2009],
  ];
  it.each(cases)('sniffs %s as %s from its bytes', async (name, format, count) => {
    expect(sniffFormat(bytes(name).subarray(0, 4096))).toBe(format);
    const rec = await openEvents(bytes(name));
    expect(rec.format).toBe(format);
    expect((await readWhole(rec)).length).toBe(count);
  });

  it('reads the same events from a path, a web ReadableStream, a Blob and 13-byte blocks', async () => {
    const name = 'expelliarmus-evt3_sample.raw';
    const reference = await readWhole(await openEvents(file(name)));
    const b = bytes(name);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < b.length; i += 1000) c.enqueue(b.slice(i, i + 1000));
        c.close();
      },
    });
    expectSameEvents(await readWhole(await openEvents(stream)), reference);
    expectSameEvents(await readWhole(await openEvents(new Blob([b]) as unknown as globalThis.Blob)), reference);
    expectSameEvents(await readWhole(await openEvents(b, { blockSize: 13, batchSize: 1000 })), reference);
  });

  it('reads every fixture identically with small odd blocks (records carried across blocks)', async () => {
    for (const [name] of cases) {
      const big = await readWhole(await openEvents(file(name)));
      const small = await readWhole(await openEvents(file(name), { blockSize: 509, batchSize: 777 }));
      expectSameEvents(small, big);
    }
  });

  it('names an unknown format with a typed error', async () => {
    await expect(openEvents(new TextEncoder().encode('hello world'))).rejects.toMatchObject({ name: 'EventFormatError', problem: 'unknown-format', offset: 0 });
  });
});
