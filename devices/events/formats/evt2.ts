// Prophesee RAW, EVT 2.0. Header: '%' lines (ending with '% end' in recent files). Then 32-bit
// little-endian words, type in bits 31-28:
//   0x0 CD_OFF / 0x1 CD_ON: bits 27-22 timestamp low 6 bits, bits 21-11 x, bits 10-0 y
//   0x8 EVT_TIME_HIGH: bits 27-0 timestamp bits 33-6
//   0xA EXT_TRIGGER, 0xE OTHERS, 0xF CONTINUED: skipped and counted
// The 34-bit time wraps every ~4.8 h: a TIME_HIGH far below the previous one is a wrap.
// CD events before the first TIME_HIGH have no time base and are skipped (counted), as Metavision does.

import { EventFormatError } from '../errors.js';
import type { BatchBuilder } from '../io/batch-builder.js';
import { ByteReader } from '../io/byte-reader.js';
import type { ByteSource } from '../io/byte-source.js';
import { readFixedRecords } from '../io/fixed-records.js';
import { newStats, recording, type EventRecording, type ReaderOptions, type ReaderStats } from '../recording.js';
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

interface Evt2State {
  /** TIME_HIGH (with wraps) * 64; -1 before the first TIME_HIGH */
  high: number;
  lastHigh: number;
  wraps: number;
  noTime: number;
  outside: number;
  trigger: number;
  other: number;
}

function decode(r: ByteReader, sensor: SensorSize | undefined, batchSize: number | undefined, stats: ReaderStats): AsyncGenerator<EventBatch> {
  const width = sensor?.width ?? 2048;
  const height = sensor?.height ?? 2048;
  const s: Evt2State = { high: -1, lastHigh: 0, wraps: 0, noTime: 0, outside: 0, trigger: 0, other: 0 };
  return readFixedRecords(r, batchSize, stats, {
    format: 'evt2',
    size: 4,
    record: 'a word',
    decode: (start, stop, out) => decodeWords(r.view, start, stop, out, width, height, s),
    skipped: () => ({ 'before-time-high': s.noTime, 'outside-sensor': s.outside, trigger: s.trigger, other: s.other }),
  });
}

/** The hot loop (a plain function, so that V8 optimizes it fully): words in view[start, stop). */
function decodeWords(view: DataView, start: number, stop: number, out: BatchBuilder, width: number, height: number, s: Evt2State): void {
  const { x, y, t, p } = out;
  let n = out.n;
  let high = s.high;
  for (let i = start; i < stop; i += 4) {
    const w = view.getUint32(i, true);
    const type = w >>> 28;
    if (type <= 1) {
      const ex = (w >>> 11) & 0x7ff;
      const ey = w & 0x7ff;
      if (high < 0) s.noTime++;
      else if (ex >= width || ey >= height) s.outside++;
      else {
        x[n] = ex;
        y[n] = ey;
        p[n] = type;
        t[n] = high + ((w >>> 22) & 0x3f);
        n++;
      }
    } else if (type === EVT2_TIME_HIGH) {
      const th = w & 0x0fffffff;
      if (th < s.lastHigh && s.lastHigh - th > HIGH_RANGE / 2) s.wraps++;
      s.lastHigh = th;
      high = (s.wraps * HIGH_RANGE + th) * 64;
    } else if (type === 0xa) s.trigger++;
    else s.other++;
  }
  s.high = high;
  out.n = n;
}
