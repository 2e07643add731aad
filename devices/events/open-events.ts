// One entry point for every recording format: sniffs the format from the first bytes (or the file
// name), opens the matching reader, and infers the sensor size from the events when neither the file
// nor the options state it and the source can be read twice.

import { EventFormatError, type EventFormat } from './errors.js';
import { openAedat2 } from './formats/aedat2.js';
import { openAedat31 } from './formats/aedat31.js';
import { openAedat4 } from './formats/aedat4.js';
import { openDat } from './formats/dat.js';
import { openEvt2 } from './formats/evt2.js';
import { openEvt3 } from './formats/evt3.js';
import { openNmnist } from './formats/nmnist.js';
import { parsePropheseeHeader } from './formats/prophesee-header.js';
import { byteChunks, isReReadable, type ByteSource } from './io/byte-source.js';
import type { EventRecording, ReaderOptions } from './recording.js';
import type { SensorSize } from './types.js';

export type RecordingFormat = Exclude<EventFormat, 's7ev'>;

export interface OpenOptions extends ReaderOptions {
  /** Skip sniffing. */
  format?: RecordingFormat;
  /** File name used for sniffing when the source is not a path (e.g. a dropped File's name). */
  name?: string;
  /** Infer a missing sensor size with a first pass over re-readable sources; default true. */
  inferSensor?: boolean;
}

const SNIFF_BYTES = 64 * 1024;

const OPENERS: Record<RecordingFormat, (source: ByteSource, options: ReaderOptions) => Promise<EventRecording>> = {
  aedat2: openAedat2,
  aedat31: openAedat31,
  aedat4: openAedat4,
  evt2: openEvt2,
  evt3: openEvt3,
  dat: openDat,
  nmnist: openNmnist,
};

export async function openEvents(source: ByteSource, options: OpenOptions = {}): Promise<EventRecording> {
  let src = source;
  let format = options.format;
  if (format === undefined) {
    const peeked = await peek(source, SNIFF_BYTES);
    src = peeked.source;
    const name = options.name ?? (typeof source === 'string' ? source : typeof File !== 'undefined' && source instanceof File ? source.name : '');
    format = sniffFormat(peeked.head, name);
  }
  const open = OPENERS[format];
  let rec = await open(src, options);
  if (rec.sensor === undefined && options.inferSensor !== false && isReReadable(src)) {
    const sensor = await inferSensor(await open(src, options));
    if (sensor) rec = await open(src, { ...options, sensor });
  }
  return rec;
}

/** Names the format of a recording from its first bytes, else from its file extension. */
export function sniffFormat(head: Uint8Array, name = ''): RecordingFormat {
  const text = new TextDecoder('latin1').decode(head.subarray(0, Math.min(head.length, SNIFF_BYTES)));
  if (/^#!AER-DAT[12]/.test(text)) return 'aedat2';
  if (/^#!AEDAT-3/.test(text)) return 'aedat31';
  if (/^#!(AER-DAT|AEDAT-)4/.test(text)) return 'aedat4';
  if (text.startsWith('%')) {
    const lines = text.split('\n').filter((l) => l.startsWith('%')).map((l) => l.slice(1));
    const evt = parsePropheseeHeader(lines).evt;
    if (evt?.startsWith('3')) return 'evt3';
    if (evt?.startsWith('2')) return 'evt2';
    if (/\.raw$/i.test(name)) return 'evt3';
    return 'dat';
  }
  if (/\.bin$/i.test(name)) return 'nmnist';
  if (/\.dat$/i.test(name)) return 'dat';
  throw new EventFormatError('unknown', 0, 'unknown-format', `cannot tell the format of ${name || 'the input'} from its first bytes; pass { format }`);
}

/** Largest x and y over the whole recording, plus one (undefined for an empty recording). */
async function inferSensor(rec: EventRecording): Promise<SensorSize | undefined> {
  let mx = -1;
  let my = -1;
  try {
    for await (const b of rec) {
      for (let i = 0; i < b.length; i++) {
        if (b.x[i] > mx) mx = b.x[i];
        if (b.y[i] > my) my = b.y[i];
      }
    }
  } catch {
    // A damaged file: the size from the events before the damage; the real read reports the error.
  }
  return mx < 0 ? undefined : { width: mx + 1, height: my + 1 };
}

/** Reads the first bytes of a source, returning a source that still yields every byte. */
async function peek(source: ByteSource, n: number): Promise<{ head: Uint8Array; source: ByteSource }> {
  if (source instanceof Uint8Array) return { head: source.subarray(0, n), source };
  const it = byteChunks(source, n)[Symbol.asyncIterator]();
  const first = await it.next();
  const head = first.done ? new Uint8Array(0) : first.value;
  if (isReReadable(source)) {
    await it.return?.(undefined);
    return { head, source };
  }
  async function* replay(): AsyncGenerator<Uint8Array> {
    if (!first.done) yield first.value;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  }
  return { head, source: replay() };
}
