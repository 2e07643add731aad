// Shared pieces of the MQTT end-to-end tests: deterministic sensor signals, a publisher, a
// collector of predictions and dead letters, and the runtime's direct results to compare with.
import mqtt, { type MqttClient } from 'mqtt';
import { resolve } from 'node:path';
import { createRuntime, loadModel, type LoadedModel } from '../../src/index';
import { encodeSample, type PayloadFormat } from '../../src/mqtt/payload';

export const zooModel = resolve(import.meta.dirname, '../../models/zoo/sensor-activity');
export const repoRoot = resolve(import.meta.dirname, '../..');

/** Device d's samples: smooth IMU-like signals, different per device, reproducible. */
export function signals(device: number, n: number, size: number): Float32Array[] {
  const out: Float32Array[] = [];
  const f = 0.5 + (device % 7) * 0.3;
  for (let k = 0; k < n; k++) {
    const v = new Float32Array(size);
    for (let c = 0; c < size; c++) {
      const scale = c < 3 ? 0.6 : 50;
      v[c] = scale * Math.sin((2 * Math.PI * f * k) / 50 + c + device * 0.1) + (c === 2 ? 1 : 0) + 0.05 * Math.cos(k * 1.7 + c * device);
    }
    out.push(v);
  }
  return out;
}

export function deviceKey(d: number): string {
  return `dev-${String(d).padStart(4, '0')}`;
}

export async function connected(url: string, clientId: string, opts: { protocolVersion?: 4 | 5; persistent?: boolean } = {}): Promise<MqttClient> {
  // persistent: the broker keeps our subscriptions and queues QoS 1 messages across its restarts
  const c = mqtt.connect(url, { clientId, protocolVersion: opts.protocolVersion ?? 4, clean: !opts.persistent, reconnectPeriod: 200 });
  await new Promise<void>((res, rej) => {
    c.once('connect', () => res());
    c.once('error', rej);
  });
  return c;
}

/** Ends a client gracefully; forces it after 5 s (e.g. its broker is gone and in-flight publishes can never complete). */
export function end(c: MqttClient | undefined): Promise<void> {
  if (!c) return Promise.resolve();
  return new Promise((res) => {
    const force = setTimeout(() => c.end(true, {}, () => res()), 5_000);
    c.end(false, {}, () => {
      clearTimeout(force);
      res();
    });
  });
}

/**
 * Publishes samples [from, to) of every device, interleaved by seq, QoS 1, in parallel windows of
 * `window` outstanding publishes.
 */
export async function publishRange(
  pub: MqttClient,
  data: Float32Array[][],
  from: number,
  to: number,
  opts: { window?: number; format?: PayloadFormat; topic?: (d: number) => string } = {},
): Promise<void> {
  const window = opts.window ?? 2000;
  const topic = opts.topic ?? ((d: number) => `sensors/${deviceKey(d)}/imu`);
  let pending: Promise<unknown>[] = [];
  for (let seq = from; seq < to; seq++) {
    for (let d = 0; d < data.length; d++) {
      pending.push(pub.publishAsync(topic(d), encodeSample(opts.format ?? 'json', { seq, t: Date.now(), values: data[d][seq] }), { qos: 1 }));
      if (pending.length >= window) {
        await Promise.all(pending);
        pending = [];
      }
    }
  }
  await Promise.all(pending);
}

export interface Collected {
  /** device -> seq -> output vector */
  predictions: Map<string, Map<number, number[]>>;
  /** a repeated prediction (QoS 1 redelivery, or recomputed after a restart) that disagreed with the first */
  conflicts: string[];
  /** every prediction message, duplicates included */
  messages: number;
  deadLetters: Array<Record<string, unknown>>;
  unique(): number;
}

/** Subscribes to predictions/+ and s7rt/dead-letter; `until` resolves once `done` holds. */
export async function collect(url: string, clientId: string, persistent = false): Promise<{ client: MqttClient; got: Collected; until(done: (g: Collected) => boolean, timeoutMs?: number): Promise<void> }> {
  const client = await connected(url, clientId, { persistent });
  const got: Collected = {
    predictions: new Map(),
    messages: 0,
    deadLetters: [],
    conflicts: [],
    unique() {
      let n = 0;
      for (const m of this.predictions.values()) n += m.size;
      return n;
    },
  };
  client.on('message', (topic, payload) => {
    const msg = JSON.parse(payload.toString()) as Record<string, unknown>;
    if (topic === 's7rt/dead-letter') {
      got.deadLetters.push(msg);
      return;
    }
    got.messages++;
    const device = msg.device as string;
    let m = got.predictions.get(device);
    if (!m) got.predictions.set(device, (m = new Map()));
    const output = msg.output as number[];
    const seq = msg.seq as number;
    const prev = m.get(seq);
    // A QoS 1 redelivery, or a sample recomputed after a restart from its snapshot, repeats its
    // prediction. It may come from the other graph (chunk vs step) or another batch size, which
    // agree within the package tolerance, hence the same tolerance as compareWithDirect. Recorded,
    // not thrown: an exception here would stop this client from reading anything more.
    if (prev && prev.some((v, i) => !(Math.abs(v - output[i]) <= 1e-4 + 1e-4 * Math.abs(v)))) {
      got.conflicts.push(`${device} seq ${seq}: ${JSON.stringify(prev)} then ${JSON.stringify(output)}`);
    }
    m.set(seq, output);
  });
  await client.subscribeAsync(['predictions/+', 's7rt/dead-letter'], { qos: 1 });
  return {
    client,
    got,
    async until(done, timeoutMs = 120_000) {
      const t0 = Date.now();
      while (!done(got)) {
        if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting: ${got.unique()} unique predictions, ${got.deadLetters.length} dead letters`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

export async function loadZoo(): Promise<LoadedModel> {
  return loadModel(zooModel);
}

/** The runtime's own result for each device fed its samples directly (no MQTT). */
export async function directOutputs(model: LoadedModel, data: Float32Array[][]): Promise<Map<string, number[][]>> {
  const rt = await createRuntime(model, { skipGoldenCheck: true });
  try {
    const out = new Map<string, number[][]>();
    await Promise.all(
      data.map(async (samples, d) => {
        const preds = await rt.stream(deviceKey(d)).push(samples.map((values) => ({ values })));
        out.set(deviceKey(d), preds.map((p) => Array.from(p.output)));
      }),
    );
    return out;
  } finally {
    await rt.close();
  }
}

/** Every device has exactly seqs 0..n-1, each within tolerance of the direct result. */
export function compareWithDirect(got: Collected, direct: Map<string, number[][]>, n: number, tol = 1e-4): { maxErr: number } {
  if (got.conflicts.length > 0) throw new Error(`repeated predictions disagree: ${got.conflicts.slice(0, 3).join('; ')}`);
  let maxErr = 0;
  for (const [device, want] of direct) {
    const m = got.predictions.get(device);
    if (!m) throw new Error(`no predictions for ${device}`);
    if (m.size !== n) throw new Error(`${device}: ${m.size} predictions, want ${n}`);
    for (let seq = 0; seq < n; seq++) {
      const o = m.get(seq);
      if (!o) throw new Error(`${device}: no prediction for seq ${seq}`);
      for (let i = 0; i < o.length; i++) {
        const err = Math.abs(o[i] - want[seq][i]);
        if (!(err <= tol + tol * Math.abs(want[seq][i]))) throw new Error(`${device} seq ${seq} output[${i}]: got ${o[i]}, direct ${want[seq][i]}`);
        maxErr = Math.max(maxErr, err);
      }
    }
  }
  return { maxErr };
}
