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

/** The tokenisation of a token model's manifest (validateManifest has checked input.events). */
export function tokenSpecOf(m: Manifest, source = 'manifest.json'): EventTokenSpec {
  if (m.input.kind !== 'tokens') throw new ManifestError(source, [{ path: 'input.kind', message: `is "${m.input.kind}": events need an event-token model` }]);
  const ev = m.input.events;
  if (!ev) throw new ManifestError(source, [{ path: 'input.events', message: 'missing (the tokenisation of events)' }]);
  return { width: ev.sensor.width, height: ev.sensor.height, downsample: ev.downsample, decimate: ev.decimate };
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
