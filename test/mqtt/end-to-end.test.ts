// 100 devices × 1,000 samples through real Mosquitto and through the embedded aedes broker, with
// the real runtime and the zoo model: exactly 100,000 predictions, each equal to the runtime's
// direct result for that device. Then `s7rt run` as users start it (its own process, binary
// payloads, the model on its main thread) against Mosquitto.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type LoadedModel, type Runtime } from '../../src/index';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/mqtt/embedded-broker';
import { MqttService, defaultServiceOptions } from '../../src/mqtt/service';
import { spawn } from 'node:child_process';
import { collect, compareWithDirect, connected, directOutputs, end, loadZoo, publishRange, repoRoot, signals, zooModel } from './harness';
import { freePort, startMosquitto, type Mosquitto } from './mosquitto';

const DEVICES = Number(process.env.E2E_DEVICES ?? 100);
const SAMPLES = Number(process.env.E2E_SAMPLES ?? 1000);

let model: LoadedModel;
let data: Float32Array[][];
let direct: Map<string, number[][]>;

beforeAll(async () => {
  model = await loadZoo();
  data = Array.from({ length: DEVICES }, (_, d) => signals(d, SAMPLES, model.manifest.input.size));
  direct = await directOutputs(model, data);
});

async function roundTrip(url: string, protocolVersion: 4 | 5, tag: string): Promise<void> {
  const rt: Runtime = await createRuntime(model, { skipGoldenCheck: true });
  const service = new MqttService(rt, { id: model.manifest.id, inputSize: model.manifest.input.size }, {
    ...defaultServiceOptions,
    broker: url,
    subscribe: ['sensors/+/imu'],
    publish: 'predictions/{device}',
    clientId: `s7rt-e2e-${tag}`,
    protocolVersion,
    pauseReading: protocolVersion === 5, // aedes runs in this process: see ServiceOptions.pauseReading
  });
  const sink = await collect(url, `collector-${tag}`);
  const pub = await connected(url, `publisher-${tag}`);
  try {
    await service.start();
    await publishRange(pub, data, 0, SAMPLES);
    await sink.until((g) => g.unique() >= DEVICES * SAMPLES);
    // Let stragglers (duplicates, if any were wrongly produced) arrive before counting.
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.got.unique()).toBe(DEVICES * SAMPLES);
    expect(sink.got.deadLetters).toEqual([]);
    const { maxErr } = compareWithDirect(sink.got, direct, SAMPLES);
    expect(maxErr).toBeLessThan(1e-4);
    expect(service.received).toBe(DEVICES * SAMPLES);
    expect(service.predictions).toBe(DEVICES * SAMPLES);
    expect(service.duplicates).toBe(0);
    expect(service.gapSamples).toBe(0);
    const metrics = service.metrics();
    expect(metrics).toMatch(new RegExp(`^s7rt_predictions_published_total ${DEVICES * SAMPLES}$`, 'm'));
    expect(metrics).toMatch(new RegExp(`^s7rt_latency_seconds_count ${DEVICES * SAMPLES}$`, 'm'));
  } finally {
    await service.stop();
    await end(pub);
    await end(sink.client);
    await rt.close();
  }
}

describe('100 devices × 1,000 samples', () => {
  let mosquitto: Mosquitto | undefined;
  let aedes: EmbeddedBroker | undefined;
  afterAll(async () => {
    await mosquitto?.dispose();
    await aedes?.close();
  });

  it('through real Mosquitto (MQTT 5): exactly 100,000 predictions equal to the direct run', async () => {
    mosquitto = await startMosquitto();
    await roundTrip(mosquitto.url, 5, 'mosquitto');
  }, 240_000);

  it('through the embedded aedes broker (MQTT 3.1.1): the same', async () => {
    aedes = await startEmbeddedBroker();
    await roundTrip(aedes.tcpUrl, 4, 'aedes');
  }, 240_000);

  it('s7rt run in its own process, binary float32 payloads, --workers 0, through Mosquitto: every prediction equal to the direct run', async () => {
    mosquitto ??= await startMosquitto();
    const url = mosquitto.url;
    const n = Math.min(SAMPLES, 200);
    const health = await freePort();
    const child = spawn(process.execPath, [
      'bin/s7rt.js', 'run', '--model', zooModel, '--broker', url, '--format', 'binary', '--workers', '0',
      '--client-id', 's7rt-e2e-binary', '--health-port', String(health), '--status-interval', '0',
    ], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout!.on('data', (d) => (log += d));
    child.stderr!.on('data', (d) => (log += d));
    const sink = await collect(url, 'collector-binary');
    const pub = await connected(url, 'publisher-binary');
    try {
      for (const until = Date.now() + 60_000; !(await fetch(`http://127.0.0.1:${health}/readyz`).then((r) => r.ok, () => false)); ) {
        if (child.exitCode !== null || Date.now() > until) throw new Error(`s7rt run did not become ready:\n${log}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      await publishRange(pub, data, 0, n, { format: 'binary' });
      await sink.until((g) => g.unique() >= DEVICES * n);
      await new Promise((r) => setTimeout(r, 300));
      expect(sink.got.deadLetters).toEqual([]);
      expect(sink.got.unique()).toBe(DEVICES * n);
      const { maxErr } = compareWithDirect(sink.got, direct, n);
      expect(maxErr).toBeLessThan(1e-4);
      const metrics = await (await fetch(`http://127.0.0.1:${health}/metrics`)).text();
      expect(metrics).toMatch(new RegExp(`^s7rt_predictions_published_total ${DEVICES * n}$`, 'm'));
      expect(metrics).toMatch(/^s7rt_duplicates_total 0$/m);
      // the runtime's own counters: every sample stepped exactly once, on the caller's thread (worker 0)
      expect(metrics).toMatch(new RegExp(`^s7rt_runtime_steps_total\\{worker="0"\\} ${DEVICES * n}$`, 'm'));
      const batches = Number(metrics.match(/^s7rt_runtime_batches_total\{worker="0"\} (\d+)$/m)?.[1]);
      expect(batches).toBeGreaterThan(0);
      expect(batches).toBeLessThanOrEqual(DEVICES * n);
      expect(metrics).toMatch(/^s7rt_runtime_backend\{backend="native"\} 1$/m);
      expect(log).toContain('s7rt: native backend, model on the main thread\n');
    } finally {
      child.kill('SIGTERM');
      const code = await new Promise((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', r)));
      await end(pub);
      await end(sink.client);
      expect(code, log).toBe(0);
    }
  }, 240_000);
});
