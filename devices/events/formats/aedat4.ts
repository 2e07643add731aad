// AEDAT 4.0 (iniVation DV). Layout:
//   '#!AER-DAT4.0\r\n', int32 LE header size, IOHeader flatbuffer ("IOHE"): compression (0 none,
//   1 LZ4, 2 LZ4 high, 3 Zstd, 4 Zstd high), dataTablePosition (int64, -1 if none), infoNode (XML
//   describing each stream: typeIdentifier, sizeX, sizeY).
//   Packets until dataTablePosition: int32 streamId, int32 size, `size` bytes compressed as stated;
//   once decompressed, a size-prefixed flatbuffer. Event packets ("EVTS") hold a vector of 16-byte
//   structs: int64 t (µs), int16 x, int16 y, bool on, 3 bytes padding.
// Packets of other streams (frames, IMU, triggers) are skipped without decompressing them.

import { decompress as zstdDecompress } from 'fzstd';
import { decompress as lz4Decompress, decompressBound as lz4Bound } from 'lz4js';
import { EventFormatError } from '../errors.js';
import { BatchBuilder } from '../io/batch-builder.js';
import { ByteReader } from '../io/byte-reader.js';
import type { ByteSource } from '../io/byte-source.js';
import { countSkipped, newStats, recording, type EventRecording, type ReaderOptions, type ReaderStats } from '../recording.js';
import type { EventBatch, SensorSize } from '../types.js';
import { rootTable } from './flatbuffer.js';
import { readHeaderLines } from './header.js';

export interface Aedat4Options extends ReaderOptions {
  /** Stream id to read; default the first stream whose typeIdentifier is EVTS. */
  stream?: number;
}

export interface Aedat4Stream {
  id: number;
  type: string;
  sensor?: SensorSize;
}

const COMPRESSIONS = ['none', 'lz4', 'lz4', 'zstd', 'zstd'] as const;
const MAX_HEADER = 1 << 24;
const MAX_PACKET = 1 << 28;
const EVENT_BYTES = 16;

export async function openAedat4(source: ByteSource, options: Aedat4Options = {}): Promise<EventRecording & { streams: Aedat4Stream[] }> {
  const r = new ByteReader(source, options.blockSize);
  const header = await readHeaderLines(r, '#', 'aedat4');
  if (!/^!(AER-DAT|AEDAT-)4/.test(header[0] ?? '')) {
    throw new EventFormatError('aedat4', 0, 'unknown-format', 'first line is not "#!AER-DAT4.0"');
  }
  const sizeAt = r.offset();
  if ((await r.fill(4)) < 4) throw new EventFormatError('aedat4', sizeAt, 'truncated', 'no IOHeader size');
  const headerSize = r.view.getInt32(r.start, true);
  if (headerSize <= 0 || headerSize > MAX_HEADER) throw new EventFormatError('aedat4', sizeAt, 'corrupt', `IOHeader size ${headerSize}`);
  r.start += 4;
  if ((await r.fill(headerSize)) < headerSize) throw new EventFormatError('aedat4', sizeAt + 4, 'truncated', `IOHeader needs ${headerSize} bytes`);
  const ioAt = r.offset();
  let compressionCode: number, dataTable: number, info: string;
  try {
    const io = rootTable(r.take(headerSize), 'IOHE');
    if (!io) throw new RangeError('no "IOHE" identifier');
    compressionCode = io.int32(0, 0);
    dataTable = io.int64(1, -1);
    info = io.string(2) ?? '';
  } catch (e) {
    throw new EventFormatError('aedat4', ioAt, 'corrupt', `IOHeader: ${(e as Error).message}`);
  }
  const compression = COMPRESSIONS[compressionCode];
  if (!compression) throw new EventFormatError('aedat4', ioAt, 'unsupported', `compression ${compressionCode}`);
  const streams = parseStreams(info);
  const chosen = options.stream ?? streams.find((s) => s.type === 'EVTS')?.id;
  const sensor = options.sensor ?? streams.find((s) => s.id === chosen)?.sensor;
  const stats = newStats();
  const rec = recording('aedat4', sensor, [...header, info], stats, () =>
    decodePackets(r, { stream: chosen ?? -1, compression, dataTable, sensor, batchSize: options.batchSize, stats }),
  );
  return Object.assign(rec, { streams });
}

export async function* readAedat4(source: ByteSource, options: Aedat4Options = {}): AsyncGenerator<EventBatch> {
  yield* await openAedat4(source, options);
}

