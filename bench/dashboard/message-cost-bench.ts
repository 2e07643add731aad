// CPU time per received MQTT message inside the dashboard page's workers, same page and run, each
// path fed the same burst of sample messages (JSON, 6 values) and measured by the renderer's thread
// CPU times from /proc (so the machine's other load does not count, unlike wall time):
//   (a) a bare WebSocket, one WebSocket message per sample, + JSON.parse in a worker (what a
//       browser task per message costs),
//   (b) the dashboard's MQTT reader (rx/mqtt-reader.ts) + JSON.parse in a worker,
//   (c) mqtt.js (browser build) + JSON.parse in a worker (what the dashboard used before),
//   (d) the stream view's feed worker: reader + parse + validation + device state + frames;
// (b) to (d) through aedes with s7rt's WebSocket bridge (websocket-stream.ts: one WebSocket message per
// event-loop turn), (b) and (c) also through ws' createWebSocketStream (one WebSocket message per piece aedes
// writes: several per MQTT message).
// Explains docs/benchmarks.md "Dashboard" (the WebSocket bridge, and why the dashboard reads MQTT itself).
// Run: npm run build && npx vite-node bench/dashboard/message-cost-bench.ts   (BENCH_MESSAGES=20000)
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { build } from 'esbuild';
import { WebSocketServer } from 'ws';
import { buildDashboard } from '../../src/dashboard/build.mjs';
import { startDashboardServer } from '../../src/dashboard/server';
import { launchChromium, openPage } from '../../test/dashboard/browser';
import { waitConnected } from '../../test/dashboard/harness';
import { simulatedSample } from '../../test/dashboard/samples';
import { startBrokerThread } from './broker-thread';
import { rendererCpu } from './renderer-cpu';

const messages = Number(process.env.BENCH_MESSAGES ?? 20_000);
const devices = 10;
const root = resolve(import.meta.dirname, '../..');

/** A worker script (module) that counts messages on `{ url, topic }` and answers 'count' with the count. */
async function bundleWorker(body: string): Promise<string> {
  const out = await build({ stdin: { contents: body, resolveDir: root, loader: 'ts' }, bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, logLevel: 'warning' });
  return out.outputFiles[0].text;
}

const counting = `let n = 0; const parse = (p: Uint8Array) => { JSON.parse(new TextDecoder().decode(p)); n++; };`;
const workers: Record<string, string> = {
  bare: await bundleWorker(`${counting}
    onmessage = (e) => {
      if (e.data === 'count') return postMessage(n);
      const ws = new WebSocket(e.data.url); ws.binaryType = 'arraybuffer';
      ws.onmessage = (m) => parse(new Uint8Array(m.data)); ws.onopen = () => postMessage('ready');
    };`),
  reader: await bundleWorker(`import { MqttReader } from './src/dashboard/rx/mqtt-reader';
    ${counting}
    onmessage = (e) => {
      if (e.data === 'count') return postMessage(n);
      new MqttReader({ url: e.data.url, topics: [e.data.topic], onMessage: (_t, p) => parse(p), onStatus: (s) => s === 'connected' && postMessage('ready') });
    };`),
  mqttjs: await bundleWorker(`import mqtt from 'mqtt';
    ${counting}
    onmessage = (e) => {
      if (e.data === 'count') return postMessage(n);
      const c = mqtt.connect(e.data.url, { reconnectPeriod: 0 });
      c.on('connect', () => c.subscribe(e.data.topic, { qos: 0 }, () => postMessage('ready')));
      c.on('message', (_t, p) => parse(p));
    };`),
};
workers.reader2 = workers.reader;
workers.mqttjs2 = workers.mqttjs;

