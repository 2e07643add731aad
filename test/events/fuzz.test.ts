// Truncated and corrupted recordings at random offsets (fixed seed, bounded count): a reader never
// crashes or hangs; it ends cleanly or with an EventFormatError naming an offset inside the file, and
// every event it delivered is well-formed. A plain truncation delivers a prefix of the intact read.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  Aedat31Encoder,
  decodePacket,
  encodeEvents,
  encodeFrame,
  encodePacket,
  EventFormatError,
  Evt2Encoder,
  FrameDecoder,
  openEvents,
  type EventBatch,
  type RecordingFormat,
} from '../../devices/index.js';
import { bytesOf, FIXTURES, randomEvents, readAll } from './helpers.js';
import { Rng } from '../../devices/prng.js';

interface Subject {
  name: string;
  format: RecordingFormat;
  bytes: Uint8Array;
  reference: EventBatch;
}

const CASES = 200;

async function subjects(): Promise<Subject[]> {
  const fixtures: [string, RecordingFormat][] = [
    ['pyaedat-IMU_translBoxes.aedat', 'aedat2'],
    ['tonic-sample.aedat4', 'aedat4'],
    ['expelliarmus-evt3_sample.raw', 'evt3'],
    ['tonic-sample_ncars.dat', 'dat'],
    ['tonic-sample_nmnist.bin', 'nmnist'],
  ];
  const list: Omit<Subject, 'reference'>[] = fixtures.map(([name, format]) => ({ name, format, bytes: new Uint8Array(readFileSync(FIXTURES + name)) }));
  const synthetic = randomEvents(20_000, 128, 128, 99);
  list.push({ name: 'written.aedat', format: 'aedat31', bytes: await bytesOf(encodeEvents(new Aedat31Encoder({ width: 128, height: 128, packetEvents: 1000 }), [synthetic])) });
  list.push({ name: 'written.raw', format: 'evt2', bytes: await bytesOf(encodeEvents(new Evt2Encoder({ width: 128, height: 128 }), [synthetic])) });
  const out: Subject[] = [];
  for (const s of list) {
    const whole = await readAll(await openEvents(s.bytes, { format: s.format, sensor: sensorOf(s.format) }));
    expect(whole.error).toBeUndefined();
    out.push({ ...s, reference: whole.events });
  }
  return out;
}

/** Fixed sensor sizes so that a damaged header cannot change what "well-formed" means. */
function sensorOf(format: RecordingFormat) {
  return format === 'nmnist' ? { width: 34, height: 34 } : format === 'dat' ? { width: 304, height: 240 } : undefined;
}

function checkWellFormed(ev: EventBatch, sensor: { width: number; height: number } | undefined) {
  for (let i = 0; i < ev.length; i++) {
    if (!Number.isFinite(ev.t[i]) || ev.p[i] > 1 || (sensor && (ev.x[i] >= sensor.width || ev.y[i] >= sensor.height))) {
      throw new Error(`malformed event ${i}: (${ev.x[i]}, ${ev.y[i]}, ${ev.t[i]}, ${ev.p[i]})`);
    }
  }
}

function isPrefix(part: EventBatch, whole: EventBatch): boolean {
  if (part.length > whole.length) return false;
  for (let i = 0; i < part.length; i++) {
    if (part.x[i] !== whole.x[i] || part.y[i] !== whole.y[i] || part.t[i] !== whole.t[i] || part.p[i] !== whole.p[i]) return false;
  }
  return true;
}

