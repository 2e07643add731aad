// Prophesee RAW, EVT 2.0. Header: '%' lines (ending with '% end' in recent files). Then 32-bit
// little-endian words, type in bits 31-28:
//   0x0 CD_OFF / 0x1 CD_ON: bits 27-22 timestamp low 6 bits, bits 21-11 x, bits 10-0 y
//   0x8 EVT_TIME_HIGH: bits 27-0 timestamp bits 33-6
//   0xA EXT_TRIGGER, 0xE OTHERS, 0xF CONTINUED: skipped and counted
// The 34-bit time wraps every ~4.8 h: a TIME_HIGH far below the previous one is a wrap.
// CD events before the first TIME_HIGH have no time base and are skipped (counted), as Metavision does.

import { EventFormatError } from '../errors.js';
import { BatchBuilder } from '../io/batch-builder.js';
import { ByteReader } from '../io/byte-reader.js';
import type { ByteSource } from '../io/byte-source.js';
import { countSkipped, newStats, recording, type EventRecording, type ReaderOptions, type ReaderStats } from '../recording.js';
import type { EventBatch, SensorSize } from '../types.js';
import { readHeaderLines } from './header.js';
import { parsePropheseeHeader } from './prophesee-header.js';

export const EVT2_TIME_HIGH = 0x8;
const HIGH_RANGE = 2 ** 28;

export async function openEvt2(source: ByteSource, options: ReaderOptions = {}): Promise<EventRecording> {
  const r = new ByteReader(source, options.blockSize);
  const header = await readHeaderLines(r, '%', 'evt2', '% end', false);
  const info = parsePropheseeHeader(header);
  if (info.evt !== undefined && !info.evt.startsWith('2')) {
    throw new EventFormatError('evt2', 0, 'unknown-format', `header says EVT ${info.evt}`);
  }
  const sensor = options.sensor ?? info.sensor;
  const stats = newStats();
  return recording('evt2', sensor, header, stats, () => decode(r, sensor, options.batchSize, stats));
}

export async function* readEvt2(source: ByteSource, options: ReaderOptions = {}): AsyncGenerator<EventBatch> {
  yield* await openEvt2(source, options);
}

async function* decode(r: ByteReader, sensor: SensorSize | undefined, batchSize: number | undefined, stats: ReaderStats): AsyncGenerator<EventBatch> {
  const out = new BatchBuilder(batchSize);
  const width = sensor?.width ?? 2048;
  const height = sensor?.height ?? 2048;
  let high = -1; // TIME_HIGH (with wraps) * 64, -1 before the first one
  let lastHigh = 0;
  let wraps = 0;
  let noTime = 0;
  let outside = 0;
  let trigger = 0;
  let other = 0;
  for (;;) {
    if (r.available < 4 && (await r.fill(4)) < 4) break;
    const view = r.view;
    const { x, y, t, p } = out;
    let n = out.n;
    let i = r.start;
    const stop = i + Math.min((r.end - i) >>> 2, out.capacity - n) * 4;
    for (; i < stop; i += 4) {
      const w = view.getUint32(i, true);
      const type = w >>> 28;
      if (type <= 1) {
        const ex = (w >>> 11) & 0x7ff;
        const ey = w & 0x7ff;
        if (high < 0) noTime++;
        else if (ex >= width || ey >= height) outside++;
        else {
          x[n] = ex;
          y[n] = ey;
          p[n] = type;
          t[n] = high + ((w >>> 22) & 0x3f);
          n++;
        }
      } else if (type === EVT2_TIME_HIGH) {
        const th = w & 0x0fffffff;
        if (th < lastHigh && lastHigh - th > HIGH_RANGE / 2) wraps++;
        lastHigh = th;
        high = (wraps * HIGH_RANGE + th) * 64;
      } else if (type === 0xa) trigger++;
      else other++;
    }
    out.n = n;
    r.start = stop;
    if (out.full) yield out.take();
  }
  countSkipped(stats, 'before-time-high', noTime);
  countSkipped(stats, 'outside-sensor', outside);
  countSkipped(stats, 'trigger', trigger);
  countSkipped(stats, 'other', other);
  yield out.take();
  if (r.available > 0) throw new EventFormatError('evt2', r.offset(), 'truncated', `${r.available} bytes left, a word needs 4`);
}
