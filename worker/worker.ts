// Worker entry, one source for Node worker_threads and browser Web Workers.
// The first message carries a MessagePort for the comlink control plane; every later message on
// the worker's own port is a DataRequest (a batch), answered by one DataReply.
import * as Comlink from 'comlink';
import { configureOrt } from '../src/backend/ort.js';
import { Engine } from './engine.js';
import type { DataReply, DataRequest, InitOptions, WorkerApi } from './protocol.js';

interface Port {
  post(msg: unknown, transfer: Transferable[]): void;
  onMessage(handler: (data: unknown) => void): void;
}

let engine: Engine | undefined;
// All engine work runs through this chain: batches and control calls never interleave.
let queue: Promise<unknown> = Promise.resolve();
function serial<T>(fn: () => T | Promise<T>): Promise<T> {
  const next = queue.then(fn);
  queue = next.catch(() => undefined);
  return next;
}

function need(): Engine {
  if (!engine) throw new Error('worker not initialised');
  return engine;
}

const api: WorkerApi = {
  init: (opts: InitOptions) =>
    serial(async () => {
      configureOrt({ wasmBase: opts.wasmBase });
      engine = await Engine.create(opts);
      return { backend: engine.backend, fallbackReason: engine.fallbackReason };
    }),
  goldenCheck: (g) => serial(() => need().goldenCheck(g)),
  open: (slot, key) => serial(() => need().open(slot, key)),
  close: (slot) => serial(() => need().close(slot)),
  reset: (slot) => serial(() => need().reset(slot)),
  snapshot: (slots) =>
    serial(() => {
      const part = need().snapshot(slots);
      return Comlink.transfer(part, [part.states.buffer]);
    }),
  restore: (slots, keys, states) => serial(() => need().restore(slots, keys, states)),
  list: () => serial(() => need().list()),
  stats: () => serial(() => need().stats()),
  heapAfterGc: () =>
    serial(() => {
      (globalThis as { gc?: () => void }).gc?.();
      return typeof process !== 'undefined' && process.memoryUsage ? process.memoryUsage().heapUsed : 0;
    }),
  dispose: () => serial(async () => {
    await engine?.dispose();
    engine = undefined;
  }),
};

/** A typed array that owns its whole buffer can be transferred; a view must be copied first. */
function own(a: Float32Array): Float32Array {
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : a.slice();
}

async function handle(req: DataRequest): Promise<{ reply: DataReply; transfer: Transferable[] }> {
  try {
    const e = need();
    const output = own(await e.stepBatch(req.slots, req.input, req.dt));
    const pushes = req.pushes.length > 0 ? await e.pushBatch(req.pushes) : [];
    return { reply: { id: req.id, ok: true, output, pushes }, transfer: [output.buffer, ...pushes.map((p) => p.buffer)] };
  } catch (err) {
    return { reply: { id: req.id, ok: false, error: (err as Error).message ?? String(err) }, transfer: [] };
  }
}

function serve(data: Port, control: MessagePort | Comlink.Endpoint): void {
  Comlink.expose(api, control as Comlink.Endpoint);
  data.onMessage((msg) => {
    void serial(async () => {
      const { reply, transfer } = await handle(msg as DataRequest);
      data.post(reply, transfer);
    });
  });
}

async function main(): Promise<void> {
  const isNodeWorker = typeof self === 'undefined' && typeof process !== 'undefined';
  if (isNodeWorker) {
    const { parentPort } = await import('node:worker_threads');
    const { default: nodeEndpoint } = await import('comlink/dist/esm/node-adapter.mjs');
    const port = parentPort!;
    port.once('message', (first: { control: import('node:worker_threads').MessagePort }) => {
      serve(
        { post: (m, t) => port.postMessage(m, t as never), onMessage: (h) => port.on('message', h) },
        nodeEndpoint(first.control as never),
      );
    });
  } else {
    const scope = self as unknown as DedicatedWorkerGlobalScope;
    scope.addEventListener(
      'message',
      (first: MessageEvent<{ control: MessagePort }>) => {
        serve(
          { post: (m, t) => scope.postMessage(m, t), onMessage: (h) => scope.addEventListener('message', (ev) => h(ev.data)) },
          first.data.control,
        );
      },
      { once: true },
    );
  }
}

void main();
