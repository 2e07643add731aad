// Worker entry, one source for Node worker_threads and browser Web Workers.
// The first message carries a MessagePort for the comlink control plane; every later message on
// the worker's own port is a DataRequest (a batch), answered by one DataReply (worker/host.ts).
import * as Comlink from 'comlink';
import { createHost } from './host.js';
import type { DataRequest } from './protocol.js';

interface Port {
  post(msg: unknown, transfer: Transferable[]): void;
  onMessage(handler: (data: unknown) => void): void;
}

function serve(data: Port, control: MessagePort | Comlink.Endpoint): void {
  const host = createHost();
  Comlink.expose(host.api, control as Comlink.Endpoint);
  data.onMessage((msg) => {
    void host.handle(msg as DataRequest).then(({ reply, transfer }) => data.post(reply, transfer));
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
