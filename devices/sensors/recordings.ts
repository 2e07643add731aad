// Labelled IMU recordings the simulated sensors replay (devices/sensors/recordings.json, written
// by the models/ data generator): {"sampleRateHz", "channels", "labels", "recordings": [{"label", "values": flat n×C}]}.
import { readFile } from 'node:fs/promises';

export interface Recording {
  label: string;
  /** flat, row-major: samples × channels */
  values: Float32Array;
  samples: number;
}

export interface Recordings {
  sampleRateHz: number;
  channels: string[];
  labels: string[];
  recordings: Recording[];
}

export class RecordingsError extends Error {
  override readonly name = 'RecordingsError';
  constructor(
    readonly file: string,
    readonly where: string,
    detail: string,
  ) {
    super(`${file} ${where}: ${detail}`);
  }
}

export function parseRecordings(json: unknown, file = 'recordings.json'): Recordings {
  const fail = (where: string, detail: string): never => {
    throw new RecordingsError(file, where, detail);
  };
  if (json === null || typeof json !== 'object') fail('', 'not a JSON object');
  const o = json as Record<string, unknown>;
  if (typeof o.sampleRateHz !== 'number' || !(o.sampleRateHz > 0)) fail('sampleRateHz', 'must be a positive number');
  if (!Array.isArray(o.channels) || o.channels.length === 0) fail('channels', 'must be a non-empty array');
  if (!Array.isArray(o.labels)) fail('labels', 'must be an array');
  if (!Array.isArray(o.recordings) || o.recordings.length === 0) fail('recordings', 'must be a non-empty array');
  const channels = (o.channels as unknown[]).map(String);
  const recordings = (o.recordings as unknown[]).map((r, i): Recording => {
    const rec = r as { label?: unknown; values?: unknown };
    if (typeof rec.label !== 'string') fail(`recordings[${i}].label`, 'must be a string');
    if (!Array.isArray(rec.values) || rec.values.length === 0 || rec.values.length % channels.length !== 0) {
      fail(`recordings[${i}].values`, `must be a non-empty flat array whose length is a multiple of ${channels.length} channels`);
    }
    const values = Float32Array.from(rec.values as number[]);
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) fail(`recordings[${i}].values[${bad}]`, 'is not a finite number');
    return { label: rec.label as string, values, samples: values.length / channels.length };
  });
  return { sampleRateHz: o.sampleRateHz as number, channels, labels: (o.labels as unknown[]).map(String), recordings };
}

export async function loadRecordings(path: string): Promise<Recordings> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new RecordingsError(path, '', `cannot read: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new RecordingsError(path, '', `not JSON: ${(err as Error).message}`);
  }
  return parseRecordings(json, path);
}
