// The engine behind the WorkerApi and the data plane, for one thread: a worker's (worker.ts) or,
// with `workers: 0`, the caller's own (src/runtime/inline-link.ts). All engine work runs through
// one chain, so batches and control calls never interleave.
import * as Comlink from 'comlink';
import { configureOrt } from '../src/backend/ort.js';
import { Engine } from './engine.js';
import type { DataReply, DataRequest, InitOptions, WorkerApi } from './protocol.js';

export interface Host {
  api: WorkerApi;
  /** runs one batch after everything queued before it; resolves with its reply. */
  handle(req: DataRequest): Promise<{ reply: DataReply; transfer: Transferable[] }>;
}

/** A typed array that owns its whole buffer can be transferred; a view must be copied first. */
function own(a: Float32Array): Float32Array {
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : a.slice();
}

/** onCallerThread: the engine shares the runtime's thread (nothing to transfer between threads). */
export function createHost(opts: { onCallerThread: boolean } = { onCallerThread: false }): Host {
  let engine: Engine | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => T | Promise<T>): Promise<T> => {
    const next = queue.then(fn);
    queue = next.catch(() => undefined);
    return next;
  };
  const need = (): Engine => {
    if (!engine) throw new Error('worker not initialised');
    return engine;
  };
  const api: WorkerApi = {
    init: (init: InitOptions) =>
      serial(async () => {
        configureOrt({ wasmBase: init.wasmBase });
        engine = await Engine.create(init);
        return { backend: engine.backend, fallbackReason: engine.fallbackReason };
      }),
    goldenCheck: (g) => serial(() => need().goldenCheck(g)),
    open: (slot, key) => serial(() => need().open(slot, key)),
    close: (slot) => serial(() => need().close(slot)),
    reset: (slot) => serial(() => need().reset(slot)),
    snapshot: (slots) =>
      serial(() => {
        const part = need().snapshot(slots);
        return opts.onCallerThread ? part : Comlink.transfer(part, [part.states.buffer]);
      }),
    restore: (slots, keys, states) => serial(() => need().restore(slots, keys, states)),
    list: () => serial(() => need().list()),
    stats: () => serial(() => ({ ...need().stats(), onCallerThread: opts.onCallerThread })),
    heapAfterGc: () =>
      serial(() => {
        (globalThis as { gc?: () => void }).gc?.();
        return typeof process !== 'undefined' && process.memoryUsage ? process.memoryUsage().heapUsed : 0;
      }),
    dispose: () =>
      serial(async () => {
        await engine?.dispose();
        engine = undefined;
      }),
  };
  const handle = (req: DataRequest) =>
    serial(async (): Promise<{ reply: DataReply; transfer: Transferable[] }> => {
      try {
        const e = need();
        const output = own(await e.stepBatch(req.slots, req.input, req.dt));
        const pushes = req.pushes.length > 0 ? await e.pushBatch(req.pushes) : [];
        return { reply: { id: req.id, ok: true, output, pushes }, transfer: [output.buffer, ...pushes.map((p) => p.buffer)] };
      } catch (err) {
        return { reply: { id: req.id, ok: false, error: (err as Error).message ?? String(err) }, transfer: [] };
      }
    });
  return { api, handle };
}
