// MQTT end to end: publish -> s7rt (real runtime, zoo model) -> prediction received, against the
// bare broker round trip (publish -> subscriber, QoS 1) measured on the same Mosquitto in the same run.
// s7rt runs as `s7rt run` in its own process, as users run it; --in-process runs the MqttService
// in the bench's process instead and adds where the time goes inside it.
//
//   npm run build && node bench/mqtt/run.mjs [--seconds 8] [--rates 1000,10000] [--devices 100,1000]
//     [--workers 1] [--backend auto|native|wasm] [--no-ramp] [--in-process]
//     [--relay: a bare relay (no model) in place of s7rt, the floor for two broker hops]
//
// Prints a markdown table for docs/benchmarks.md ("## MQTT end to end").
import mqtt, { type MqttClient } from 'mqtt';
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createRuntime, loadModel } from '../../src/index';
import type { BackendRequest } from '../../src/api';
import { encodeSample } from '../../src/mqtt/payload';
import { MqttService, defaultServiceOptions } from '../../src/mqtt/service';
import { QuantileWindow } from '../../src/health/metrics';
import { freePort, startMosquitto } from '../../test/mqtt/mosquitto';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string' },
    root: { type: 'string' },
    rates: { type: 'string' },
    devices: { type: 'string' },
    workers: { type: 'string' },
    backend: { type: 'string' },
    'no-ramp': { type: 'boolean' },
    'in-process': { type: 'boolean' },
    relay: { type: 'boolean' },
  },
});
const SECONDS = Number(args.seconds ?? 8);
const RATES = (args.rates ?? '1000,10000').split(',').map(Number);
const DEVICES = (args.devices ?? '100,1000').split(',').map(Number);
const WORKERS = Number(args.workers ?? 1);
const BACKEND = (args.backend ?? 'auto') as BackendRequest;
const root = resolve(args.root ?? '.');

const now = () => performance.timeOrigin + performance.now();

function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

async function client(url: string, id: string): Promise<MqttClient> {
  const c = mqtt.connect(url, { clientId: id, protocolVersion: 4, clean: true, reconnectPeriod: 0 });
  await new Promise<void>((res, rej) => {
    c.once('connect', () => res());
    c.once('error', rej);
  });
  return c;
}

interface RunResult {
  published: number;
  received: number;
  p50: number;
  p99: number;
  /** received / published over the paced window */
  keptUp: boolean;
  /** received per second during the window */
  rate: number;
}

/**
 * Publishes `rate` msg/s round robin over `devices` topics for SECONDS, and measures publish ->
 * receive latency on `sinkTopic` messages (each carries its send time as `t`).
 */
async function paced(pub: MqttClient, sink: MqttClient, opts: { rate: number; devices: number; seconds?: number; topic: (d: number) => string; payload: (d: number, seq: number, t: number) => Buffer; extractT: (payload: Buffer) => number }): Promise<RunResult> {
  const lat: number[] = [];
  let received = 0;
  let windowEnd = Infinity;
  let receivedInWindow = 0;
  const onMessage = (_topic: string, payload: Buffer) => {
    const t = opts.extractT(payload);
    const at = now();
    received++;
    if (at <= windowEnd) receivedInWindow++;
    lat.push(at - t);
  };
  sink.on('message', onMessage);
  const seqs = new Array(opts.devices).fill(0);
  let published = 0;
  let d = 0;
  const start = now();
  const seconds = opts.seconds ?? SECONDS;
  windowEnd = start + seconds * 1000;
  const tickMs = 5;
  while (now() < windowEnd) {
    const due = Math.floor(((now() - start) / 1000) * opts.rate);
    while (published < due) {
      pub.publish(opts.topic(d), opts.payload(d, seqs[d]++, now()), { qos: 1 });
      published++;
      d = (d + 1) % opts.devices;
    }
    await new Promise((r) => setTimeout(r, tickMs));
  }
  // drain: wait until everything arrived or 10 s passed
  const drainUntil = now() + 10_000;
  while (received < published && now() < drainUntil) await new Promise((r) => setTimeout(r, 20));
  sink.off('message', onMessage);
  return {
    published,
    received,
    p50: quantile(lat, 0.5),
    p99: quantile(lat, 0.99),
    keptUp: receivedInWindow >= 0.95 * published && received === published,
    rate: receivedInWindow / seconds,
  };
}

