// Dashboard benchmark, every peer measured in the same run:
//  1. page load under streaming: 100 devices at 50 Hz (samples + predictions over MQTT/WebSocket),
//     against an idle page and 10 devices: frames/s, main-thread busy ms per second (CDP
//     Performance.getMetrics TaskDuration), long tasks (PerformanceObserver 'longtask').
//     Also browser-only mode: the same 100 devices predicted in the page's runtime worker.
//  2. steps/s of the zoo model: in-page runtime (WASM, WebGPU where an adapter exists) vs the Node
//     runtime, same stream counts.
// Run: npm run build && npx vite-node bench/dashboard/dashboard-bench.ts
//   BENCH_SECONDS=8 (default) per scenario; BENCH_DEVICES=0,10 runs only those MQTT-mode scenarios.
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { createRuntime, loadModel } from '../../src/index';
import { type Harness, simulatedSample, startHarness, waitConnected } from '../../test/dashboard/harness';
import { waitRuntime } from '../../test/dashboard/in-page';

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const labels = ['still', 'walk', 'run', 'stairs', 'cycle', 'jump'];
const zoo = resolve(import.meta.dirname, '../../models/zoo/sensor-activity');

interface LoadResult {
  scenario: string;
  devices: number;
  seconds: number;
  fps: number;
  mainThreadMsPerSec: number;
  scriptMsPerSec: number;
  longTasks: number;
  longTaskMsPerSec: number;
  maxLongTaskMs: number;
  messagesPerSec: number;
  predictionsPerSec: number;
  publishedPerSec: number;
  layoutMsPerSec: number;
  styleMsPerSec: number;
}

/** Installs the frame counter and long-task observer in the page. */
async function instrument(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as any;
    w.__bench = { frames: 0, long: [] as number[] };
    const loop = () => {
      w.__bench.frames++;
      requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
    new PerformanceObserver((list) => list.getEntries().forEach((e) => w.__bench.long.push(e.duration))).observe({ type: 'longtask', buffered: false });
  });
}

async function measure(h: Harness, page: Page, scenario: string, devices: number, publishPredictions: boolean): Promise<LoadResult> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const metrics = async () => Object.fromEntries(((await cdp.send('Performance.getMetrics')).metrics as { name: string; value: number }[]).map((m) => [m.name, m.value]));
  const read = () => page.evaluate(() => {
    const w = window as any;
    const snap = w.s7dashboard.streams.snapshot();
    const predictions = Object.values(snap).reduce((a: number, s: any) => a + s.predictions, 0);
    return { frames: w.__bench.frames, long: [...w.__bench.long] as number[], messages: w.s7dashboard.streams.stats.messages as number, predictions: predictions as number };
  });
  // warm-up second: every device appears and gets its charts
  let seq = 0;
  let published = 0;
  const tick = async () => {
    const sends: Promise<unknown>[] = [];
    for (let d = 0; d < devices; d++) {
      const device = `dev-${d}`;
      sends.push(h.broker.publisher.publishAsync(`sensors/${device}/imu`, JSON.stringify({ seq, t: Date.now(), values: simulatedSample(d, seq) })));
      if (publishPredictions) {
        const raw = labels.map((_, i) => Math.exp(Math.sin(seq / 25 + i + d)));
        const sum = raw.reduce((a, b) => a + b);
        sends.push(h.broker.publisher.publishAsync(`predictions/${device}`, JSON.stringify({ device, seq, values: Object.fromEntries(labels.map((l, i) => [l, raw[i] / sum])) })));
      }
    }
    seq++;
    await Promise.all(sends);
    published += sends.length;
  };
  const run = async (ms: number) => {
    const start = performance.now();
    for (let i = 0; performance.now() - start < ms; i++) {
      if (devices > 0) await tick();
      const next = start + (i + 1) * 20; // 50 Hz
      await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
    }
  };
  await run(1000);
  const m0 = await metrics();
  const r0 = await read();
  const t0 = performance.now();
  const p0 = published;
  await run(seconds * 1000);
  const elapsed = (performance.now() - t0) / 1000;
  const m1 = await metrics();
  const r1 = await read();
  await cdp.detach();
  const long = r1.long.slice(r0.long.length);
  return {
    scenario,
    devices,
    seconds: elapsed,
    fps: (r1.frames - r0.frames) / elapsed,
    mainThreadMsPerSec: ((m1.TaskDuration - m0.TaskDuration) * 1000) / elapsed,
    scriptMsPerSec: ((m1.ScriptDuration - m0.ScriptDuration) * 1000) / elapsed,
    longTasks: long.length,
    longTaskMsPerSec: long.reduce((a, b) => a + b, 0) / elapsed,
    maxLongTaskMs: long.length ? Math.max(...long) : 0,
    messagesPerSec: (r1.messages - r0.messages) / elapsed,
    predictionsPerSec: (r1.predictions - r0.predictions) / elapsed,
    publishedPerSec: (published - p0) / elapsed,
    layoutMsPerSec: ((m1.LayoutDuration - m0.LayoutDuration) * 1000) / elapsed,
    styleMsPerSec: ((m1.RecalcStyleDuration - m0.RecalcStyleDuration) * 1000) / elapsed,
  };
}

