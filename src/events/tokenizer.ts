// Event-camera input of token models: event batches -> (token, dt) samples as the manifest's
// input.events block prescribes (docs/model-package.md; the same formula as training,
// models/s7/data/gestures.py). No Node APIs: the dashboard page tokenises dropped recordings too.
import type { Sample } from '../api.js';
import { ManifestError } from '../errors.js';
import type { Manifest } from '../model/manifest.js';
import type { EventBatch } from '../../devices/events/types.js';

export interface EventTokenSpec {
  width: number;
  height: number;
  downsample: number;
  decimate: number;
}

/** Reads input.events of a token model's manifest; every problem is named by its JSON path. */
export function tokenSpecOf(m: Manifest, source = 'manifest.json'): EventTokenSpec {
  const fail = (path: string, message: string): never => {
    throw new ManifestError(source, [{ path, message }]);
  };
  if (m.input.kind !== 'tokens') fail('input.kind', `is "${m.input.kind}": events need an event-token model`);
  if (!m.input.dt || m.input.timeUnit !== 'us') fail('input.dt', 'must be true with input.timeUnit "us"');
  const ev = (m.input as { events?: unknown }).events as Record<string, unknown> | undefined;
  if (!ev || typeof ev !== 'object') fail('input.events', 'missing (the tokenisation of events)');
  const sensor = ev!.sensor as Record<string, unknown> | undefined;
  const int = (v: unknown, path: string): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) fail(path, 'must be an integer >= 1');
    return v as number;
  };
  const spec = {
    width: int(sensor?.width, 'input.events.sensor.width'),
    height: int(sensor?.height, 'input.events.sensor.height'),
    downsample: int(ev!.downsample, 'input.events.downsample'),
    decimate: int(ev!.decimate, 'input.events.decimate'),
  };
  const vocab = 2 * Math.ceil(spec.width / spec.downsample) * Math.ceil(spec.height / spec.downsample);
  if (vocab !== m.input.size) fail('input.events', `gives ${vocab} tokens but input.size is ${m.input.size}`);
  return spec;
}

export interface TokenizerStats {
  /** events seen (kept or not) */
  events: number;
  /** tokens made (one per `decimate` events) */
  tokens: number;
  /** events outside the model's sensor: counted, not tokenised, not counted as seen */
  outsideSensor: number;
}

/**
 * Events → (token, dt) samples: keeps event i (counted from the stream's start) iff i mod decimate
 * is 0; token = p·W'·H' + ⌊y/f⌋·W' + ⌊x/f⌋; dt = µs since the previous kept event (0 for the first).
 * One tokenizer per stream: it carries the event count and the last kept time across batches.
 */
export class EventTokenizer {
  readonly stats: TokenizerStats = { events: 0, tokens: 0, outsideSensor: 0 };
  private readonly gw: number;
  private readonly plane: number;
  private lastT = Number.NaN;

  constructor(readonly spec: EventTokenSpec) {
    this.gw = Math.ceil(spec.width / spec.downsample);
    this.plane = this.gw * Math.ceil(spec.height / spec.downsample);
  }

  push(batch: EventBatch): Sample[] {
    const { width, height, downsample: f, decimate } = this.spec;
    const out: Sample[] = [];
    for (let i = 0; i < batch.length; i++) {
      const x = batch.x[i];
      const y = batch.y[i];
      if (x >= width || y >= height) {
        this.stats.outsideSensor++;
        continue;
      }
      if (this.stats.events++ % decimate !== 0) continue;
      const t = batch.t[i];
      const dt = Number.isNaN(this.lastT) ? 0 : Math.max(0, t - this.lastT);
      this.lastT = t;
      out.push({ token: (batch.p[i] ? this.plane : 0) + Math.floor(y / f) * this.gw + Math.floor(x / f), dt });
    }
    this.stats.tokens += out.length;
    return out;
  }
}