/** The broker's own QoS 1 throughput: publish as fast as acks allow, count at a subscriber. */
async function brokerThroughput(url: string): Promise<number> {
  const pub = await client(url, 'bench-tp-pub');
  const sub = await client(url, 'bench-tp-sub');
  await sub.subscribeAsync('tp/+', { qos: 1 });
  let got = 0;
  sub.on('message', () => got++);
  const N = 50_000;
  const payload = encodeSample('json', { seq: 1, t: 0, values: [0.1, 0.2, 0.3, 1, 2, 3] });
  const t0 = now();
  let pending: Promise<unknown>[] = [];
  for (let i = 0; i < N; i++) {
    pending.push(pub.publishAsync(`tp/${i % 100}`, payload, { qos: 1 }));
    if (pending.length >= 1000) {
      await Promise.all(pending);
      pending = [];
    }
  }
  await Promise.all(pending);
  while (got < N) await new Promise((r) => setTimeout(r, 5));
  const rate = N / ((now() - t0) / 1000);
  await pub.endAsync();
  await sub.endAsync();
  return rate;
}

interface Inside {
  /** samples per runtime batch */
  meanBatch: number;
  /** publish -> prediction computed inside s7rt (before it is published): where the time goes */
  readyP50: number;
  readyP99: number;
}

/** The s7rt under test: `s7rt run` as its own process (as users run it), or in this process. */
interface UnderTest {
  describe: string;
  /** call before a measured run; the returned function reports what happened inside s7rt since */
  measure(): Promise<() => Promise<Inside | undefined>>;
  stop(): Promise<void>;
}