await buildDashboard();
const broker = await startBrokerThread();
const perPiece = await startBrokerThread('ws');
const server = await startDashboardServer({ brokerWsUrl: broker.wsUrl });
const browser = await launchChromium();
const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
await new Promise((r) => wss.once('listening', r));
const results: { path: string; wallMs: number; mainMs: number; workerMs: number; otherMs: number }[] = [];
try {
  const tp = await openPage(browser, server.url, { width: 1280, height: 900 });
  await waitConnected(tp.page);
  await tp.page.evaluate((sources: Record<string, string>) => {
    const w = window as any;
    w.__workers = Object.fromEntries(Object.entries(sources).map(([k, code]) => [k, new Worker(URL.createObjectURL(new Blob([code], { type: 'text/javascript' })), { type: 'module' })]));
    w.__ask = (k: string, msg: unknown) => new Promise((ok) => {
      const worker = w.__workers[k] as Worker;
      worker.addEventListener('message', (e) => ok(e.data), { once: true });
      worker.postMessage(msg);
    });
  }, workers);
  const wsUrl = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  for (const [k, url, topic] of [['bare', wsUrl, ''], ['reader', broker.wsUrl, 'bench-reader/+/imu'], ['mqttjs', broker.wsUrl, 'bench-mqttjs/+/imu'], ['reader2', perPiece.wsUrl, 'bench-reader/+/imu'], ['mqttjs2', perPiece.wsUrl, 'bench-mqttjs/+/imu']]) {
    await tp.page.evaluate(([k, url, topic]) => (window as any).__ask(k, { url, topic }), [k, url, topic]);
  }
  const count = (k: string) => tp.page.evaluate((k) => (k === 'feed' ? (window as any).s7dashboard.streams.stats.messages : (window as any).__ask(k, 'count')), k) as Promise<number>;
  const paths: [string, string, () => Promise<void>][] = [
    ['bare WebSocket, one message per sample, + JSON.parse (worker)', 'bare', async () => {
      for (let i = 0; i < messages; i++) {
        const msg = Buffer.from(JSON.stringify({ seq: Math.floor(i / devices), t: Date.now(), values: simulatedSample(i % devices, Math.floor(i / devices)) }));
        for (const c of wss.clients) c.send(msg);
      }
    }],
    ['dashboard MQTT reader + JSON.parse (worker)', 'reader', () => broker.burst('bench-reader', devices, messages)],
    ['mqtt.js browser build + JSON.parse (worker)', 'mqttjs', () => broker.burst('bench-mqttjs', devices, messages)],
    ['feed worker: reader + parse + state + frames', 'feed', () => broker.burst('sensors', devices, messages)],
    ['dashboard MQTT reader + JSON.parse, per-piece bridge', 'reader2', () => perPiece.burst('bench-reader', devices, messages)],
    ['mqtt.js + JSON.parse, per-piece bridge', 'mqttjs2', () => perPiece.burst('bench-mqttjs', devices, messages)],
  ];
  for (const [path, k, send] of paths) {
    const n0 = await count(k);
    const cpu0 = rendererCpu();
    const t0 = performance.now();
    await send();
    for (let i = 0; (await count(k)) - n0 < messages; i++) {
      if (i > 1200) throw new Error(`${path}: only ${(await count(k)) - n0} of ${messages} messages arrived in 120 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const wallMs = performance.now() - t0;
    const cpu1 = rendererCpu();
    results.push({ path, wallMs, mainMs: cpu1.main - cpu0.main, workerMs: cpu1.workers - cpu0.workers, otherMs: cpu1.other - cpu0.other });
  }
  if (tp.errors.length) throw new Error(`page errors: ${tp.errors.join('; ')}`);
} finally {
  await browser.close();
  await server.close();
  await broker.close();
  await perPiece.close();
  wss.close();
}
const floor = results[0].workerMs / messages;
console.log(`\nCPU per message in the page's renderer (${messages} messages per path, ${devices} devices; /proc thread times, 10 ms ticks)`);
console.table(results.map((r) => ({
  path: r.path,
  'wall ms': r.wallMs.toFixed(0),
  'worker µs/msg': ((r.workerMs / messages) * 1000).toFixed(1),
  'vs bare': (r.workerMs / messages / floor).toFixed(1),
  'main µs/msg': ((r.mainMs / messages) * 1000).toFixed(1),
  'other renderer µs/msg': ((r.otherMs / messages) * 1000).toFixed(1),
})));
console.log(JSON.stringify({ bench: 'dashboard-message-cost', messages, devices, results }));