interface StepsResult {
  peer: string;
  backend: string;
  streams: number;
  steps: number;
  stepsPerSec: number;
}

/** steps/s with `streams` streams each stepping `rounds` times, all streams concurrently (batched). */
async function inPageSteps(page: Page, streams: number, rounds: number, label: string): Promise<StepsResult> {
  return page.evaluate(async ({ streams, rounds, label }) => {
    const { runtime, stats } = (window as any).s7dashboard.runtime;
    const handles = Array.from({ length: streams }, (_, i) => runtime.stream(`${label}-${streams}-${i}`));
    const values = [0.1, -0.2, 0.98, 3, -2, 1];
    const round = () => Promise.all(handles.map((h: any) => h.step({ values })));
    await round(); // warm-up (first run compiles kernels on WebGPU)
    const t0 = performance.now();
    for (let r = 0; r < rounds; r++) await round();
    const s = (performance.now() - t0) / 1000;
    return { peer: 'browser', backend: stats.backend, streams, steps: streams * rounds, stepsPerSec: (streams * rounds) / s };
  }, { streams, rounds, label });
}

async function nodeSteps(streams: number, rounds: number): Promise<StepsResult> {
  const rt = await createRuntime(await loadModel(zoo));
  try {
    const handles = Array.from({ length: streams }, (_, i) => rt.stream(`node-${i}`));
    const values = [0.1, -0.2, 0.98, 3, -2, 1];
    const round = () => Promise.all(handles.map((h) => h.step({ values })));
    await round();
    const t0 = performance.now();
    for (let r = 0; r < rounds; r++) await round();
    const s = (performance.now() - t0) / 1000;
    return { peer: 'node', backend: 'wasm', streams, steps: streams * rounds, stepsPerSec: (streams * rounds) / s };
  } finally {
    await rt.close();
  }
}

const h = await startHarness(['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader']);
const load: LoadResult[] = [];
const steps: StepsResult[] = [];
try {
  // 1. streaming load, MQTT mode: idle, 10 and 100 devices
  for (const devices of (process.env.BENCH_DEVICES ?? '0,10,100').split(',').map(Number)) {
    const tp = await h.open('', { width: 1280, height: 900 });
    await waitConnected(tp.page);
    await instrument(tp.page);
    load.push(await measure(h, tp.page, devices === 0 ? 'idle page' : 'predictions from broker', devices, true));
    if (tp.errors.length) throw new Error(`page errors: ${tp.errors.join('; ')}`);
    await tp.context.close();
  }
  // browser-only mode: 100 devices, predictions computed in the page's runtime worker
  if (!process.env.BENCH_DEVICES) {
    const tp = await h.open('?mode=browser', { width: 1280, height: 900 });
    await waitRuntime(tp.page);
    await waitConnected(tp.page);
    // steps/s first, while the worker has no backlog
    for (const n of [1, 100]) steps.push(await inPageSteps(tp.page, n, n === 1 ? 300 : 30, 'wasm'));
    await instrument(tp.page);
    load.push(await measure(h, tp.page, 'browser-only (worker)', 100, false));
    if (tp.errors.length) throw new Error(`page errors: ${tp.errors.join('; ')}`);
    await tp.context.close();
  }
  // 2. WebGPU in the page (software adapter here: few rounds)
  if (!process.env.BENCH_DEVICES) {
    const tp = await h.open('?mode=browser&backend=webgpu&golden=skip');
    await waitRuntime(tp.page);
    for (const n of [1, 100]) steps.push(await inPageSteps(tp.page, n, 3, 'webgpu'));
    await tp.context.close();
  }
  if (!process.env.BENCH_DEVICES) for (const n of [1, 100]) steps.push(await nodeSteps(n, n === 1 ? 300 : 30));
} finally {
  await h.close();
}

const idle = load[0];
console.log(`\nDashboard under load (${seconds} s each; main thread = CDP TaskDuration)`);
console.table(load.map((r) => ({
  scenario: r.scenario,
  devices: r.devices,
  'sent/s': r.publishedPerSec.toFixed(0),
  'msg/s': r.messagesPerSec.toFixed(0),
  'pred/s': r.predictionsPerSec.toFixed(0),
  fps: r.fps.toFixed(1),
  'main ms/s': r.mainThreadMsPerSec.toFixed(0),
  'vs idle': (r.mainThreadMsPerSec / idle.mainThreadMsPerSec).toFixed(1),
  'script ms/s': r.scriptMsPerSec.toFixed(0),
  'layout+style ms/s': (r.layoutMsPerSec + r.styleMsPerSec).toFixed(0),
  'long tasks': r.longTasks,
  'long ms/s': r.longTaskMsPerSec.toFixed(0),
  'max long ms': r.maxLongTaskMs.toFixed(0),
})));
const node = (n: number) => steps.find((s) => s.peer === 'node' && s.streams === n)?.stepsPerSec ?? NaN;
console.log('\nZoo model steps/s (sensor-activity), same run');
console.table(steps.map((s) => ({ peer: s.peer, backend: s.backend, streams: s.streams, steps: s.steps, 'steps/s': s.stepsPerSec.toFixed(0), 'vs node': (s.stepsPerSec / node(s.streams)).toFixed(2) })));
console.log(JSON.stringify({ bench: 'dashboard', seconds, load, steps }));