async function s7rtProcess(brokerUrl: string): Promise<UnderTest> {
  const health = await freePort();
  const cli = resolve(root, 'bin/s7rt.js');
  // e.g. BENCH_S7RT_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile s7rt alone
  const nodeArgs = (process.env.BENCH_S7RT_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, cli, 'run', '--model', resolve(root, 'models/zoo/sensor-activity'), '--broker', brokerUrl,
    '--subscribe', 'sensors/+/imu', '--publish', 'predictions/{device}', '--client-id', 's7rt-bench', '--workers', String(WORKERS),
    '--backend', BACKEND, '--health-port', String(health), '--status-interval', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  for (const until = now() + 60_000; ; ) {
    if (child.exitCode !== null) throw new Error(`s7rt exited with ${child.exitCode}:\n${log}`);
    if (now() > until) throw new Error(`s7rt not ready after 60 s:\n${log}`);
    const ok = await fetch(`http://127.0.0.1:${health}/readyz`).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    describe: `s7rt run in its own process (${log.match(/s7rt: (\w+) backend/)?.[1] ?? '?'} backend, ${WORKERS} worker(s))`,
    measure: async () => async () => undefined,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/**
 * The floor for any processor between two broker hops: a process that subscribes to the samples
 * (QoS 1, the same persistent MQTT 5 session and TCP_NODELAY as s7rt) and republishes each payload
 * unchanged at QoS 1, acking at once. It runs no model, so s7rt against it is s7rt's own cost.
 */
async function relayProcess(brokerUrl: string): Promise<UnderTest> {
  const script = `
    const mqtt = require('mqtt');
    const opts = (id) => ({ clientId: id, protocolVersion: 5, clean: false, properties: { sessionExpiryInterval: 0 } });
    const pub = mqtt.connect(process.argv[1], opts('relay-pub'));
    const sub = mqtt.connect(process.argv[1], opts('relay-sub'));
    for (const c of [pub, sub]) c.on('connect', () => c.stream.setNoDelay?.(true));
    sub.on('connect', () => sub.subscribe('sensors/+/imu', { qos: 1 }, () => console.log('ready')));
    sub.on('message', (topic, payload) => pub.publish('predictions/' + topic.split('/')[1], payload, { qos: 1 }));
  `;
  const child = spawn(process.execPath, ['-e', script, brokerUrl], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((ready, fail) => {
    child.stdout!.on('data', (d) => String(d).includes('ready') && ready());
    child.once('exit', (code) => fail(new Error(`relay exited with ${code}`)));
  });
  return {
    describe: 'a bare MQTT relay in its own process (no model): the floor for two broker hops',
    measure: async () => async () => undefined,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

async function s7rtInProcess(brokerUrl: string): Promise<UnderTest> {
  const model = await loadModel(resolve(root, 'models/zoo/sensor-activity'));
  const rt = await createRuntime(model, { skipGoldenCheck: true, workers: WORKERS, backend: BACKEND, workerUrl: pathToFileURL(resolve(root, 'dist/node/worker.js')) });
  const ready = new QuantileWindow(1 << 16);
  const service = new MqttService(rt, { id: model.manifest.id, inputSize: model.manifest.input.size }, {
    ...defaultServiceOptions,
    broker: brokerUrl,
    subscribe: ['sensors/+/imu'],
    publish: 'predictions/{device}',
    clientId: 's7rt-bench',
  }, { onPrediction: (_d, sample) => ready.observe(now() - (sample.t ?? Number.NaN)) });
  await service.start();
  const { backend } = await rt.stats();
  return {
    describe: `MqttService in the bench's process (${backend} backend, ${WORKERS} worker(s))`,
    measure: async () => {
      ready.clear();
      const before = await rt.stats();
      return async () => {
        const after = await rt.stats();
        return { meanBatch: (after.steps - before.steps) / Math.max(1, after.batches - before.batches), readyP50: ready.quantile(0.5), readyP99: ready.quantile(0.99) };
      };
    },
    stop: async () => {
      await service.stop();
      await rt.close();
    },
  };
}

async function main(): Promise<void> {
  const broker = await startMosquitto();
  const s7rt = args.relay ? await relayProcess(broker.url) : args['in-process'] ? await s7rtInProcess(broker.url) : await s7rtProcess(broker.url);
  const pub = await client(broker.url, 'bench-pub');
  const sink = await client(broker.url, 'bench-sink');
  await sink.subscribeAsync(['predictions/+', 'bare/+'], { qos: 1 });
  const values = [0.01, -0.02, 0.98, 1.2, -0.4, 0.1];
  const rows: string[] = [];
  const results: Record<string, unknown>[] = [];
  const json = { payload: (_d: number, seq: number, t: number) => encodeSample('json', { seq, t, values }), extractT: (p: Buffer) => JSON.parse(p.toString()).t as number };
  // Warm-up (not recorded): the first seconds pay for JIT, ORT's first runs and the broker's new sessions.
  await paced(pub, sink, { rate: 1000, devices: 100, seconds: 2, topic: (d) => `sensors/warmup${d}/imu`, ...json });
  for (const devices of DEVICES) {
    for (const rate of RATES) {
      const bare = await paced(pub, sink, { rate, devices, topic: (d) => `bare/b${d}`, ...json });
      const inside = await s7rt.measure();
      // fresh device keys per run: a reused key would restart at seq 0 and be deduplicated
      const e2e = await paced(pub, sink, { rate, devices, topic: (d) => `sensors/r${rate}n${devices}d${d}/imu`, ...json });
      const f = (x: number) => (Number.isNaN(x) ? '-' : x.toFixed(2));
      rows.push(
        `| ${rate.toLocaleString('en')} | ${devices.toLocaleString('en')} | ${f(bare.p50)} / ${f(bare.p99)} | ${f(e2e.p50)} / ${f(e2e.p99)} | ${(e2e.p99 / bare.p99).toFixed(1)}× | ${e2e.rate.toFixed(0)} | ${e2e.keptUp ? 'yes' : 'no (lag grows)'} |`,
      );
      results.push({ rate, devices, bare, e2e, inside: await inside() });
      console.error(JSON.stringify(results.at(-1)));
    }
  }
  // Highest sustained rate: double until s7rt stops keeping up, then bisect between the last two.
  const keepsUp = async (rate: number) => {
    const r = await paced(pub, sink, { rate, devices: 100, topic: (d) => `sensors/ramp${rate}d${d}/imu`, ...json });
    console.error(JSON.stringify({ ramp: rate, ...r }));
    return r.keptUp;
  };
  let sustained = 0;
  if (!args['no-ramp']) {
    let failed = 0;
    for (let rate = 500; rate <= 64_000; rate *= 2) {
      if (!(await keepsUp(rate))) {
        failed = rate;
        break;
      }
      sustained = rate;
    }
    for (let i = 0; i < 3 && failed > 0; i++) {
      const mid = Math.round((sustained + failed) / 2 / 100) * 100;
      if (await keepsUp(mid)) sustained = mid;
      else failed = mid;
    }
  }
  await pub.endAsync();
  await sink.endAsync();
  await s7rt.stop();
  const brokerRate = await brokerThroughput(broker.url);
  await broker.dispose();
  console.log(`s7rt under test: ${s7rt.describe}; machine load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log('');
  console.log(`| rate (samples/s) | devices | bare broker p50 / p99 (ms) | s7rt end to end p50 / p99 (ms) | p99 ratio | predictions/s | kept up |`);
  console.log(`|---|---|---|---|---|---|---|`);
  for (const r of rows) console.log(r);
  console.log('');
  if (!args['no-ramp']) {
    console.log(`Highest sustained rate (100 devices, ${SECONDS} s steps, ≥95 % delivered in the window and all within 10 s after): ${sustained} samples/s`);
    console.log(`Mosquitto's own QoS 1 throughput (one publisher, one subscriber, 50,000 messages): ${brokerRate.toFixed(0)} msg/s`);
    console.log(`Ratio sustained / broker: ${(sustained / brokerRate).toFixed(3)}`);
  }
}

await main();
