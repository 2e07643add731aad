// MQTT end to end: publish -> s7rt (real runtime, zoo model) -> prediction received, against the
// bare broker round trip (publish -> subscriber, QoS 1) measured on the same Mosquitto in the same run.
// s7rt runs as `s7rt run` in its own process, as users run it; --in-process runs the MqttService
// in the bench's process instead and adds where the time goes inside it.
//
//   npm run build && node bench/mqtt/run.mjs [--seconds 8] [--rates 1000,10000] [--devices 100,1000]
//     [--rounds 4] [--workers 1] [--backend auto|native|wasm] [--no-ramp] [--in-process]
//     [--relay: a bare relay (no model) in place of s7rt, the floor for two broker hops]
//
// Prints a markdown table for docs/benchmarks.md ("## MQTT end to end").
import mqtt, { type MqttClient } from 'mqtt';
import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
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
    rounds: { type: 'string' },
  },
});
const SECONDS = Number(args.seconds ?? 8);
/** bare and s7rt runs alternate this many times per row, SECONDS / ROUNDS each */
const ROUNDS = Math.max(1, Number(args.rounds ?? 4));
const RATES = (args.rates ?? '1000,10000').split(',').map(Number);
const DEVICES = (args.devices ?? '100,1000').split(',').map(Number);
/** s7rt's --workers: its default (auto) unless given */
const WORKERS = args.workers ?? 'auto';
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
  /** every publish -> receive latency, ms */
  latencies: number[];
}

/** Runs pooled: the latencies of all runs together, counts summed. */
function pooled(runs: RunResult[]): RunResult {
  const latencies = runs.flatMap((r) => r.latencies);
  return {
    published: runs.reduce((a, r) => a + r.published, 0),
    received: runs.reduce((a, r) => a + r.received, 0),
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    keptUp: runs.every((r) => r.keptUp),
    rate: runs.reduce((a, r) => a + r.rate, 0) / runs.length,
    latencies,
  };
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
    trace?.push(`${t.toFixed(3)} ${(at - t).toFixed(3)}`);
  };
  // BENCH_TRACE=file: every sample's send time and latency, to see when the slow ones happen
  const trace = process.env.BENCH_TRACE ? ([] as string[]) : undefined;
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
  if (trace) appendFileSync(process.env.BENCH_TRACE!, trace.join('\n') + '\n# end of run\n');
  return {
    published,
    received,
    p50: quantile(lat, 0.5),
    p99: quantile(lat, 0.99),
    keptUp: receivedInWindow >= 0.95 * published && received === published,
    rate: receivedInWindow / seconds,
    latencies: lat,
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
  /** CPU time of the process under test (all its threads) per sample, µs (Linux /proc) */
  cpuUsPerSample?: number;
  /** samples per runtime batch */
  meanBatch?: number;
  /** publish -> prediction computed inside s7rt (before it is published): where the time goes */
  readyP50?: number;
  readyP99?: number;
}

/** CPU seconds a process has used so far, all threads (utime + stime from /proc; Linux only). */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks, USER_HZ = 100
  } catch {
    return Number.NaN;
  }
}

/** The runtime's step and batch counters from s7rt's /metrics (summed over workers). */
async function runtimeCounters(healthPort: number): Promise<{ steps: number; batches: number }> {
  const text = await (await fetch(`http://127.0.0.1:${healthPort}/metrics`)).text();
  const sum = (name: string) => [...text.matchAll(new RegExp(`^${name}\\{[^}]*\\} (\\d+)$`, 'gm'))].reduce((a, m) => a + Number(m[1]), 0);
  return { steps: sum('s7rt_runtime_steps_total'), batches: sum('s7rt_runtime_batches_total') };
}

/** measure() for a process under test: its CPU per sample over the measured run (and s7rt's batch size). */
function measureCpu(pid: number, samples: () => number, healthPort?: number): UnderTest['measure'] {
  return async () => {
    const cpu0 = cpuSeconds(pid);
    const n0 = samples();
    const c0 = healthPort === undefined ? undefined : await runtimeCounters(healthPort);
    return async () => {
      const inside: Inside = { cpuUsPerSample: ((cpuSeconds(pid) - cpu0) * 1e6) / Math.max(1, samples() - n0) };
      if (c0) {
        const c1 = await runtimeCounters(healthPort!);
        inside.meanBatch = (c1.steps - c0.steps) / Math.max(1, c1.batches - c0.batches);
      }
      return inside;
    };
  };
}
/** samples published to the process under test so far (its CPU is divided by these) */
let samplesToUnderTest = 0;

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
    describe: `s7rt run in its own process (${log.match(/s7rt: (\w+ backend, [^\n]*)/)?.[1] ?? '?'})`,
    measure: measureCpu(child.pid!, () => samplesToUnderTest, health),
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      // e.g. with BENCH_S7RT_NODE_ARGS=--trace-gc: s7rt's whole output
      if (process.env.BENCH_S7RT_LOG) appendFileSync(process.env.BENCH_S7RT_LOG, log);
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
    measure: measureCpu(child.pid!, () => samplesToUnderTest),
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

