// Sample and prediction payloads on the wire (docs/mqtt.md "Payloads").
//
// JSON:   {"seq": 12, "t": 1733340000000, "values": [ax, ay, az, gx, gy, gz]}   ("device" optional)
// binary: float64 LE seq | float64 LE t (NaN = absent) | input.size × float32 LE values
import type { Prediction } from '../api.js';
import { PayloadError } from './errors.js';

export type PayloadFormat = 'json' | 'binary';

export interface WireSample {
  /** per-device sequence number: a non-negative integer, increasing by one per sample */
  seq: number;
  /** sample time in ms, as published (optional) */
  t?: number;
  values: Float32Array;
  /** device key from the payload (JSON only), used when the topic does not carry it */
  device?: string;
  /** simulator ground truth, passed through to the prediction when present */
  truth?: string;
  /** JSON only: this sample starts a new session; the device's state is reset before it is applied */
  reset?: boolean;
}

export const binaryHeaderBytes = 16;

export interface DecodeOptions {
  format: PayloadFormat;
  /** the model's input.size */
  size: number;
  maxBytes: number;
}

export function decodeSample(payload: Uint8Array, opts: DecodeOptions): WireSample {
  if (payload.byteLength > opts.maxBytes) {
    throw new PayloadError('payload-too-large', 'payload', `${payload.byteLength} bytes > limit ${opts.maxBytes}`);
  }
  return opts.format === 'json' ? decodeJson(payload, opts.size) : decodeBinary(payload, opts.size);
}

function checkSeq(seq: unknown, where: string): number {
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) {
    throw new PayloadError('bad-seq', where, `expected a non-negative integer, got ${String(seq)}`);
  }
  return seq;
}

function decodeJson(payload: Uint8Array, size: number): WireSample {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8'));
  } catch (err) {
    throw new PayloadError('malformed-json', 'payload', (err as Error).message);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new PayloadError('bad-shape', 'payload', 'expected a JSON object {"seq","values"}');
  }
  const obj = json as Record<string, unknown>;
  const seq = checkSeq(obj.seq, 'seq');
  let t: number | undefined;
  if (obj.t !== undefined) {
    if (typeof obj.t !== 'number' || !Number.isFinite(obj.t)) throw new PayloadError('bad-shape', 't', 'expected a finite number (ms)');
    t = obj.t;
  }
  const raw = obj.values;
  if (!Array.isArray(raw)) throw new PayloadError('bad-shape', 'values', 'expected an array of numbers');
  if (raw.length !== size) throw new PayloadError('wrong-length', 'values', `expected ${size} values (model input.size), got ${raw.length}`);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const v = raw[i];
    // JSON has no NaN literal; senders that write NaN/Infinity send null or strings, or invalid JSON.
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new PayloadError('non-finite', `values[${i}]`, `expected a finite number, got ${JSON.stringify(v)}`);
    values[i] = v;
  }
  const sample: WireSample = { seq, values };
  if (t !== undefined) sample.t = t;
  if (obj.device !== undefined) {
    if (typeof obj.device !== 'string' || obj.device.length === 0) throw new PayloadError('bad-shape', 'device', 'expected a non-empty string');
    sample.device = obj.device;
  }
  if (typeof obj.truth === 'string') sample.truth = obj.truth;
  if (obj.reset !== undefined) {
    if (typeof obj.reset !== 'boolean') throw new PayloadError('bad-shape', 'reset', 'expected true or false');
    if (obj.reset) sample.reset = true;
  }
  return sample;
}

function decodeBinary(payload: Uint8Array, size: number): WireSample {
  const want = binaryHeaderBytes + 4 * size;
  if (payload.byteLength !== want) {
    throw new PayloadError('wrong-length', 'payload', `expected ${want} bytes (16-byte header + ${size} float32), got ${payload.byteLength}`);
  }
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const seq = checkSeq(view.getFloat64(0, true), 'bytes 0..8 (seq)');
  const t = view.getFloat64(8, true);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const v = view.getFloat32(binaryHeaderBytes + 4 * i, true);
    if (!Number.isFinite(v)) throw new PayloadError('non-finite', `values[${i}]`, `got ${v}`);
    values[i] = v;
  }
  const sample: WireSample = { seq, values };
  if (!Number.isNaN(t)) sample.t = t;
  return sample;
}

/** The inverse of decodeSample (simulator, tests, benchmarks). */
export function encodeSample(format: PayloadFormat, sample: { seq: number; t?: number; values: ArrayLike<number>; truth?: string; reset?: boolean }): Buffer {
  if (format === 'json') {
    const obj: Record<string, unknown> = { seq: sample.seq };
    if (sample.t !== undefined) obj.t = sample.t;
    obj.values = Array.from(sample.values);
    if (sample.truth !== undefined) obj.truth = sample.truth;
    if (sample.reset) obj.reset = true;
    return Buffer.from(JSON.stringify(obj));
  }
  const buf = Buffer.alloc(binaryHeaderBytes + 4 * sample.values.length);
  buf.writeDoubleLE(sample.seq, 0);
  buf.writeDoubleLE(sample.t ?? Number.NaN, 8);
  for (let i = 0; i < sample.values.length; i++) buf.writeFloatLE(sample.values[i], binaryHeaderBytes + 4 * i);
  return buf;
}

/** What s7rt publishes for every applied sample (JSON; read by the dashboard). */
export interface WirePrediction {
  device: string;
  seq: number;
  t?: number;
  label?: string;
  probability?: number;
  values: Record<string, number>;
  output: number[];
  /** the sample's ground truth when the sender provided one (simulator) */
  truth?: string;
}

/** `extra` fields go after the standard ones (e.g. `s7rt classify --publish`: event time, counts, final). */
export function encodePrediction(
  device: string,
  sample: Pick<WireSample, 'seq'> & Partial<WireSample>,
  p: Omit<Prediction, 'output'> & { output: ArrayLike<number> },
  extra?: Record<string, number | boolean>,
): Buffer {
  const out: WirePrediction = { device, seq: sample.seq, values: p.values, output: Array.from(p.output) };
  if (sample.t !== undefined) out.t = sample.t;
  if (p.label !== undefined) out.label = p.label;
  if (p.probability !== undefined) out.probability = p.probability;
  if (sample.truth !== undefined) out.truth = sample.truth;
  return Buffer.from(JSON.stringify(extra ? { ...out, ...extra } : out));
}
