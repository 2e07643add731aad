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

async function* decode(r: ByteReader, sensor: SensorSize | undefined, batchSize: number | undefined, stats: ReaderStats): AsyncGenerator<EventBatch> {
  // A vector word emits up to 12 events: keep room for one.
  const out = new BatchBuilder(Math.max(16, batchSize ?? 65536));
  const width = sensor?.width ?? 2048;
  const height = sensor?.height ?? 2048;
  let y = 0;
  let baseX = 0;
  let vpol = 0;
  let lastHigh = 0;
  let wraps = 0;
  let high = -1; // (wraps * 4096 + TIME_HIGH) * 4096, -1 before the first TIME_HIGH
  let time = 0;
  let noTime = 0;
  let outside = 0;
  let trigger = 0;
  let other = 0;
  const limit = out.capacity - 12;
  for (;;) {
    if (r.available < 2 && (await r.fill(2)) < 2) break;
    const view = r.view;
    const ox = out.x;
    const oy = out.y;
    const ot = out.t;
    const op = out.p;
    let n = out.n;
    let i = r.start;
    const end = r.start + ((r.end - r.start) & ~1);
    for (; i < end && n <= limit; i += 2) {
      const w = view.getUint16(i, true);
      switch (w >>> 12) {
        case 0x0:
          y = w & 0x7ff;
          break;
        case 0x2: {
          const ex = w & 0x7ff;
          if (high < 0) noTime++;
          else if (ex >= width || y >= height) outside++;
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
          baseX = w & 0x7ff;
          vpol = (w >>> 11) & 1;
          break;
        case 0x4:
        case 0x5: {
          const bits = w >>> 12 === 0x4 ? 12 : 8;
          let mask = w & (bits === 12 ? 0xfff : 0xff);
          if (high < 0) noTime += popcount(mask);
          else if (y >= height) outside += popcount(mask);
          else {
            for (let b = baseX; mask !== 0; mask >>>= 1, b++) {
              if ((mask & 1) === 0) continue;
              if (b >= width) {
                outside++;
                continue;
              }
              ox[n] = b;
              oy[n] = y;
              ot[n] = time;
              op[n] = vpol;
              n++;
            }
          }
          baseX += bits;
          break;
        }
        case 0x6:
          time = high < 0 ? 0 : high + (w & 0xfff);
          break;
        case 0x8: {
          const th = w & 0xfff;
          if (th < lastHigh && lastHigh - th > HIGH_RANGE / 2) wraps++;
          lastHigh = th;
          high = (wraps * HIGH_RANGE + th) * 4096;
          time = high;
          break;
        }
        case 0xa:
          trigger++;
          break;
        default:
          other++;
      }
    }
    out.n = n;
    r.start = i;
    if (n > limit) yield out.take();
  }
  countSkipped(stats, 'before-time-high', noTime);
  countSkipped(stats, 'outside-sensor', outside);
  countSkipped(stats, 'trigger', trigger);
  countSkipped(stats, 'other', other);
  yield out.take();
  if (r.available > 0) throw new EventFormatError('evt3', r.offset(), 'truncated', 'odd trailing byte, a word needs 2');
}

function popcount(v: number): number {
  let c = 0;
  for (; v !== 0; v &= v - 1) c++;
  return c;
}
