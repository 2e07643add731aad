// Dashboard benchmark, every peer measured in the same run:
//  1. page load under streaming: 100 devices at 50 Hz (a sample and a prediction per device per
//     tick: 10,000 msg/s over MQTT/WebSocket), against an idle page and 10 devices: messages sent
//     and received per second, frames/s, main-thread busy ms per second (CDP Performance.getMetrics
//     TaskDuration), messages the feed worker posted to the main thread, long tasks
//     (PerformanceObserver 'longtask'). Also browser-only mode: the same 100 devices' samples
//     predicted by the runtime inside the page's feed worker.
//  2. steps/s of the zoo model: in the page (WASM, WebGPU where an adapter exists) vs the Node
//     runtime (native and wasm backends), same stream counts.
// The broker and the devices run in a worker thread (broker-thread.ts): aedes' in-process publish.
// Run: npm run build && npx vite-node bench/dashboard/dashboard-bench.ts
//   BENCH_SECONDS=8 (default) per scenario; BENCH_DEVICES=0,10 runs only those MQTT-mode scenarios;
//   BENCH_REFRESH_MS=0 redraws every changed card on every frame (default: the view's refreshMs,
//   100 ms, and cardsPerFrame, 4).
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { buildDashboard } from '../../src/dashboard/build.mjs';
import { startDashboardServer } from '../../src/dashboard/server';
import { createRuntime, loadModel } from '../../src/index';
import { launchChromium, openPage } from '../../test/dashboard/browser';
import { waitConnected } from '../../test/dashboard/harness';
import { waitRuntime } from '../../test/dashboard/in-page';
import { type BrokerThread, startBrokerThread } from './broker-thread';
import { rendererCpu } from './renderer-cpu';

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
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
  /** CPU ms per second from /proc: the renderer's main threads, its dedicated workers */
  mainCpuMsPerSec: number;
  workerCpuMsPerSec: number;
  /** messages the feed worker posted to the main thread */
  feedMessagesPerSec: number;
  publishedPerSec: number;
  layoutMsPerSec: number;
  styleMsPerSec: number;
}

