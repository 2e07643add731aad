// Main-thread cost per received message in the dashboard page, rendering switched off, same page
// and same run: (a) a bare WebSocket that only JSON-parses each message, (b) the stream view's
// mqtt.js (browser build) connection with parsing and state updates. Explains where the page's
// time goes under many devices (docs/benchmarks.md, "Dashboard").
// Run: npm run build && npx vite-node bench/dashboard/message-cost-bench.ts
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { simulatedSample, startHarness, waitConnected } from '../../test/dashboard/harness';

const ticks = Number(process.env.BENCH_TICKS ?? 150);
const devices = 10;
const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
await new Promise((r) => wss.once('listening', r));
const h = await startHarness();
const results: Record<string, unknown>[] = [];
try {
  const tp = await h.open();
  await waitConnected(tp.page);
  const cdp = await tp.context.newCDPSession(tp.page);
  await cdp.send('Performance.enable');
  const taskSeconds = async () => ((await cdp.send('Performance.getMetrics')).metrics as { name: string; value: number }[]).find((m) => m.name === 'TaskDuration')!.value;
  await tp.page.evaluate((port) => {
    const w = window as any;
    w.s7dashboard.streams.frames.unsubscribe(); // rendering off: count message handling only
    w.rawMessages = 0;
    const ws = new WebSocket(`ws://127.0.0.1:${port}`);
    ws.binaryType = 'arraybuffer';
    ws.onmessage = (e) => {
      JSON.parse(new TextDecoder().decode(e.data));
      w.rawMessages++;
    };
  }, (wss.address() as AddressInfo).port);
  await new Promise((r) => setTimeout(r, 500));
  const received = () => tp.page.evaluate(() => [(window as any).rawMessages, (window as any).s7dashboard.streams.stats.messages] as [number, number]);
  for (const path of ['bare WebSocket', 'mqtt.js stream view']) {
    const [raw0, mqtt0] = await received();
    const task0 = await taskSeconds();
    for (let i = 0; i < ticks; i++) {
      for (let d = 0; d < devices; d++) {
        const msg = JSON.stringify({ seq: i, t: Date.now(), values: simulatedSample(d, i) });
        if (path === 'bare WebSocket') for (const c of wss.clients) c.send(Buffer.from(msg));
        else h.broker.publisher.publish(`sensors/dev-${d}/imu`, msg);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    const want = ticks * devices;
    await tp.page.waitForFunction(({ path, want, raw0, mqtt0 }) => {
      const w = window as any;
      return path === 'bare WebSocket' ? w.rawMessages - raw0 >= want : w.s7dashboard.streams.stats.messages - mqtt0 >= want;
    }, { path, want, raw0, mqtt0 }, { timeout: 60_000 });
    const ms = ((await taskSeconds()) - task0) * 1000;
    results.push({ path, messages: want, 'main-thread ms': ms.toFixed(0), 'ms per message': (ms / want).toFixed(3) });
  }
} finally {
  await h.close();
  wss.close();
}
const bare = Number(results[0]['ms per message']);
console.table(results.map((r) => ({ ...r, 'vs bare WebSocket': (Number(r['ms per message']) / bare).toFixed(1) })));
console.log(JSON.stringify({ bench: 'dashboard-message-cost', ticks, devices, results }));
