// Text headers: AEDAT ('#' lines) and Prophesee RAW/DAT ('%' lines) both put comment lines first.

import { EventFormatError, type EventFormat } from '../errors.js';
import type { ByteReader } from '../io/byte-reader.js';
import type { SensorSize } from '../types.js';

const MAX_HEADER_LINE = 1 << 20;

/**
 * Reads lines while the next byte is `prefix` and returns them without the prefix; stops after a line
 * equal to `endLine` when given (AEDAT 3 '#!END-HEADER', required; Prophesee '% end', optional).
 */
export async function readHeaderLines(
  r: ByteReader,
  prefix: string,
  format: EventFormat,
  endLine?: string,
  endRequired = true,
): Promise<string[]> {
  const code = prefix.charCodeAt(0);
  const lines: string[] = [];
  while ((await r.fill(1)) > 0 && r.buf[r.start] === code) {
    const at = r.offset();
    const line = await r.readLine(MAX_HEADER_LINE);
    if (line === null) throw new EventFormatError(format, at, 'truncated', 'header line without end of line');
    const text = line.slice(1);
    lines.push(text);
    if (endLine !== undefined && line === endLine) return lines;
  }
  if (endLine !== undefined && endRequired) throw new EventFormatError(format, r.offset(), 'truncated', `header has no "${endLine}" line`);
  return lines;
}

// Sensor sizes of cameras named in headers (iniVation and Prophesee product names).
const KNOWN_SENSORS: [RegExp, SensorSize][] = [
  [/DVS128/i, { width: 128, height: 128 }],
  [/DAVIS\s*240/i, { width: 240, height: 180 }],
  [/DAVIS\s*346/i, { width: 346, height: 260 }],
  [/DAVIS\s*640/i, { width: 640, height: 480 }],
  [/DVXplorer[\s_]*Lite/i, { width: 320, height: 240 }],
  [/DVXplorer/i, { width: 640, height: 480 }],
  [/gen3\.1|ATIS|gen3/i, { width: 640, height: 480 }],
  [/gen4|IMX636|hal_plugin_gen41/i, { width: 1280, height: 720 }],
];

export function sensorFromName(text: string): SensorSize | undefined {
  for (const [pattern, size] of KNOWN_SENSORS) if (pattern.test(text)) return size;
  return undefined;
}

/** Parses "W x H" / "WxH" into a size, or undefined. */
export function parseSize(text: string | undefined): SensorSize | undefined {
  const m = text === undefined ? null : /(\d+)\s*[x×]\s*(\d+)/.exec(text);
  return m ? { width: Number(m[1]), height: Number(m[2]) } : undefined;
}
