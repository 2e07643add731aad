// AEDAT 2.0 (jAER). Header: '#' text lines ('#!AER-DAT2.0' first). Then 8-byte big-endian records:
// int32 address, int32 timestamp (µs, wraps at 2^32). Address layouts (jAER chip classes):
//   DVS128: bit 15 external event, bits 14-8 y, bits 7-1 x, bit 0 polarity (1 = ON).
//   DAVIS:  bit 31 APS/IMU sample, bit 10 special event; both 0 = polarity event with
//           bits 30-22 y, bits 21-12 x, bit 11 polarity (1 = ON).
// APS, IMU, special and external events are skipped and counted. Addresses are kept as the chip
// reports them (jAER puts (0,0) at the lower left).

import { EventFormatError } from '../errors.js';
import type { BatchBuilder } from '../io/batch-builder.js';
import { ByteReader } from '../io/byte-reader.js';
import type { ByteSource } from '../io/byte-source.js';
import { readFixedRecords } from '../io/fixed-records.js';
import { newStats, recording, type EventRecording, type ReaderOptions, type ReaderStats } from '../recording.js';
import type { EventBatch, SensorSize } from '../types.js';
import { readHeaderLines, sensorFromName } from './header.js';

export type Aedat2Layout = 'dvs128' | 'davis';

export interface Aedat2Options extends ReaderOptions {
  /** Address layout; default from the header's AEChip/HardwareInterface line, else DVS128. */
  layout?: Aedat2Layout;
}

const WRAP = 2 ** 32;

export async function openAedat2(source: ByteSource, options: Aedat2Options = {}): Promise<EventRecording> {
  const r = new ByteReader(source, options.blockSize);
  const header = await readHeaderLines(r, '#', 'aedat2');
  if (!header[0]?.startsWith('!AER-DAT2') && !header[0]?.startsWith('!AER-DAT1')) {
    throw new EventFormatError('aedat2', 0, 'unknown-format', 'first line is not "#!AER-DAT2.0"');
  }
  const chip = header.filter((l) => /^\s*(AEChip|HardwareInterface)/i.test(l)).join(' ');
  const layout = options.layout ?? (/davis/i.test(chip) ? 'davis' : 'dvs128');
  const sensor = options.sensor ?? sensorFromName(chip) ?? (layout === 'dvs128' ? { width: 128, height: 128 } : undefined);
  const stats = newStats();
  return recording('aedat2', sensor, header, stats, () => decode(r, layout, sensor, options.batchSize, stats));
}

export async function* readAedat2(source: ByteSource, options: Aedat2Options = {}): AsyncGenerator<EventBatch> {
  yield* await openAedat2(source, options);
}

interface Aedat2State {
  davis: boolean;
  width: number;
  height: number;
  wraps: number;
  last: number;
  other: number;
  outside: number;
}

function decode(r: ByteReader, layout: Aedat2Layout, sensor: SensorSize | undefined, batchSize: number | undefined, stats: ReaderStats): AsyncGenerator<EventBatch> {
  const s: Aedat2State = { davis: layout === 'davis', width: sensor?.width ?? 0x10000, height: sensor?.height ?? 0x10000, wraps: 0, last: -1, other: 0, outside: 0 };
  return readFixedRecords(r, batchSize, stats, {
    format: 'aedat2',
    size: 8,
    record: 'an event',
    decode: (start, stop, out) => decodeRecords(r.view, start, stop, out, s),
    skipped: () => ({ [s.davis ? 'aps-imu-special' : 'special']: s.other, 'outside-sensor': s.outside }),
  });
}

/** The hot loop (a plain function, so that V8 optimizes it fully): records in view[start, stop). */
function decodeRecords(view: DataView, start: number, stop: number, out: BatchBuilder, s: Aedat2State): void {
  const { x, y, t, p } = out;
  const { davis, width, height } = s;
  let n = out.n;
  for (let i = start; i < stop; i += 8) {
    const addr = view.getUint32(i, false);
    const ts = view.getUint32(i + 4, false);
    // A large backwards jump is the 32-bit counter wrapping; small ones are kept as recorded.
    if (ts < s.last && s.last - ts > WRAP / 2) s.wraps++;
    s.last = ts;
    let ex: number, ey: number, ep: number;
    if (davis) {
      if ((addr & 0x80000400) !== 0) {
        s.other++;
        continue;
      }
      ex = (addr >>> 12) & 0x3ff;
      ey = (addr >>> 22) & 0x1ff;
      ep = (addr >>> 11) & 1;
    } else {
      if ((addr & 0xffff8000) !== 0) {
        s.other++;
        continue;
      }
      ex = (addr >>> 1) & 0x7f;
      ey = (addr >>> 8) & 0x7f;
      ep = addr & 1;
    }
    if (ex >= width || ey >= height) {
      s.outside++;
      continue;
    }
    x[n] = ex;
    y[n] = ey;
    p[n] = ep;
    t[n] = s.wraps * WRAP + ts;
    n++;
  }
  out.n = n;
}
