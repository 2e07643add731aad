// Starts one worker (Node worker_threads or a browser module Worker) and gives the runtime its
// two channels: the data plane (raw batch messages, transferred buffers) and the comlink control
// plane over a dedicated MessageChannel.
import * as Comlink from 'comlink';
import type { DataReply, DataRequest, WorkerApi } from '../../worker/protocol.js';
import { isNode } from './env.js';

export interface WorkerLink {
  control: Comlink.Remote<WorkerApi>;
  post(req: DataRequest, transfer: Transferable[]): void;
  onReply(handler: (reply: DataReply) => void): void;
  /** called once if the worker dies or fails to start. */
  onFailure(handler: (err: Error) => void): void;
  terminate(): Promise<void>;
}

/** dist/node/worker.js next to the built index.js; from sources (tests), the built one in dist/. */
function defaultWorkerUrl(): URL {
  const here = import.meta.url;
  if (isNode() && /\.ts$/.test(here)) return new URL('../../dist/node/worker.js', here);
  return new URL('./worker.js', here);
}

export async function startWorker(workerUrl?: string | URL): Promise<WorkerLink> {
  const url = workerUrl ? new URL(String(workerUrl), import.meta.url) : defaultWorkerUrl();
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
