// N-MNIST / N-Caltech101 binary (Orchard et al., 2015): no header, 5 bytes per event:
//   byte 0 x, byte 1 y, byte 2 bit 7 polarity (1 = ON) and bits 6-0 timestamp bits 22-16,
//   bytes 3-4 timestamp bits 15-0 (µs).
// An event with y = 240 is a timestamp-overflow marker (the datasets' read_dataset.m): every later
// timestamp gains 2^13 µs. It is counted, not delivered. The file does not state the sensor size
// (N-MNIST is 34x34); give it, or let openEvents infer it from the events.

import { EventFormatError } from '../errors.js';
import { BatchBuilder } from '../io/batch-builder.js';
import { ByteReader } from '../io/byte-reader.js';
import type { ByteSource } from '../io/byte-source.js';
import { countSkipped, newStats, recording, type EventRecording, type ReaderOptions, type ReaderStats } from '../recording.js';
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

async function* decode(r: ByteReader, sensor: SensorSize | undefined, batchSize: number | undefined, stats: ReaderStats): AsyncGenerator<EventBatch> {
  const out = new BatchBuilder(batchSize);
  const s: NmnistState = { width: sensor?.width ?? 256, height: sensor?.height ?? 256, offsetT: 0, overflows: 0, outside: 0 };
  for (;;) {
    if (r.available < 5 && (await r.fill(5)) < 5) break;
    const stop = r.start + Math.min(Math.floor((r.end - r.start) / 5), out.capacity - out.n) * 5;
    decodeRecords(r.buf, r.start, stop, out, s);
    r.start = stop;
    if (out.full) yield out.take();
  }
  countSkipped(stats, 'timestamp-overflow', s.overflows);
  countSkipped(stats, 'outside-sensor', s.outside);
  yield out.take();
  if (r.available > 0) throw new EventFormatError('nmnist', r.offset(), 'truncated', `${r.available} bytes left, an event needs 5`);
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