/** Streams in the infoNode XML: <node name="ID"> with typeIdentifier, sizeX, sizeY attributes. */
function parseStreams(info: string): Aedat4Stream[] {
  const starts = [...info.matchAll(/<node name="(\d+)"/g)];
  return starts.map((m, k) => {
    const body = info.slice(m.index, starts[k + 1]?.index ?? info.length);
    const attr = (key: string) => new RegExp(`<attr key="${key}"[^>]*>([^<]*)</attr>`).exec(body)?.[1];
    const sizeX = Number(attr('sizeX'));
    const sizeY = Number(attr('sizeY'));
    return {
      id: Number(m[1]),
      type: attr('typeIdentifier') ?? '',
      sensor: sizeX > 0 && sizeY > 0 ? { width: sizeX, height: sizeY } : undefined,
    };
  });
}

/** LZ4 frame, refusing a frame whose descriptor claims more than MAX_PACKET bytes (corrupt input). */
function lz4(raw: Uint8Array): Uint8Array {
  const bound = lz4Bound(raw);
  if (!(bound >= 0 && bound <= MAX_PACKET)) throw new RangeError(`LZ4 frame claims ${bound} bytes`);
  return lz4Decompress(raw, bound);
}

interface PacketOptions {
  stream: number;
  compression: (typeof COMPRESSIONS)[number];
  dataTable: number;
  sensor: SensorSize | undefined;
  batchSize: number | undefined;
  stats: ReaderStats;
}

async function* decodePackets(r: ByteReader, o: PacketOptions): AsyncGenerator<EventBatch> {
  const out = new BatchBuilder(o.batchSize);
  const width = o.sensor?.width ?? 0x8000;
  const height = o.sensor?.height ?? 0x8000;
  const fail = function* (offset: number, problem: 'truncated' | 'corrupt', detail: string): Generator<EventBatch, never> {
    yield out.take();
    throw new EventFormatError('aedat4', offset, problem, detail);
  };
  for (;;) {
    const at = r.offset();
    if (o.dataTable >= 0 && at >= o.dataTable) break;
    const have = await r.fill(8);
    if (have === 0) break;
    if (have < 8) yield* fail(at, 'truncated', `packet header needs 8 bytes, ${have} left`);
    const streamId = r.view.getInt32(r.start, true);
    const size = r.view.getInt32(r.start + 4, true);
    if (size <= 0 || size > MAX_PACKET) yield* fail(at, 'corrupt', `packet size ${size} (stream ${streamId})`);
    r.start += 8;
    if (streamId !== o.stream) {
      countSkipped(o.stats, `stream${streamId}-packet`);
      if ((await r.skip(size)) < size) yield* fail(at, 'truncated', `packet of ${size} bytes ends early`);
      continue;
    }
    if ((await r.fill(size)) < size) yield* fail(at, 'truncated', `packet of ${size} bytes ends early`);
    let elements: { view: DataView; start: number; length: number };
    try {
      const raw = r.buf.subarray(r.start, r.start + size);
      const bytes = o.compression === 'lz4' ? lz4(raw) : o.compression === 'zstd' ? zstdDecompress(raw) : raw;
      const table = rootTable(bytes, 'EVTS');
      if (!table) throw new RangeError('not an event packet ("EVTS")');
      const vec = table.vector(0);
      if (vec.start + vec.length * EVENT_BYTES > table.view.byteLength) throw new RangeError(`${vec.length} events do not fit in the packet`);
      elements = { view: table.view, ...vec };
    } catch (e) {
      return yield* fail(at, 'corrupt', `event packet: ${(e as Error).message}`);
    }
    r.start += size;
    const { view, start, length } = elements;
    let outside = 0;
    for (let k = 0; k < length; ) {
      const count = Math.min(length - k, out.capacity - out.n);
      outside += decodeStructs(view, start + k * EVENT_BYTES, count, out, width, height);
      k += count;
      if (out.full) yield out.take();
    }
    countSkipped(o.stats, 'outside-sensor', outside);
  }
  yield out.take();
}

/**
 * The hot loop (a plain function, so that V8 optimizes it fully): `count` 16-byte event structs from
 * `at` into `out`; returns how many were outside the sensor.
 */
function decodeStructs(view: DataView, at: number, count: number, out: BatchBuilder, width: number, height: number): number {
  const { x, y, t, p } = out;
  let n = out.n;
  let outside = 0;
  for (let e = at, stop = at + count * EVENT_BYTES; e < stop; e += EVENT_BYTES) {
    const ex = view.getInt16(e + 8, true);
    const ey = view.getInt16(e + 10, true);
    if (ex < 0 || ey < 0 || ex >= width || ey >= height) {
      outside++;
      continue;
    }
    x[n] = ex;
    y[n] = ey;
    t[n] = view.getUint32(e, true) + view.getInt32(e + 4, true) * 4294967296;
    p[n] = view.getUint8(e + 12) === 0 ? 0 : 1;
    n++;
  }
  out.n = n;
  return outside;
}
