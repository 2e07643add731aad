// Starts one worker (Node worker_threads or a browser module Worker) and gives the runtime its
// two channels: the data plane (raw batch messages, transferred buffers) and the comlink control
// plane over a dedicated MessageChannel. startInline gives the same link to an engine on the
// caller's own thread (Node, `workers: 0`): no thread hop, for latency on small machines.
import * as Comlink from 'comlink';
import type { DataReply, DataRequest, WorkerApi } from '../../worker/protocol.js';
import { isNode } from './env.js';

export interface WorkerLink {
  control: WorkerApi;
  post(req: DataRequest, transfer: Transferable[]): void;
  onReply(handler: (reply: DataReply) => void): void;
  /** called once if the worker dies or fails to start. */
  onFailure(handler: (err: Error) => void): void;
  terminate(): Promise<void>;
}

/** dist/node/<name>.js next to the built index.js; from sources (tests), the built one in dist/. */
function builtUrl(name: 'worker' | 'host'): URL {
  const here = import.meta.url;
  if (isNode() && /\.ts$/.test(here)) return new URL(`../../dist/node/${name}.js`, here);
  return new URL(`./${name}.js`, here);
}

/** The engine on this thread. Node only: in a browser the page's thread must stay free. */
export async function startInline(workerUrl?: string | URL): Promise<WorkerLink> {
  if (!isNode()) throw new Error('workers: 0 (inference on the calling thread) is for Node; browsers use a worker');
  // host.js is built next to worker.js
  const url = workerUrl ? new URL('./host.js', new URL(String(workerUrl), import.meta.url)) : builtUrl('host');
  // A computed specifier: bundlers leave it alone, so browser bundles do not carry the engine.
  const { createHost } = (await import(/* @vite-ignore */ url.href)) as typeof import('../../worker/host.js');
  const host = createHost({ onCallerThread: true });
  const handlers: Array<(reply: DataReply) => void> = [];
  return {
    control: host.api,
    post: (req) => {
      void host.handle(req).then(({ reply }) => {
        for (const h of handlers) h(reply);
      });
    },
    onReply: (h) => void handlers.push(h),
    onFailure: () => undefined, // nothing to die apart from this thread
    terminate: async () => undefined,
  };
}

export async function startWorker(workerUrl?: string | URL): Promise<WorkerLink> {
  const url = workerUrl ? new URL(String(workerUrl), import.meta.url) : builtUrl('worker');
  if (isNode()) {
    const { Worker, MessageChannel } = await import('node:worker_threads');
    const { default: nodeEndpoint } = await import('comlink/dist/esm/node-adapter.mjs');
    const worker = new Worker(url);
    const { port1, port2 } = new MessageChannel();
    worker.postMessage({ control: port2 }, [port2]);
    const control = Comlink.wrap<WorkerApi>(nodeEndpoint(port1 as never));
    let ended = false;
    return {
      control,
      post: (req, transfer) => worker.postMessage(req, transfer as never),
      onReply: (h) => worker.on('message', h),
      onFailure: (h) => {
        worker.once('error', h);
        worker.once('exit', (code) => h(new Error(`worker exited with code ${code}`)));
      },
      async terminate() {
        if (ended) return;
        ended = true;
        control[Comlink.releaseProxy]();
        port1.close();
        await worker.terminate();
      },
    };
  }
  const worker = new Worker(url, { type: 'module' });
  const { port1, port2 } = new MessageChannel();
  worker.postMessage({ control: port2 }, [port2]);
  const control = Comlink.wrap<WorkerApi>(port1);
  let ended = false;
  return {
    control,
    post: (req, transfer) => worker.postMessage(req, transfer),
    onReply: (h) => worker.addEventListener('message', (ev: MessageEvent<DataReply>) => h(ev.data)),
    onFailure: (h) => worker.addEventListener('error', (ev) => h(new Error(ev.message || 'worker error')), { once: true }),
    async terminate() {
      if (ended) return;
      ended = true;
      control[Comlink.releaseProxy]();
      port1.close();
      worker.terminate();
    },
  };
}
