// Simulated IMU sensors: each device replays one labelled recording (looping, from its own phase)
// at the recording's sample rate and publishes every sample over MQTT with its seq and ground truth.
import mqtt, { type MqttClient } from 'mqtt';
import { encodeSample, type PayloadFormat } from '../../src/mqtt/payload.js';
import { Rng } from '../prng.js';
import type { Recordings } from './recordings.js';

export interface FleetOptions {
  broker: string;
  recordings: Recordings;
  devices: number;
  /** "sensors/{device}/imu" */
  topic?: string;
  /** device keys: `${prefix}${i}` */
  prefix?: string;
  format?: PayloadFormat;
  qos?: 0 | 1;
  protocolVersion?: 4 | 5;
  /** samples per second per device; default the recordings' rate */
  rateHz?: number;
  /** switch each device to another recording every this many seconds (0: never) */
  segmentSeconds?: number;
  seed?: number;
  clientId?: string;
}

interface Device {
  key: string;
  topic: string;
  recording: number;
  /** position in the recording, in samples */
  pos: number;
  seq: number;
}

export class SensorFleet {
  private client?: MqttClient;
  private timer?: NodeJS.Timeout;
  private readonly devices: Device[];
  private readonly channels: number;
  private ticks = 0;
  private startedAt = 0;
  published = 0;

  constructor(readonly options: FleetOptions) {
    const random = Rng.mulberry32(options.seed ?? 7);
    const rec = options.recordings;
    this.channels = rec.channels.length;
    const topic = options.topic ?? 'sensors/{device}/imu';
    this.devices = Array.from({ length: options.devices }, (_, i) => {
      const key = `${options.prefix ?? 'dev-'}${i}`;
      const recording = i % rec.recordings.length;
      return { key, topic: topic.split('{device}').join(key), recording, pos: Math.floor(random.next() * rec.recordings[recording].samples), seq: 0 };
    });
  }

  get keys(): string[] {
    return this.devices.map((d) => d.key);
  }

  /** the label device `key` is currently replaying */
  truth(key: string): string | undefined {
    const d = this.devices.find((x) => x.key === key);
    return d ? this.options.recordings.recordings[d.recording].label : undefined;
  }

  async start(): Promise<void> {
    const o = this.options;
    this.client = mqtt.connect(o.broker, {
      clientId: o.clientId ?? `s7rt-sim-${process.pid}`,
      protocolVersion: o.protocolVersion ?? 4,
      clean: true,
      reconnectPeriod: 500,
    });
    await new Promise<void>((resolve, reject) => {
      this.client!.once('connect', () => resolve());
      this.client!.once('error', reject);
    });
    const rate = o.rateHz ?? o.recordings.sampleRateHz;
    this.startedAt = performance.now();
    // One timer for the fleet; it catches up on late ticks so the average rate holds.
    const period = 1000 / rate;
    const tick = () => {
      const due = Math.floor((performance.now() - this.startedAt) / period) + 1;
      while (this.ticks < due) {
        this.ticks++;
        for (const d of this.devices) this.publishNext(d);
      }
      this.timer = setTimeout(tick, Math.max(1, period - ((performance.now() - this.startedAt) % period)));
    };
    tick();
  }

  private publishNext(d: Device): void {
    const o = this.options;
    const rec = o.recordings.recordings;
    const segment = (o.segmentSeconds ?? 0) * (o.rateHz ?? o.recordings.sampleRateHz);
    // a new activity is a new session: the classifier's running mean starts afresh
    const newSession = segment > 0 && d.seq > 0 && d.seq % segment === 0;
    if (newSession) {
      d.recording = (d.recording + 1) % rec.length;
      d.pos = 0;
    }
    const r = rec[d.recording];
    const values = r.values.subarray(d.pos * this.channels, (d.pos + 1) * this.channels);
    d.pos = (d.pos + 1) % r.samples;
    const payload = encodeSample(o.format ?? 'json', { seq: d.seq++, t: Date.now(), values, truth: r.label, reset: newSession });
    this.client!.publish(d.topic, payload, { qos: o.qos ?? 1 });
    this.published++;
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    const c = this.client;
    if (c) await new Promise<void>((resolve) => c.end(false, {}, () => resolve()));
  }
}
