// Prophesee DAT (CD events; N-CARS, older ATIS recordings). Header: '%' lines ('% Version 2',
// '% Height 240', '% Width 304', ...), then two bytes: event type (12 = CD) and event size (8).
// Events: uint32 LE timestamp (µs, wraps at 2^32), uint32 LE data with bits 13-0 x, bits 27-14 y,
// bits 31-28 polarity. A polarity other than 0/1 is an invalid CD event: skipped and counted.

import { EventFormatError } from '../errors.js';
import type { BatchBuilder } from '../io/batch-builder.js';
import { ByteReader } from '../io/byte-reader.js';
import type { ByteSource } from '../io/byte-source.js';
import { readFixedRecords } from '../io/fixed-records.js';
import { newStats, recording, type EventRecording, type ReaderOptions, type ReaderStats } from '../recording.js';
import type { EventBatch, SensorSize } from '../types.js';
import { readHeaderLines } from './header.js';
import { parsePropheseeHeader } from './prophesee-header.js';

const WRAP = 2 ** 32;

export async function openDat(source: ByteSource, options: ReaderOptions = {}): Promise<EventRecording> {
  const r = new ByteReader(source, options.blockSize);
  const header = await readHeaderLines(r, '%', 'dat');
  const typeAt = r.offset();
  if ((await r.fill(2)) < 2) throw new EventFormatError('dat', typeAt, 'truncated', 'no event type and size after the header');
  const eventType = r.buf[r.start];
  const eventSize = r.buf[r.start + 1];
  if (eventSize !== 8) throw new EventFormatError('dat', typeAt, 'unsupported', `event type ${eventType} of size ${eventSize} (CD events have size 8)`);
  r.start += 2;
  const sensor = options.sensor ?? parsePropheseeHeader(header).sensor;
  const stats = newStats();
  return recording('dat', sensor, header, stats, () => decode(r, sensor, options.batchSize, stats));
}

export async function* readDat(source: ByteSource, options: ReaderOptions = {}): AsyncGenerator<EventBatch> {
  yield* await openDat(source, options);
}

interface DatState {
  width: number;
  height: number;
  wraps: number;
  last: number;
  invalid: number;
  outside: number;
}

function decode(r: ByteReader, sensor: SensorSize | undefined, batchSize: number | undefined, stats: ReaderStats): AsyncGenerator<EventBatch> {
  const s: DatState = { width: sensor?.width ?? 0x4000, height: sensor?.height ?? 0x4000, wraps: 0, last: 0, invalid: 0, outside: 0 };
  return readFixedRecords(r, batchSize, stats, {
    format: 'dat',
    size: 8,
    record: 'an event',
    decode: (start, stop, out) => decodeRecords(r.view, start, stop, out, s),
    skipped: () => ({ invalid: s.invalid, 'outside-sensor': s.outside }),
  });
}

/** The hot loop (a plain function, so that V8 optimizes it fully): records in view[start, stop). */
function decodeRecords(view: DataView, start: number, stop: number, out: BatchBuilder, s: DatState): void {
  const { x, y, t, p } = out;
  const { width, height } = s;
  let n = out.n;
  for (let i = start; i < stop; i += 8) {
    const ts = view.getUint32(i, true);
    const data = view.getUint32(i + 4, true);
    if (ts < s.last && s.last - ts > WRAP / 2) s.wraps++;
    s.last = ts;
    const ep = data >>> 28;
    const ex = data & 0x3fff;
    const ey = (data >>> 14) & 0x3fff;
    if (ep > 1) s.invalid++;
    else if (ex >= width || ey >= height) s.outside++;
    else {
      x[n] = ex;
      y[n] = ey;
      p[n] = ep;
      t[n] = s.wraps * WRAP + ts;
      n++;
    }
  }
  out.n = n;
}
