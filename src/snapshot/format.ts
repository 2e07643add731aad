// Snapshot bytes: the states of some streams, self-describing so that a wrong or damaged file is
// refused instead of silently loaded.
//
//   0   "S7RS" magic
//   4   u16 format version (1), u16 reserved (0)
//   8   u32 header length H
//   12  header: UTF-8 JSON { modelId, state: [{name, shape}], keys: [...] }, zero-padded to 4 bytes
//   ..  float32 LE states: per stream, every state entry in manifest order
//   end u32 CRC-32 of everything before it
import { SnapshotCorruptError, SnapshotModelMismatchError } from '../errors.js';
import type { StateEntry } from '../model/manifest.js';

export const SNAPSHOT_MAGIC = 'S7RS';
export const SNAPSHOT_FORMAT_VERSION = 1;

export interface SnapshotContent {
  modelId: string;
  state: StateEntry[];
  keys: string[];
  /** keys.length * floats-per-stream values. */
  states: Float32Array;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const floatsPerStream = (state: StateEntry[]) => state.reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);

export function encodeSnapshot(c: SnapshotContent): Uint8Array {
  const header = new TextEncoder().encode(JSON.stringify({ modelId: c.modelId, state: c.state, keys: c.keys }));
  const headerPadded = (header.length + 3) & ~3;
  const total = 12 + headerPadded + c.states.length * 4 + 4;
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode(SNAPSHOT_MAGIC), 0);
  view.setUint16(4, SNAPSHOT_FORMAT_VERSION, true);
  view.setUint32(8, header.length, true);
  bytes.set(header, 12);
  let off = 12 + headerPadded;
  for (let i = 0; i < c.states.length; i++, off += 4) view.setFloat32(off, c.states[i]!, true);
  view.setUint32(off, crc32(bytes.subarray(0, off)), true);
  return bytes;
}

/** Parses and checks bytes against the running model's id and state layout. */
export function decodeSnapshot(bytes: Uint8Array, expect: { modelId: string; state: StateEntry[] }): SnapshotContent {
  if (!(bytes instanceof Uint8Array)) throw new SnapshotCorruptError('not a byte array');
  if (bytes.length < 16) throw new SnapshotCorruptError(`only ${bytes.length} bytes`, 0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (new TextDecoder().decode(bytes.subarray(0, 4)) !== SNAPSHOT_MAGIC) throw new SnapshotCorruptError('bad magic (not an s7rt snapshot)', 0);
  const version = view.getUint16(4, true);
  if (version !== SNAPSHOT_FORMAT_VERSION) throw new SnapshotCorruptError(`format version ${version} is not supported`, 4);
  const crcAt = bytes.length - 4;
  if (crc32(bytes.subarray(0, crcAt)) !== view.getUint32(crcAt, true)) throw new SnapshotCorruptError('checksum mismatch', crcAt);
  const h = view.getUint32(8, true);
  if (12 + h > crcAt) throw new SnapshotCorruptError(`header length ${h} runs past the end`, 8);
  let header: { modelId?: unknown; state?: unknown; keys?: unknown };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + h)));
  } catch {
    throw new SnapshotCorruptError('header is not JSON', 12);
  }
  if (typeof header.modelId !== 'string' || !Array.isArray(header.state) || !Array.isArray(header.keys) || !header.keys.every((k) => typeof k === 'string'))
    throw new SnapshotCorruptError('header lacks modelId, state or keys', 12);
  if (header.modelId !== expect.modelId) throw new SnapshotModelMismatchError(expect.modelId, header.modelId);
  const state = header.state as StateEntry[];
  if (JSON.stringify(state) !== JSON.stringify(expect.state.map((s) => ({ name: s.name, shape: s.shape }))))
    throw new SnapshotModelMismatchError(`${expect.modelId} state layout`, `${header.modelId} with state ${JSON.stringify(state)}`);
  const keys = header.keys as string[];
  const dataAt = 12 + ((h + 3) & ~3);
  const n = keys.length * floatsPerStream(state);
  if (dataAt + n * 4 !== crcAt) throw new SnapshotCorruptError(`expected ${n} state values for ${keys.length} streams`, dataAt);
  const states = new Float32Array(n);
  for (let i = 0; i < n; i++) states[i] = view.getFloat32(dataAt + i * 4, true);
  return { modelId: header.modelId, state, keys, states };
}