async function s7rtInProcess(brokerUrl: string): Promise<UnderTest> {
  const model = await loadModel(resolve(root, 'models/zoo/sensor-activity'));
  const rt = await createRuntime(model, { skipGoldenCheck: true, workers: WORKERS === 'auto' ? 1 : Number(WORKERS), backend: BACKEND, workerUrl: pathToFileURL(resolve(root, 'dist/node/worker.js')) });
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
  // Warm-up (not recorded), both paths: the first seconds pay for JIT (in s7rt and in this load
  // generator), ORT's first runs and the broker's new sessions; measured, the bare round trip's
  // p99 stays 2-4x high for ~4 s after s7rt starts. The metrics scrape is warmed too: a first
  // fetch() loads and compiles undici in this process, and slowed the next bare run (p99 2.8 ms).
  await (await s7rt.measure())();
  for (let i = 0; i < 3; i++) {
    await paced(pub, sink, { rate: 1000, devices: 100, seconds: 2, topic: (d) => `sensors/warmup${i}d${d}/imu`, ...json });
    await paced(pub, sink, { rate: 1000, devices: 100, seconds: 2, topic: (d) => `bare/b${d}`, ...json });
  }
  for (const devices of DEVICES) {
    for (const rate of RATES) {
      // Bare and s7rt runs alternate in short rounds, so that both see the same machine: a
      // neighbour's burst of load then lands on both sides instead of skewing one of them.
      const bareRuns: RunResult[] = [];
      const e2eRuns: RunResult[] = [];
      const inside = await s7rt.measure();
      for (let round = 0; round < ROUNDS; round++) {
        const seconds = SECONDS / ROUNDS;
        // each run starts from a quiet machine: nothing left over from the last (acks, GC, JIT)
        await new Promise((r) => setTimeout(r, 1000));
        bareRuns.push(await paced(pub, sink, { rate, devices, seconds, topic: (d) => `bare/b${d}`, ...json }));
        // fresh device keys per run: a reused key would restart at seq 0 and be deduplicated
        e2eRuns.push(await paced(pub, sink, { rate, devices, seconds, topic: (d) => `sensors/r${rate}n${devices}k${round}d${d}/imu`, ...json }));
        samplesToUnderTest += e2eRuns.at(-1)!.published;
        await new Promise((r) => setTimeout(r, 1000));
      }
      const seen = await inside();
      const bare = pooled(bareRuns);
      const e2e = pooled(e2eRuns);
      const f = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(2));
      rows.push(
        `| ${rate.toLocaleString('en')} | ${devices.toLocaleString('en')} | ${f(bare.p50)} / ${f(bare.p99)} | ${f(e2e.p50)} / ${f(e2e.p99)} | ${(e2e.p99 / bare.p99).toFixed(1)}× | ${e2e.rate.toFixed(0)} | ${e2e.keptUp ? 'yes' : 'no (lag grows)'} | ${seen?.cpuUsPerSample?.toFixed(0) ?? '-'} | ${seen?.meanBatch?.toFixed(1) ?? '-'} |`,
      );
      const summary = ({ latencies: _, ...r }: RunResult) => r;
      const p99s = (runs: RunResult[]) => runs.map((r) => Number(r.p99.toFixed(2)));
      results.push({ rate, devices, bare: summary(bare), e2e: summary(e2e), inside: seen, roundP99: { bare: p99s(bareRuns), e2e: p99s(e2eRuns) } });
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
  console.log(`| rate (samples/s) | devices | bare broker p50 / p99 (ms) | s7rt end to end p50 / p99 (ms) | p99 ratio | predictions/s | kept up | CPU µs/sample | samples/batch |`);
  console.log(`|---|---|---|---|---|---|---|---|---|`);
  for (const r of rows) console.log(r);
  console.log('');
  if (!args['no-ramp']) {
    console.log(`Highest sustained rate (100 devices, ${SECONDS} s steps, ≥95 % delivered in the window and all within 10 s after): ${sustained} samples/s`);
    console.log(`Mosquitto's own QoS 1 throughput (one publisher, one subscriber, 50,000 messages): ${brokerRate.toFixed(0)} msg/s`);
    console.log(`Ratio sustained / broker: ${(sustained / brokerRate).toFixed(3)}`);
  }
}

await main();
