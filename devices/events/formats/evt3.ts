// Prophesee RAW, EVT 3.0. Header: '%' lines. Then 16-bit little-endian words, type in bits 15-12:
//   0x0 EVT_ADDR_Y (y = bits 10-0)        0x2 EVT_ADDR_X (x = bits 10-0, polarity bit 11): one event
//   0x3 VECT_BASE_X (x, polarity)         0x4 VECT_12 / 0x5 VECT_8: a bit per pixel from base x,
//                                          then base x advances by 12 / 8
//   0x6 EVT_TIME_LOW (time bits 11-0)     0x8 EVT_TIME_HIGH (time bits 23-12)
//   0xA EXT_TRIGGER, 0x7/0xF CONTINUED, 0xE OTHERS: skipped and counted
// The 24-bit time wraps every ~16.8 s: only a TIME_HIGH far below the previous one is a wrap. A
// TIME_LOW below the previous TIME_LOW with the same TIME_HIGH is NOT a wrap (sensors emit it); the
// event then carries the smaller time, as recorded. Events before the first TIME_HIGH are skipped.

import { EventFormatError } from '../errors.js';
import { BatchBuilder } from '../io/batch-builder.js';
import { ByteReader } from '../io/byte-reader.js';
import type { ByteSource } from '../io/byte-source.js';
import { countSkipped, newStats, recording, type EventRecording, type ReaderOptions, type ReaderStats } from '../recording.js';
import type { EventBatch, SensorSize } from '../types.js';
import { readHeaderLines } from './header.js';
import { parsePropheseeHeader } from './prophesee-header.js';

const HIGH_RANGE = 4096;

export async function openEvt3(source: ByteSource, options: ReaderOptions = {}): Promise<EventRecording> {
  const r = new ByteReader(source, options.blockSize);
  const header = await readHeaderLines(r, '%', 'evt3', '% end', false);
  const info = parsePropheseeHeader(header);
  if (info.evt !== undefined && !info.evt.startsWith('3')) {
    throw new EventFormatError('evt3', 0, 'unknown-format', `header says EVT ${info.evt}`);
  }
  const sensor = options.sensor ?? info.sensor;
  const stats = newStats();
  return recording('evt3', sensor, header, stats, () => decode(r, sensor, options.batchSize, stats));
}

export async function* readEvt3(source: ByteSource, options: ReaderOptions = {}): AsyncGenerator<EventBatch> {
  yield* await openEvt3(source, options);
}

interface Evt3State {
  width: number;
  height: number;
  y: number;
  baseX: number;
  vpol: number;
  lastHigh: number;
  wraps: number;
  /** (wraps * 4096 + TIME_HIGH) * 4096; -1 before the first TIME_HIGH */
  high: number;
  time: number;
  noTime: number;
  outside: number;
  trigger: number;
  other: number;
}

async function* decode(r: ByteReader, sensor: SensorSize | undefined, batchSize: number | undefined, stats: ReaderStats): AsyncGenerator<EventBatch> {
  // A vector word emits up to 12 events: the loop stops while there is room for one more.
  const out = new BatchBuilder(Math.max(16, batchSize ?? 65536));
  const s: Evt3State = {
    width: sensor?.width ?? 2048,
    height: sensor?.height ?? 2048,
    y: 0,
    baseX: 0,
    vpol: 0,
    lastHigh: 0,
    wraps: 0,
    high: -1,
    time: 0,
    noTime: 0,
    outside: 0,
    trigger: 0,
    other: 0,
  };
  const limit = out.capacity - 12;
  for (;;) {
    if (r.available < 2 && (await r.fill(2)) < 2) break;
    r.start = decodeWords(r.view, r.start, r.start + ((r.end - r.start) & ~1), out, limit, s);
    if (out.n > limit) yield out.take();
  }
  countSkipped(stats, 'before-time-high', s.noTime);
  countSkipped(stats, 'outside-sensor', s.outside);
  countSkipped(stats, 'trigger', s.trigger);
  countSkipped(stats, 'other', s.other);
  yield out.take();
  if (r.available > 0) throw new EventFormatError('evt3', r.offset(), 'truncated', 'odd trailing byte, a word needs 2');
}

/**
 * The hot loop (a plain function, so that V8 optimizes it fully): words in view[start, end) until
 * the batch has more than `limit` events; returns where it stopped.
 */
function decodeWords(view: DataView, start: number, end: number, out: BatchBuilder, limit: number, s: Evt3State): number {
  const ox = out.x;
  const oy = out.y;
  const ot = out.t;
  const op = out.p;
  const { width, height } = s;
  let { y, time } = s;
  let n = out.n;
  let i = start;
  for (; i < end && n <= limit; i += 2) {
    const w = view.getUint16(i, true);
    switch (w >>> 12) {
      case 0x0:
        y = w & 0x7ff;
        break;
      case 0x2: {
        const ex = w & 0x7ff;
        if (s.high < 0) s.noTime++;
        else if (ex >= width || y >= height) s.outside++;
        else {
          ox[n] = ex;
          oy[n] = y;
          ot[n] = time;
          op[n] = (w >>> 11) & 1;
          n++;
        }
        break;
      }
      case 0x3:
        s.baseX = w & 0x7ff;
        s.vpol = (w >>> 11) & 1;
        break;
      case 0x4:
      case 0x5: {
        const bits = w >>> 12 === 0x4 ? 12 : 8;
        let mask = w & (bits === 12 ? 0xfff : 0xff);
        if (s.high < 0) s.noTime += popcount(mask);
        else if (y >= height) s.outside += popcount(mask);
        else {
          const vpol = s.vpol;
          for (let b = s.baseX; mask !== 0; mask >>>= 1, b++) {
            if ((mask & 1) === 0) continue;
            if (b >= width) {
              s.outside++;
              continue;
            }
            ox[n] = b;
            oy[n] = y;
            ot[n] = time;
            op[n] = vpol;
            n++;
          }
        }
        s.baseX += bits;
        break;
      }
      case 0x6:
        time = s.high < 0 ? 0 : s.high + (w & 0xfff);
        break;
      case 0x8: {
        const th = w & 0xfff;
        if (th < s.lastHigh && s.lastHigh - th > HIGH_RANGE / 2) s.wraps++;
        s.lastHigh = th;
        s.high = (s.wraps * HIGH_RANGE + th) * 4096;
        time = s.high;
        break;
      }
      case 0xa:
        s.trigger++;
        break;
      default:
        s.other++;
    }
  }
  s.y = y;
  s.time = time;
  out.n = n;
  return i;
}

function popcount(v: number): number {
  let c = 0;
  for (; v !== 0; v &= v - 1) c++;
  return c;
}