describe('fuzz: truncated and corrupted recordings', () => {
  it(`${CASES} cases end cleanly or with a typed error and an offset`, async () => {
    const all = await subjects();
    const rng = Rng.mulberry32(20241204);
    const next = () => rng.next();
    const outcomes = { clean: 0, typed: 0 };
    for (let c = 0; c < CASES; c++) {
      const s = all[c % all.length];
      const kind = c % 3 === 0 ? 'truncate' : c % 3 === 1 ? 'flip' : 'splice';
      let bytes: Uint8Array;
      const cut = Math.floor(next() * s.bytes.length);
      if (kind === 'truncate') bytes = s.bytes.slice(0, cut);
      else if (kind === 'flip') {
        bytes = s.bytes.slice();
        for (let k = 0; k < 8; k++) bytes[Math.floor(next() * bytes.length)] ^= 1 << Math.floor(next() * 8);
      } else {
        // random garbage replacing a run of bytes
        bytes = s.bytes.slice();
        for (let k = 0; k < 64 && cut + k < bytes.length; k++) bytes[cut + k] = Math.floor(next() * 256);
      }
      const label = `case ${c}: ${kind} ${s.name} at ${cut}`;
      const sensor = sensorOf(s.format);
      let result;
      try {
        const rec = await openEvents(bytes, { format: s.format, sensor, batchSize: 4096 });
        result = await readAll(rec);
        checkWellFormed(result.events, rec.sensor);
      } catch (e) {
        // opening can fail (a damaged header): it must be the typed error too
        result = { events: { length: 0 } as EventBatch, error: e };
      }
      if (result.error !== undefined) {
        if (!(result.error instanceof EventFormatError)) throw new Error(`${label}: untyped error ${String(result.error)}`);
        expect(result.error.offset, label).toBeGreaterThanOrEqual(0);
        expect(result.error.offset, label).toBeLessThanOrEqual(bytes.length);
        outcomes.typed++;
      } else outcomes.clean++;
      if (kind === 'truncate' && result.events.length > 0) {
        expect(isPrefix(result.events, s.reference), `${label}: not a prefix of the intact read`).toBe(true);
      }
    }
    expect(outcomes.clean + outcomes.typed).toBe(CASES);
    expect(outcomes.typed).toBeGreaterThan(0);
  }, 120_000);
});

describe('fuzz: damaged live packets and TCP streams', () => {
  it('200 damaged s7ev packets: decoded and well-formed, or a typed error with an offset inside', () => {
    const rng = Rng.mulberry32(7);
    const next = () => rng.next();
    let typed = 0;
    for (let c = 0; c < 200; c++) {
      const n = Math.floor(next() * 50);
      const packet = encodePacket(randomEvents(n, 64, 48, c), { width: 64, height: 48 }, c);
      const bytes = c % 2 === 0 ? packet.slice(0, Math.floor(next() * packet.length)) : packet.slice();
      if (c % 2 === 1) for (let k = 0; k < 4; k++) bytes[Math.floor(next() * bytes.length)] ^= 1 << Math.floor(next() * 8);
      try {
        const { events, sensor } = decodePacket(bytes);
        checkWellFormed(events, sensor);
      } catch (e) {
        if (!(e instanceof EventFormatError)) throw new Error(`case ${c}: untyped ${String(e)}`);
        expect(e.offset).toBeGreaterThanOrEqual(0);
        expect(e.offset).toBeLessThanOrEqual(bytes.length);
        typed++;
      }
    }
    expect(typed).toBeGreaterThan(100);
  });

  it('a TCP stream cut into random chunks gives back every frame; a garbage length is a typed error', () => {
    const rng = Rng.mulberry32(11);
    const next = () => rng.next();
    const packets = Array.from({ length: 50 }, (_, i) => encodePacket(randomEvents(i * 3, 64, 48, i), { width: 64, height: 48 }, i));
    const stream = new Uint8Array(packets.reduce((n, p) => n + 4 + p.length, 0));
    let at = 0;
    for (const p of packets) {
      stream.set(encodeFrame(p), at);
      at += 4 + p.length;
    }
    const decoder = new FrameDecoder();
    const frames: Uint8Array[] = [];
    for (let i = 0; i < stream.length; ) {
      const end = Math.min(stream.length, i + 1 + Math.floor(next() * 300));
      frames.push(...decoder.push(stream.subarray(i, end)));
      i = end;
    }
    expect(frames).toEqual(packets);
    expect(() => decoder.push(Uint8Array.from([0xff, 0xff, 0xff, 0x7f]))).toThrow(EventFormatError);
  });
});