/** Installs the frame counter and long-task observer in the page. */
async function instrument(page: Page): Promise<void> {
  await page.evaluate((refreshMs) => {
    const w = window as any;
    if (refreshMs === 0) Object.assign(w.s7dashboard.streams, { refreshMs: 0, cardsPerFrame: Infinity });
    w.__bench = { frames: 0, long: [] as number[] };
    const loop = () => {
      w.__bench.frames++;
      requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
    new PerformanceObserver((list) => list.getEntries().forEach((e) => w.__bench.long.push(e.duration))).observe({ type: 'longtask', buffered: false });
  }, process.env.BENCH_REFRESH_MS === '0' ? 0 : undefined);
}

async function measure(broker: BrokerThread, page: Page, scenario: string, devices: number, predictions: boolean): Promise<LoadResult> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const metrics = async () => Object.fromEntries(((await cdp.send('Performance.getMetrics')).metrics as { name: string; value: number }[]).map((m) => [m.name, m.value]));
  const read = () => page.evaluate(() => {
    const w = window as any;
    const snap = w.s7dashboard.streams.snapshot();
    const predictions = Object.values(snap).reduce((a: number, s: any) => a + s.predictions, 0);
    const stats = w.s7dashboard.streams.stats;
    return { frames: w.__bench.frames, long: [...w.__bench.long] as number[], messages: stats.messages as number, feed: stats.feedMessages as number, predictions: predictions as number };
  });
  await broker.load({ devices, predictions, hz: 50 });
  // warm-up second: every device appears and gets its charts
  await new Promise((r) => setTimeout(r, 1000));
  const m0 = await metrics();
  const c0 = rendererCpu();
  const r0 = await read();
  const p0 = await broker.published();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const m1 = await metrics();
  const c1 = rendererCpu();
  const r1 = await read();
  const p1 = await broker.published();
  const elapsed = (performance.now() - t0) / 1000;
  await broker.load({ devices: 0, predictions, hz: 50 });
  await cdp.detach();
  const long = r1.long.slice(r0.long.length);
  return {
    scenario,
    devices,
    seconds: elapsed,
    fps: (r1.frames - r0.frames) / elapsed,
    mainThreadMsPerSec: ((m1.TaskDuration - m0.TaskDuration) * 1000) / elapsed,
    mainCpuMsPerSec: (c1.main - c0.main) / elapsed,
    workerCpuMsPerSec: (c1.workers - c0.workers) / elapsed,
    scriptMsPerSec: ((m1.ScriptDuration - m0.ScriptDuration) * 1000) / elapsed,
    longTasks: long.length,
    longTaskMsPerSec: long.reduce((a, b) => a + b, 0) / elapsed,
    maxLongTaskMs: long.length ? Math.max(...long) : 0,
    messagesPerSec: (r1.messages - r0.messages) / elapsed,
    predictionsPerSec: (r1.predictions - r0.predictions) / elapsed,
    feedMessagesPerSec: (r1.feed - r0.feed) / elapsed,
    publishedPerSec: (p1 - p0) / elapsed,
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

/** steps/s with `streams` streams each stepping `rounds` times, all concurrently (batched), timed inside the feed worker. */
async function inPageSteps(page: Page, streams: number, rounds: number, label: string): Promise<StepsResult> {
  const r = await page.evaluate(({ streams, rounds, label }) => (window as any).s7dashboard.runtime.control.stepRounds(streams, rounds, label), { streams, rounds, label });
  return { peer: 'browser (feed worker)', backend: r.backend, streams, steps: r.steps, stepsPerSec: r.steps / r.seconds };
}

async function nodeSteps(backend: 'native' | 'wasm', streams: number, rounds: number): Promise<StepsResult> {
  const rt = await createRuntime(await loadModel(zoo), { backend });
  try {
    const handles = Array.from({ length: streams }, (_, i) => rt.stream(`node-${i}`));
    const values = [0.1, -0.2, 0.98, 3, -2, 1];
    const round = () => Promise.all(handles.map((h) => h.step({ values })));
    await round();
    const t0 = performance.now();
    for (let r = 0; r < rounds; r++) await round();
    const s = (performance.now() - t0) / 1000;
    return { peer: 'node', backend: (await rt.stats()).backend, streams, steps: streams * rounds, stepsPerSec: (streams * rounds) / s };
  } finally {
    await rt.close();
  }
}

await buildDashboard();
const broker = await startBrokerThread();
const server = await startDashboardServer({ brokerWsUrl: broker.wsUrl });
const browser: Browser = await launchChromium(['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader']);
const open = (query: string) => openPage(browser, `${server.url}${query}`, { width: 1280, height: 900 });
const load: LoadResult[] = [];
const steps: StepsResult[] = [];
try {
  // 1. streaming load, MQTT mode: idle, 10 and 100 devices
  for (const devices of (process.env.BENCH_DEVICES ?? '0,10,100').split(',').map(Number)) {
    const tp = await open('');
    await waitConnected(tp.page);
    await instrument(tp.page);
    load.push(await measure(broker, tp.page, devices === 0 ? 'idle page' : 'predictions from broker', devices, true));
    if (tp.errors.length) throw new Error(`page errors: ${tp.errors.join('; ')}`);
    await tp.context.close();
  }
  // browser-only mode: 100 devices, predictions computed by the runtime in the page's feed worker
  if (!process.env.BENCH_DEVICES) {
    const tp = await open('?mode=browser');
    await waitRuntime(tp.page);
    await waitConnected(tp.page);
    // steps/s first, while the worker has no backlog
    for (const n of [1, 100]) steps.push(await inPageSteps(tp.page, n, n === 1 ? 300 : 30, 'wasm'));
    await instrument(tp.page);
    load.push(await measure(broker, tp.page, 'browser-only (feed worker)', 100, false));
    if (tp.errors.length) throw new Error(`page errors: ${tp.errors.join('; ')}`);
    await tp.context.close();
  }
  // 2. WebGPU in the page (software adapter here: few rounds)
  if (!process.env.BENCH_DEVICES) {
    const tp = await open('?mode=browser&backend=webgpu&golden=skip');
    await waitRuntime(tp.page);
    for (const n of [1, 100]) steps.push(await inPageSteps(tp.page, n, 3, 'webgpu'));
    await tp.context.close();
  }
  if (!process.env.BENCH_DEVICES) for (const backend of ['native', 'wasm'] as const) for (const n of [1, 100]) steps.push(await nodeSteps(backend, n, n === 1 ? 300 : 30));
} finally {
  await browser.close();
  await server.close();
  await broker.close();
}

const idle = load[0];
console.log(`\nDashboard under load (${seconds} s each; main thread = CDP TaskDuration)`);
console.table(load.map((r) => ({
  scenario: r.scenario,
  devices: r.devices,
  'sent/s': r.publishedPerSec.toFixed(0),
  'msg/s': r.messagesPerSec.toFixed(0),
  'pred/s': r.predictionsPerSec.toFixed(0),
  'to main/s': r.feedMessagesPerSec.toFixed(0),
  fps: r.fps.toFixed(1),
  'main ms/s': r.mainThreadMsPerSec.toFixed(0),
  'vs idle': (r.mainThreadMsPerSec / idle.mainThreadMsPerSec).toFixed(1),
  'main cpu ms/s': r.mainCpuMsPerSec.toFixed(0),
  'worker cpu ms/s': r.workerCpuMsPerSec.toFixed(0),
  'script ms/s': r.scriptMsPerSec.toFixed(0),
  'layout+style ms/s': (r.layoutMsPerSec + r.styleMsPerSec).toFixed(0),
  'long tasks': r.longTasks,
  'long ms/s': r.longTaskMsPerSec.toFixed(0),
  'max long ms': r.maxLongTaskMs.toFixed(0),
})));
const node = (backend: string, n: number) => steps.find((s) => s.peer === 'node' && s.backend === backend && s.streams === n)?.stepsPerSec ?? NaN;
console.log('\nZoo model steps/s (sensor-activity), same run');
console.table(steps.map((s) => ({ peer: s.peer, backend: s.backend, streams: s.streams, steps: s.steps, 'steps/s': s.stepsPerSec.toFixed(0), 'vs node native': (s.stepsPerSec / node('native', s.streams)).toFixed(2), 'vs node wasm': (s.stepsPerSec / node('wasm', s.streams)).toFixed(2) })));
console.log(JSON.stringify({ bench: 'dashboard', seconds, load, steps }));
