// The dashboard bench's broker and devices in a worker thread: aedes behind a WebSocket listener
// (what the page connects to) and simulated devices published with aedes' in-process publish, in
// one batch per 20 ms tick. The bench's own thread stays free for Chromium's CDP, and no MQTT client
// sits between the devices and the broker, so 100 devices x 50 Hz x 2 messages are really offered.
//
// startBrokerThread() bundles this file with esbuild (worker threads cannot load TypeScript) and
// starts it; the thread's half is at the bottom, run when it is loaded as a worker.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

export interface Load {
  devices: number;
  /** also publish a prediction per sample (predictions from the broker mode) */
  predictions: boolean;
  hz: number;
}

export interface BrokerThread {
  wsUrl: string;
  /** starts publishing (replacing any current load); devices 0 = nothing */
  load(load: Load): Promise<void>;
  /** publishes `count` samples on `<root>/dev-<i % devices>/imu` at once (in slices), resolves when routed */
  burst(root: string, devices: number, count: number): Promise<void>;
  /** messages published so far */
  published(): Promise<number>;
  close(): Promise<void>;
}

type Op = { op: 'load'; load: Load } | { op: 'burst'; root: string; devices: number; count: number } | { op: 'published' } | { op: 'close' };
type Request = Op & { id: number };
type Reply = { id: number; value?: unknown; error?: string } | { ready: string };

/** bridge: how aedes writes to WebSocket clients, 'coalesced' (src/mqtt/websocket-stream.ts, what s7rt
 *  uses) or 'ws' (ws' createWebSocketStream: one WebSocket message per piece aedes writes) */
export async function startBrokerThread(bridge: 'coalesced' | 'ws' = 'coalesced'): Promise<BrokerThread> {
  // inside the repository, so that the bundle's external imports resolve from node_modules/
  const out = join(import.meta.dirname, '../../node_modules/.cache/s7rt-bench', `broker-thread-${process.pid}.mjs`);
  await build({ entryPoints: [import.meta.filename], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile: out, logLevel: 'warning' });
  const worker = new Worker(out, { workerData: { bridge } });
  let next = 0;
  const pending = new Map<number, { ok: (v: unknown) => void; fail: (e: Error) => void }>();
  let dead: Error | undefined;
  const die = (e: Error) => {
    dead ??= e;
    for (const p of pending.values()) p.fail(e);
    pending.clear();
  };
  worker.on('error', die);
  worker.on('exit', (code) => die(new Error(`broker thread exited with code ${code}`)));
  const wsUrl = await new Promise<string>((ok, fail) => {
    worker.once('error', fail);
    worker.once('exit', (code) => fail(new Error(`broker thread exited with code ${code} before it was ready`)));
    worker.on('message', (m: Reply) => {
      if ('ready' in m) {
        rmSync(out, { force: true }); // loaded: the bundle is not needed any more
        return ok(m.ready);
      }
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.error) p?.fail(new Error(m.error));
      else p?.ok(m.value);
    });
  });
  const call = (req: Op) =>
    new Promise<unknown>((ok, fail) => {
      if (dead) return fail(dead);
      const id = next++;
      pending.set(id, { ok, fail });
      worker.postMessage({ ...req, id });
    });
  return {
    wsUrl,
    load: async (load) => void (await call({ op: 'load', load })),
    burst: async (root, devices, count) => void (await call({ op: 'burst', root, devices, count })),
    published: async () => (await call({ op: 'published' })) as number,
    async close() {
      await call({ op: 'close' });
      await worker.terminate();
    },
  };
}

// ---- the thread ----

const labels = ['still', 'walk', 'run', 'stairs', 'cycle', 'jump'];

async function runThread(): Promise<void> {
  const { Aedes } = await import('aedes');
  const { createServer } = await import('node:http');
  const { WebSocketServer, createWebSocketStream } = await import('ws');
  const { mqttWebSocketStream } = await import('../../src/mqtt/websocket-stream.js');
  const { simulatedSample } = await import('../../test/dashboard/samples.js');
  const aedes = await Aedes.createBroker();
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  const bridge = (workerData as { bridge: string }).bridge === 'ws' ? createWebSocketStream : mqttWebSocketStream;
  wss.on('connection', (ws) => aedes.handle(bridge(ws) as never));
  await new Promise<void>((ok) => http.listen(0, '127.0.0.1', ok));
  let published = 0;
  let generation = 0;
  // aedes' emitter releases its queue recursively: thousands of synchronous publishes overflow the
  // stack, so each tick publishes in slices of `slice` messages and waits for them to be routed
  const slice = 64;
  let inSlice: Promise<void>[] = [];
  const publish = async (topic: string, payload: string) => {
    inSlice.push(new Promise<void>((ok) => aedes.publish({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: 0, retain: false, dup: false }, () => ok())));
    published++;
    if (inSlice.length >= slice) {
      const wait = inSlice;
      inSlice = [];
      await Promise.all(wait);
    }
  };
  const start = async ({ devices, predictions, hz }: Load) => {
    const mine = ++generation;
    if (devices === 0) return;
    const period = 1000 / hz;
    const t0 = performance.now();
    for (let seq = 0; mine === generation; ) {
      // catch up after a late tick: the offered rate is devices x hz whatever the timer does
      const due = Math.floor((performance.now() - t0) / period) + 1;
      for (; seq < due && mine === generation; seq++) {
        for (let d = 0; d < devices; d++) {
          const device = `dev-${d}`;
          await publish(`sensors/${device}/imu`, JSON.stringify({ seq, t: Date.now(), values: simulatedSample(d, seq) }));
          if (predictions) {
            const raw = labels.map((_, i) => Math.exp(Math.sin(seq / 25 + i + d)));
            const sum = raw.reduce((a, b) => a + b);
            await publish(`predictions/${device}`, JSON.stringify({ device, seq, values: Object.fromEntries(labels.map((l, i) => [l, raw[i] / sum])) }));
          }
        }
      }
      await new Promise((r) => setTimeout(r, Math.max(0, t0 + seq * period - performance.now())));
    }
  };
  const burst = async (root: string, devices: number, count: number) => {
    for (let i = 0; i < count; i++) {
      const d = i % devices;
      const seq = Math.floor(i / devices);
      await publish(`${root}/dev-${d}/imu`, JSON.stringify({ seq, t: Date.now(), values: simulatedSample(d, seq) }));
    }
    await Promise.all(inSlice);
  };
  const port = parentPort!;
  port.on('message', (req: Request) => {
    if (req.op === 'load') void start(req.load);
    if (req.op === 'burst') {
      void burst(req.root, req.devices, req.count).then(() => port.postMessage({ id: req.id }));
      return;
    }
    if (req.op === 'close') {
      generation++;
      for (const c of wss.clients) c.terminate();
      wss.close();
      http.close();
      aedes.close(() => port.postMessage({ id: req.id }));
      return;
    }
    port.postMessage({ id: req.id, value: req.op === 'published' ? published : undefined });
  });
  port.postMessage({ ready: `ws://127.0.0.1:${(http.address() as { port: number }).port}` });
}

if (!isMainThread && parentPort) await runThread();
