// Prophesee RAW and DAT headers: '%' lines such as '% evt 3.0', '% format EVT3;height=720;width=1280',
// '% geometry 1280x720', '% Width 304' / '% Height 240', or only a camera plugin name.

import type { SensorSize } from '../types.js';
import { parseSize, sensorFromName } from './header.js';

export interface PropheseeHeader {
  /** '2.0' | '3.0' | undefined (from 'evt' or 'format' lines) */
  evt?: string;
  sensor?: SensorSize;
}

export function parsePropheseeHeader(lines: readonly string[]): PropheseeHeader {
  const out: { evt?: string; sensor?: SensorSize } = {};
  let width: number | undefined;
  let height: number | undefined;
  for (const raw of lines) {
    const line = raw.trim();
    const [key = '', ...rest] = line.split(/\s+/);
    const value = rest.join(' ');
    switch (key.toLowerCase()) {
      case 'evt':
        out.evt = value.trim();
        break;
      case 'format': {
        // e.g. "EVT3;height=720;width=1280"
        const [name, ...fields] = value.split(';');
        const m = /EVT\s*(\d)(?:\.(\d))?/i.exec(name ?? '');
        if (m) out.evt = `${m[1]}.${m[2] ?? '0'}`;
        for (const f of fields) {
          const [k, v] = f.split('=');
          if (k?.trim() === 'width') width = Number(v);
          if (k?.trim() === 'height') height = Number(v);
        }
        break;
      }
      case 'geometry':
        out.sensor ??= parseSize(value);
        break;
      case 'width':
        width = Number(value);
        break;
      case 'height':
        height = Number(value);
        break;
    }
  }
  if (width && height) out.sensor = { width, height };
  out.sensor ??= sensorFromName(lines.filter((l) => /plugin_name|camera|sensor|integrator/i.test(l)).join(' '));
  return out;
}
