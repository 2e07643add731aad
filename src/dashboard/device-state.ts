// Everything the view knows about one device: recent signal, recent probabilities, the latest
// prediction, message rate and latency. Pure data: the DOM reads it on animation frames.
import type { PredictionMessage, SensorSampleMessage } from './messages.js';
import { RateMeter } from './rate-meter.js';
import { SeriesWindow } from './series-window.js';

export const windowRows = 250; // 5 s at 50 Hz

export interface DeviceSnapshot {
  device: string;
  samples: number;
  predictions: number;
  lastSeq?: number;
  label?: string;
  probability?: number;
  values: Record<string, number>;
  /** ms from a sample's arrival to the arrival of the prediction for the same seq */
  latencyMs?: number;
  meanLatencyMs?: number;
  samplesPerSecond: number;
  predictionsPerSecond: number;
}

export class DeviceState {
  samples = 0;
  predictions = 0;
  channels = 0;
  labels: string[] = [];
  signal?: SeriesWindow;
  probabilities?: SeriesWindow;
  latest?: PredictionMessage;
  lastSeq?: number;
  latencyMs?: number;
  private latencySum = 0;
  private latencyCount = 0;
  private readonly sampleRate = new RateMeter();
  private readonly predictionRate = new RateMeter();
  /** arrival time per recent seq, to measure latency when the prediction comes back */
  private readonly arrivals = new Map<number, number>();
  /** time origin for chart x values (first message), in ms */
  private origin?: number;
  /** bumped on every change; the view redraws a device only when it moved */
  version = 0;

  constructor(readonly device: string) {}

  addSample(m: SensorSampleMessage): void {
    this.origin ??= m.receivedAt;
    if (!this.signal || this.channels !== m.values.length) {
      this.channels = m.values.length;
      this.signal = new SeriesWindow(1 + this.channels, windowRows);
    }
    this.signal.push([(m.receivedAt - this.origin) / 1000, ...m.values]);
    this.samples++;
    this.lastSeq = m.seq;
    this.sampleRate.add(m.receivedAt);
    this.arrivals.set(m.seq, m.receivedAt);
    if (this.arrivals.size > windowRows) this.arrivals.delete(this.arrivals.keys().next().value as number);
    this.version++;
  }

  addPrediction(m: PredictionMessage): void {
    this.origin ??= m.receivedAt;
    const labels = Object.keys(m.values);
    if (!this.probabilities || labels.join('\n') !== this.labels.join('\n')) {
      this.labels = labels;
      this.probabilities = new SeriesWindow(1 + labels.length, windowRows);
    }
    this.probabilities.push([(m.receivedAt - this.origin) / 1000, ...labels.map((l) => m.values[l])]);
    this.latest = m;
    this.predictions++;
    this.predictionRate.add(m.receivedAt);
    const sentAt = m.seq === undefined ? undefined : this.arrivals.get(m.seq);
    if (sentAt !== undefined) {
      this.latencyMs = m.receivedAt - sentAt;
      this.latencySum += this.latencyMs;
      this.latencyCount++;
      this.arrivals.delete(m.seq as number);
    }
    this.version++;
  }

  /** the arg-max label when the publisher did not name one */
  label(): string | undefined {
    if (!this.latest) return undefined;
    if (this.latest.label !== undefined) return this.latest.label;
    let best: string | undefined;
    for (const l of this.labels) if (best === undefined || this.latest.values[l] > this.latest.values[best]) best = l;
    return best;
  }

  snapshot(now: number): DeviceSnapshot {
    const label = this.label();
    return {
      device: this.device,
      samples: this.samples,
      predictions: this.predictions,
      lastSeq: this.lastSeq,
      label,
      probability: this.latest?.probability ?? (label === undefined ? undefined : this.latest?.values[label]),
      values: { ...(this.latest?.values ?? {}) },
      latencyMs: this.latencyMs,
      meanLatencyMs: this.latencyCount ? this.latencySum / this.latencyCount : undefined,
      samplesPerSecond: this.sampleRate.rate(now),
      predictionsPerSecond: this.predictionRate.rate(now),
    };
  }
}
