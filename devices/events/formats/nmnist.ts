// N-MNIST / N-Caltech101 binary (Orchard et al., 2015): no header, 5 bytes per event:
//   byte 0 x, byte 1 y, byte 2 bit 7 polarity (1 = ON) and bits 6-0 timestamp bits 22-16,
//   bytes 3-4 timestamp bits 15-0 (µs).
// An event with y = 240 is a timestamp-overflow marker (the datasets' read_dataset.m): every later
// timestamp gains 2^13 µs. It is counted, not delivered. The file does not state the sensor size
// (N-MNIST is 34x34); give it, or let openEvents infer it from the events.

import type { BatchBuilder } from '../io/batch-builder.js';
import { ByteReader } from '../io/byte-reader.js';
import type { ByteSource } from '../io/byte-source.js';
import { readFixedRecords } from '../io/fixed-records.js';
import { newStats, recording, type EventRecording, type ReaderOptions, type ReaderStats } from '../recording.js';
import type { EventBatch, SensorSize } from '../types.js';

const OVERFLOW_Y = 240;
const OVERFLOW_STEP = 2 ** 13;

export async function openNmnist(source: ByteSource, options: ReaderOptions = {}): Promise<EventRecording> {
  const r = new ByteReader(source, options.blockSize);
  const stats = newStats();
  return recording('nmnist', options.sensor, [], stats, () => decode(r, options.sensor, options.batchSize, stats));
}

export async function* readNmnist(source: ByteSource, options: ReaderOptions = {}): AsyncGenerator<EventBatch> {
  yield* await openNmnist(source, options);
}

interface NmnistState {
  width: number;
  height: number;
  offsetT: number;
  overflows: number;
  outside: number;
}

function decode(r: ByteReader, sensor: SensorSize | undefined, batchSize: number | undefined, stats: ReaderStats): AsyncGenerator<EventBatch> {
  const s: NmnistState = { width: sensor?.width ?? 256, height: sensor?.height ?? 256, offsetT: 0, overflows: 0, outside: 0 };
  return readFixedRecords(r, batchSize, stats, {
    format: 'nmnist',
    size: 5,
    record: 'an event',
    decode: (start, stop, out) => decodeRecords(r.buf, start, stop, out, s),
    skipped: () => ({ 'timestamp-overflow': s.overflows, 'outside-sensor': s.outside }),
  });
}

/** The hot loop (a plain function, so that V8 optimizes it fully): records in b[start, stop). */
function decodeRecords(b: Uint8Array, start: number, stop: number, out: BatchBuilder, s: NmnistState): void {
  const { x, y, t, p } = out;
  const { width, height } = s;
  let n = out.n;
  for (let i = start; i < stop; i += 5) {
    const ey = b[i + 1];
    if (ey === OVERFLOW_Y) {
      s.offsetT += OVERFLOW_STEP;
      s.overflows++;
      continue;
    }
    const ex = b[i];
    if (ex >= width || ey >= height) {
      s.outside++;
      continue;
    }
    const b2 = b[i + 2];
    x[n] = ex;
    y[n] = ey;
    p[n] = b2 >>> 7;
    t[n] = s.offsetT + (((b2 & 0x7f) << 16) | (b[i + 3] << 8) | b[i + 4]);
    n++;
  }
  out.n = n;
}
