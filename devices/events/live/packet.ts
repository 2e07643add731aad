// The s7ev event packet: one batch of events with the sensor size and a sequence number, shared by
// the MQTT and TCP live sources (docs/event-formats.md). Little-endian, struct of arrays:
//   0  'S7EV'  4 bytes magic          12 uint32 sequence number (wraps at 2^32)
//   4  uint8   version (1)            16 uint32 event count N
//   5  uint8   flags (0)              20 uint32 reserved (0)
//   6  uint16  header size (24)       24 x: N uint16, y: N uint16, zero padding to a multiple of 8,
//   8  uint16  sensor width              t: N float64 (µs), p: N uint8 (1 = ON)
//   10 uint16  sensor height
// Typed arrays here are little-endian (every platform JS runs on), so arrays are copied as blocks.

import { EventFormatError } from '../errors.js';
import type { EventBatch, SensorSize } from '../types.js';

export const PACKET_MAGIC = 0x56453753; // 'S7EV' read as a little-endian uint32
export const PACKET_VERSION = 1;
export const PACKET_HEADER = 24;
export const MAX_PACKET_EVENTS = 1 << 24;

export interface EventPacket {
  sensor: SensorSize;
  sequence: number;
  events: EventBatch;
}

const align8 = (n: number) => (n + 7) & ~7;

/** Bytes of a packet holding `n` events. */
export function packetSize(n: number): number {
  return align8(PACKET_HEADER + 4 * n) + 9 * n;
}

export function encodePacket(events: EventBatch, sensor: SensorSize, sequence: number): Uint8Array {
  const n = events.length;
  if (n > MAX_PACKET_EVENTS) throw new RangeError(`s7ev packet: ${n} events, at most ${MAX_PACKET_EVENTS}`);
  const bytes = new Uint8Array(packetSize(n));
  const v = new DataView(bytes.buffer);
  v.setUint32(0, PACKET_MAGIC, true);
  v.setUint8(4, PACKET_VERSION);
  v.setUint16(6, PACKET_HEADER, true);
  v.setUint16(8, sensor.width, true);
  v.setUint16(10, sensor.height, true);
  v.setUint32(12, sequence >>> 0, true);
  v.setUint32(16, n, true);
  const tAt = align8(PACKET_HEADER + 4 * n);
  new Uint16Array(bytes.buffer, PACKET_HEADER, n).set(events.x.subarray(0, n));
  new Uint16Array(bytes.buffer, PACKET_HEADER + 2 * n, n).set(events.y.subarray(0, n));
  new Float64Array(bytes.buffer, tAt, n).set(events.t.subarray(0, n));
  bytes.set(events.p.subarray(0, n), tAt + 8 * n);
  return bytes;
}

/**
 * Decodes and checks a packet: magic, version, sizes, and every event inside the sensor with a finite
 * time and polarity 0/1. Throws EventFormatError (format 's7ev', offset inside the packet) otherwise.
 */
export function decodePacket(bytes: Uint8Array): EventPacket {
  const fail = (offset: number, problem: 'truncated' | 'corrupt' | 'unsupported', detail: string): never => {
    throw new EventFormatError('s7ev', offset, problem, detail);
  };
  if (bytes.length < PACKET_HEADER) fail(bytes.length, 'truncated', `packet of ${bytes.length} bytes, the header needs ${PACKET_HEADER}`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (v.getUint32(0, true) !== PACKET_MAGIC) fail(0, 'corrupt', 'magic is not "S7EV"');
  if (v.getUint8(4) !== PACKET_VERSION) fail(4, 'unsupported', `version ${v.getUint8(4)}`);
  const header = v.getUint16(6, true);
  if (header < PACKET_HEADER) fail(6, 'corrupt', `header size ${header}`);
  const sensor = { width: v.getUint16(8, true), height: v.getUint16(10, true) };
  const sequence = v.getUint32(12, true);
  const n = v.getUint32(16, true);
  if (n > MAX_PACKET_EVENTS) fail(16, 'corrupt', `event count ${n}`);
  const xAt = header;
  const tAt = align8(header + 4 * n);
  const size = tAt + 9 * n;
  if (bytes.length !== size) fail(Math.min(bytes.length, size), bytes.length < size ? 'truncated' : 'corrupt', `${n} events need ${size} bytes, packet has ${bytes.length}`);
  // a copy into a fresh, aligned buffer: the batch owns its arrays (Buffer.slice would not copy)
  const raw = new Uint8Array(bytes);
  const events: EventBatch = {
    length: n,
    x: new Uint16Array(raw.buffer, xAt, n),
    y: new Uint16Array(raw.buffer, xAt + 2 * n, n),
    t: new Float64Array(raw.buffer, tAt, n),
    p: new Uint8Array(raw.buffer, tAt + 8 * n, n),
  };
  for (let i = 0; i < n; i++) {
    if (events.x[i] >= sensor.width || events.y[i] >= sensor.height) fail(xAt + 2 * i, 'corrupt', `event ${i} at (${events.x[i]}, ${events.y[i]}) is outside ${sensor.width}x${sensor.height}`);
    if (!Number.isFinite(events.t[i])) fail(tAt + 8 * i, 'corrupt', `event ${i} time ${events.t[i]}`);
    if (events.p[i] > 1) fail(tAt + 8 * n + i, 'corrupt', `event ${i} polarity ${events.p[i]}`);
  }
  return { sensor, sequence, events };
}
