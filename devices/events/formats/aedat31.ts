// AEDAT 3.1 (iniVation cAER; the DVS128 Gesture recordings). Little-endian.
// Header: '#' text lines, the first '#!AEDAT-3.1', the last '#!END-HEADER'. Then packets:
//   28-byte header: int16 eventType, int16 eventSource, int32 eventSize, int32 eventTSOffset,
//                   int32 eventTSOverflow, int32 eventCapacity, int32 eventNumber, int32 eventValid
//   eventCapacity * eventSize bytes of events.
// Polarity events (type 1, 8 bytes): uint32 data (bit 0 valid, bit 1 polarity, bits 2-16 y,
// bits 17-31 x), int32 timestamp; the full time is eventTSOverflow * 2^31 + timestamp (µs).
// Other packet types (special, frame, IMU, ...) are skipped and counted.

import { EventFormatError } from '../errors.js';
import { BatchBuilder } from '../io/batch-builder.js';
import { ByteReader } from '../io/byte-reader.js';
import type { ByteSource } from '../io/byte-source.js';
import { countSkipped, newStats, recording, type EventRecording, type ReaderOptions } from '../recording.js';
import type { EventBatch, SensorSize } from '../types.js';
import { parseSize, readHeaderLines, sensorFromName } from './header.js';

export const AEDAT31_MAGIC = '#!AEDAT-3.1';
export const AEDAT3_PACKET_HEADER = 28;
export const AEDAT3_POLARITY_TYPE = 1;
const TS_OVERFLOW = 2 ** 31;
const PACKET_TYPE_NAMES = ['special', 'polarity', 'frame', 'imu6', 'imu9', 'sample', 'ear', 'config', 'point1d', 'point2d', 'point3d', 'point4d', 'spike'];

export async function openAedat31(source: ByteSource, options: ReaderOptions = {}): Promise<EventRecording> {
  const r = new ByteReader(source, options.blockSize);
  const header = await readHeaderLines(r, '#', 'aedat31', '#!END-HEADER');
  if (!('#' + header[0]).startsWith('#!AEDAT-3')) {
    throw new EventFormatError('aedat31', 0, 'unknown-format', `first line is not "${AEDAT31_MAGIC}"`);
  }
  const sensor = options.sensor ?? aedat3Sensor(header);
  const stats = newStats();
  return recording('aedat31', sensor, header, stats, () => decodePackets(r, sensor, options.batchSize, stats));
}

export async function* readAedat31(source: ByteSource, options: ReaderOptions = {}): AsyncGenerator<EventBatch> {
  yield* await openAedat31(source, options);
}

/** Our writer states the size ('#Sensor-Size 1: 128x128'); cAER names the camera ('#Source 1: DVS128'). */
function aedat3Sensor(header: string[]): SensorSize | undefined {
  for (const line of header) if (/^Sensor-Size/i.test(line)) return parseSize(line.slice(line.indexOf(':') + 1));
  for (const line of header) if (/^-?Source/i.test(line)) {
    const known = sensorFromName(line);
    if (known) return known;
  }
  return undefined;
}

