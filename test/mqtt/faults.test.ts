// Faults against real Mosquitto with the real runtime: the broker restarts mid-run, s7rt is
// SIGKILLed mid-run, and nothing is lost or applied twice (a sample applied twice would change
// every later output of its device, which the comparison with the direct run would catch).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type LoadedModel, type Runtime } from '../../src/index';
import { MqttService, defaultServiceOptions } from '../../src/mqtt/service';
import { snapshotFileName } from '../../src/mqtt/snapshot-store';
import { collect, compareWithDirect, connected, directOutputs, end, loadZoo, publishRange, repoRoot, signals, zooModel } from './harness';
import { startMosquitto, type Mosquitto } from './mosquitto';

const DEVICES = Number(process.env.FAULTS_DEVICES ?? 20);
const SAMPLES = Number(process.env.FAULTS_SAMPLES ?? 300);
// S7RT_TEST_LOG=1 prints the service's log and status while a test runs.
const trace = process.env.S7RT_TEST_LOG === '1';

let model: LoadedModel;
let data: Float32Array[][];
let direct: Map<string, number[][]>;
let mosquitto: Mosquitto | undefined;
let dir: string;

beforeAll(async () => {
  model = await loadZoo();
  data = Array.from({ length: DEVICES }, (_, d) => signals(d, SAMPLES, model.manifest.input.size));
  direct = await directOutputs(model, data);
});

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

afterEach(async () => {
  await mosquitto?.dispose();
  mosquitto = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('broker killed and restarted mid-run', () => {
  let rt: Runtime | undefined;
  afterAll(async () => {
    await rt?.close();
  });

  it('loses no sample and applies none twice', async () => {
    mosquitto = await startMosquitto();
    dir = await mkdtemp(join(tmpdir(), 's7rt-faults-'));
    rt = await createRuntime(model, { skipGoldenCheck: true });
    const service = new MqttService(rt, { id: model.manifest.id, inputSize: model.manifest.input.size }, {
      ...defaultServiceOptions,
      broker: mosquitto.url,
      subscribe: ['sensors/+/imu'],
      publish: 'predictions/{device}',
      clientId: 's7rt-broker-restart',
      snapshotDir: dir,
      snapshotIntervalMs: 200,
      // acks wait for a snapshot: at most ~500 samples/s, so the broker dies with samples in flight
      maxInflight: 100,
      reconnectMinMs: 100,
    }, trace ? { onLog: (l) => console.log(l) } : {});
    const tracer = trace ? setInterval(() => console.log(JSON.stringify(service.status()), sink.got.unique()), 3000) : undefined;
    // persistent: predictions published while the collector's broker connection is down are kept
    const sink = await collect(mosquitto.url, 'collector-broker-restart', true);
    const pub = await connected(mosquitto.url, 'publisher-broker-restart', { persistent: true });
    try {
      await service.start();
      await publishRange(pub, data, 0, SAMPLES / 2);
      await sink.until((g) => g.unique() >= (DEVICES * SAMPLES) / 6);
      const before = sink.got.unique();
      await mosquitto.stop('SIGTERM');
      // the broker's exit reaches the service's socket a moment later, not at once
      await waitFor(() => !service.connected, 10_000, 'the service to notice the broker is gone');
      await new Promise((r) => setTimeout(r, 500));
      await mosquitto.start();
      // The first half, kept by the broker across its restart, is delivered before the second
      // half is sent: Mosquitto 2.0.11 can send newer messages ahead of ones it restored from its
      // persistence file, and a sample that arrives after a newer one of its device is late (the
      // state has moved on) and is dead-lettered, which this test would count as lost.
      await sink.until((g) => g.unique() >= (DEVICES * SAMPLES) / 2, 120_000);
      await publishRange(pub, data, SAMPLES / 2, SAMPLES);
      await sink.until((g) => g.unique() >= DEVICES * SAMPLES, 300_000);
      expect(before).toBeLessThan((DEVICES * SAMPLES) / 2); // the broker died mid-way through the first half
      expect(sink.got.unique()).toBe(DEVICES * SAMPLES);
      compareWithDirect(sink.got, direct, SAMPLES);
      expect(service.gapSamples).toBe(0);
      expect(sink.got.deadLetters).toEqual([]);
      expect(service.snapshotsWritten).toBeGreaterThan(0);
    } finally {
      clearInterval(tracer);
      await service.stop();
      await end(pub);
      await end(sink.client);
    }
  }, 600_000);
});

describe('s7rt killed (SIGKILL) and restarted mid-run', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  });

  /** `node bin/s7rt.js run ...`, resolved once its subscriber is connected. */
  async function s7rt(url: string, snapshotDir: string): Promise<{ child: ChildProcess; output: () => string }> {
    // --max-inflight 100: acks wait for a snapshot (every 0.2 s), so s7rt takes at most ~500
    // samples/s and is still mid-run when killed, however fast the runtime is.
    const args = ['bin/s7rt.js', 'run', '--model', zooModel, '--broker', url, '--snapshot-dir', snapshotDir, '--snapshot-interval', '0.2', '--max-inflight', '100', '--client-id', 's7rt-kill', '--status-interval', '0'];
    const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const t0 = Date.now();
    while (!/s7rt-kill connected/.test(out)) {
      if (child.exitCode !== null) throw new Error(`s7rt exited with ${child.exitCode}: ${out}`);
      if (Date.now() - t0 > 120_000) throw new Error(`s7rt did not connect: ${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return { child, output: () => out };
  }

  it('resumes from its snapshot plus redelivery; final predictions equal an uninterrupted run', async () => {
    mosquitto = await startMosquitto();
    dir = await mkdtemp(join(tmpdir(), 's7rt-kill-'));
    const sink = await collect(mosquitto.url, 'collector-kill', true);
    const pub = await connected(mosquitto.url, 'publisher-kill');
    try {
      const first = await s7rt(mosquitto.url, dir);
      // Everything is queued at the broker up front; s7rt works through it while we kill it.
      await publishRange(pub, data, 0, SAMPLES);
      await sink.until((g) => g.unique() >= (DEVICES * SAMPLES) / 3, 300_000);
      await new Promise((r) => setTimeout(r, 300)); // let at least one snapshot cover some of it
      first.child.kill('SIGKILL');
      await new Promise((r) => first.child.once('exit', r));
      const atKill = sink.got.unique();
      expect(atKill).toBeLessThan(DEVICES * SAMPLES);
      expect(existsSync(join(dir, snapshotFileName))).toBe(true);

      const second = await s7rt(mosquitto.url, dir);
      expect(second.output()).toMatch(/restored \d+ streams/);
      await sink.until((g) => g.unique() >= DEVICES * SAMPLES, 300_000);
      await new Promise((r) => setTimeout(r, 300));
      expect(sink.got.unique()).toBe(DEVICES * SAMPLES);
      compareWithDirect(sink.got, direct, SAMPLES);
      expect(sink.got.deadLetters).toEqual([]);

      second.child.kill('SIGTERM');
      const code = await new Promise((r) => second.child.once('exit', r));
      expect(code).toBe(0);
    } finally {
      await end(pub);
      await end(sink.client);
    }
  }, 600_000);
});
