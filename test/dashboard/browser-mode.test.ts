// Browser-only mode: the page loads the zoo package from the dashboard server and runs it in the
// runtime's own Web Worker (dist/browser), keeping each device's state there.
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, loadModel, type Runtime } from '../../src/index';
import type { TestPage } from './browser';
import { type Harness, simulatedSample, startHarness, waitConnected } from './harness';
import { runGoldenInPage, waitRuntime } from './in-page';

let h: Harness;
let tp: TestPage;
let node: Runtime;

beforeAll(async () => {
  h = await startHarness();
  node = await createRuntime(await loadModel(resolve(import.meta.dirname, '../../models/zoo/sensor-activity')));
  tp = await h.open('?mode=browser');
  await waitRuntime(tp.page);
  await waitConnected(tp.page);
}, 120_000);

afterAll(async () => {
  await node?.close();
  await h?.close();
});

describe('browser-only mode', () => {
  it('runs in a cross-origin isolated page, on the runtime build served at /runtime/, inside the feed worker', async () => {
    const info = await tp.page.evaluate(() => ({
      isolated: crossOriginIsolated,
      mode: (window as any).s7dashboard.streams.stats.mode,
      backend: (window as any).s7dashboard.runtime.stats.backend,
      // what the page itself loaded: the runtime is imported by the feed worker, not by the page
      scripts: performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname),
    }));
    expect(info).toMatchObject({ isolated: true, mode: 'browser', backend: 'wasm' });
    expect(info.scripts).not.toContain('/runtime/index.js');
    for (const path of ['/feed-worker.js', '/runtime/index.js', '/runtime/worker.js', '/models/sensor-activity/step.onnx']) expect(tp.requests).toContain(path);
  });

  it('reproduces the zoo golden vectors in the in-page worker', async () => {
    const r = await runGoldenInPage(tp.page, 'golden');
    expect(r.outputs.length).toBe(r.batch * r.steps * 6);
    expect(r.worstExcess).toBeLessThanOrEqual(0);
  });

  it('predicts MQTT samples in the page, one state per device, as the Node runtime does', async () => {
    const devices = ['phone-a', 'phone-b'];
    const steps = 30;
    const want = new Map<string, Float32Array>();
    for (let seq = 0; seq < steps; seq++) {
      for (const [d, device] of devices.entries()) {
        const values = simulatedSample(d + 3, seq);
        await h.broker.publisher.publishAsync(`sensors/${device}/imu`, JSON.stringify({ seq, t: Date.now(), values }));
        want.set(device, (await node.stream(device).step({ values })).output);
      }
    }
    await tp.page.waitForFunction(
      ({ devices, steps }) => devices.every((d: string) => (window as any).s7dashboard.streams.snapshot()[d]?.predictions === steps),
      { devices, steps },
      { timeout: 30_000 },
    );
    const snap = await tp.page.evaluate(() => (window as any).s7dashboard.streams.snapshot());
    const labels = Object.keys(snap['phone-a'].values);
    expect(labels).toEqual(['still', 'walk', 'run', 'stairs', 'cycle', 'jump']);
    for (const device of devices) {
      expect(snap[device].lastSeq).toBe(steps - 1);
      labels.forEach((l, i) => expect(snap[device].values[l]).toBeCloseTo(want.get(device)![i], 5));
    }
    const stats = await tp.page.evaluate(() => (window as any).s7dashboard.runtime.control.runtimeStats());
    expect(stats.steps).toBeGreaterThanOrEqual(devices.length * steps);
  });

  it('useLocalRuntime: a runtime the embedding page owns predicts the samples the feed worker passes it', async () => {
    const page = await h.open(); // MQTT mode; the test's code plays the embedding page
    await waitConnected(page.page);
    // a string, so that vitest leaves its import() alone
    await page.page.evaluate(`(async () => {
      const d = window.s7dashboard;
      const runtime = await import(new URL(d.config.runtimeUrl, location.href).href);
      const rt = await runtime.createRuntime(await runtime.loadModel(new URL(d.config.models[d.config.sensorModel], location.href).href));
      d.streams.useLocalRuntime((device) => rt.stream(device));
    })()`);
    await page.page.waitForFunction(() => (window as any).s7dashboard.streams.stats.mode === 'browser');
    const steps = 20;
    const want: Float32Array[] = [];
    for (let seq = 0; seq < steps; seq++) {
      const values = simulatedSample(7, seq);
      await h.broker.publisher.publishAsync('sensors/own-rt/imu', JSON.stringify({ seq, t: Date.now(), values }));
      want.push((await node.stream('own-rt').step({ values })).output);
    }
    await page.page.waitForFunction((steps) => (window as any).s7dashboard.streams.snapshot()['own-rt']?.predictions === steps, steps, { timeout: 30_000 });
    const snap = await page.page.evaluate(() => (window as any).s7dashboard.streams.snapshot()['own-rt']);
    expect(snap.lastSeq).toBe(steps - 1);
    Object.values(snap.values as Record<string, number>).forEach((v, i) => expect(v).toBeCloseTo(want[steps - 1][i], 5));
    expect(snap.latencyMs).toBeGreaterThanOrEqual(0);
    expect(page.errors).toEqual([]);
    await page.context.close();
  });

  it('logged no console errors, page errors or failed requests', () => {
    expect(tp.errors).toEqual([]);
  });
});