async function* decodePackets(
  r: ByteReader,
  sensor: SensorSize | undefined,
  batchSize: number | undefined,
  stats: ReturnType<typeof newStats>,
): AsyncGenerator<EventBatch> {
  const out = new BatchBuilder(batchSize);
  const width = sensor?.width ?? 0x8000;
  const height = sensor?.height ?? 0x8000;
  const counts = { invalid: 0, outside: 0 };
  for (;;) {
    const have = await r.fill(AEDAT3_PACKET_HEADER);
    if (have === 0) break;
    const packetAt = r.offset();
    if (have < AEDAT3_PACKET_HEADER) {
      yield out.take();
      throw new EventFormatError('aedat31', packetAt, 'truncated', `packet header needs 28 bytes, ${have} left`);
    }
    const v = r.view;
    const h = r.start;
    const type = v.getInt16(h, true);
    const eventSize = v.getInt32(h + 4, true);
    const tsOffset = v.getInt32(h + 8, true);
    const tsOverflow = v.getInt32(h + 12, true);
    const capacity = v.getInt32(h + 16, true);
    const number = v.getInt32(h + 20, true);
    if (eventSize <= 0 || eventSize > 1 << 24 || tsOffset < 0 || tsOffset + 4 > eventSize || capacity < 0 || number < 0 || number > capacity || tsOverflow < 0) {
      countSkipped(stats, 'invalid', counts.invalid);
      countSkipped(stats, 'outside-sensor', counts.outside);
      yield out.take();
      throw new EventFormatError(
        'aedat31', packetAt, 'corrupt',
        `bad packet header (type ${type}, eventSize ${eventSize}, tsOffset ${tsOffset}, tsOverflow ${tsOverflow}, capacity ${capacity}, number ${number})`,
      );
    }
    r.start += AEDAT3_PACKET_HEADER;
    const bodyBytes = capacity * eventSize;
    if (type === AEDAT3_POLARITY_TYPE && (eventSize !== 8 || tsOffset !== 4)) {
      yield out.take();
      throw new EventFormatError('aedat31', packetAt, 'corrupt', `polarity packet with eventSize ${eventSize}, tsOffset ${tsOffset} (expected 8, 4)`);
    }
    if (type !== AEDAT3_POLARITY_TYPE) {
      countSkipped(stats, `${PACKET_TYPE_NAMES[type] ?? `type${type}`}-packet`);
      const skipped = await r.skip(bodyBytes);
      if (skipped < bodyBytes) {
        yield out.take();
        throw new EventFormatError('aedat31', r.offset(), 'truncated', `packet at ${packetAt} needs ${bodyBytes} body bytes, ${skipped} left`);
      }
      continue;
    }
    const tBase = tsOverflow * TS_OVERFLOW;
    let left = number;
    while (left > 0) {
      if (r.available < 8 && (await r.fill(8)) < 8) {
        countSkipped(stats, 'invalid', counts.invalid);
        countSkipped(stats, 'outside-sensor', counts.outside);
        yield out.take();
        throw new EventFormatError('aedat31', r.offset(), 'truncated', `packet at ${packetAt} ends ${left} events early`);
      }
      const count = Math.min(left, (r.end - r.start) >>> 3, out.capacity - out.n);
      const stop = r.start + count * 8;
      decodePolarity(r.view, r.start, stop, out, tBase, width, height, counts);
      r.start = stop;
      left -= count;
      if (out.full) yield out.take();
    }
    const pad = (capacity - number) * eventSize;
    if (pad > 0 && (await r.skip(pad)) < pad) {
      yield out.take();
      throw new EventFormatError('aedat31', r.offset(), 'truncated', `packet at ${packetAt} ends inside its unused capacity`);
    }
  }
  countSkipped(stats, 'invalid', counts.invalid);
  countSkipped(stats, 'outside-sensor', counts.outside);
  yield out.take();
}

/**
 * The hot loop, kept out of the async generator so that V8 optimizes it fully: decodes the polarity
 * events in view[start, stop) into `out` (which has room for them).
 */
function decodePolarity(
  view: DataView,
  start: number,
  stop: number,
  out: BatchBuilder,
  tBase: number,
  width: number,
  height: number,
  counts: { invalid: number; outside: number },
): void {
  const { x, y, t, p } = out;
  let n = out.n;
  for (let i = start; i < stop; i += 8) {
    const data = view.getUint32(i, true);
    if ((data & 1) === 0) {
      counts.invalid++;
      continue;
    }
    const ex = data >>> 17;
    const ey = (data >>> 2) & 0x7fff;
    if (ex >= width || ey >= height) {
      counts.outside++;
      continue;
    }
    x[n] = ex;
    y[n] = ey;
    p[n] = (data >>> 1) & 1;
    t[n] = tBase + view.getInt32(i + 4, true);
    n++;
  }
  out.n = n;
}
