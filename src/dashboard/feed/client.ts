// The main thread's end of the feed worker: starts it, sends commands, receives its frames.
import * as Comlink from 'comlink';
import type { FeedCommand, FeedControl, FeedFailure, FeedFrame } from './protocol.js';

export class FeedClient {
  readonly control: Comlink.Remote<FeedControl>;
  private readonly worker: Worker;
  private readonly port: MessagePort;
  /** messages the worker posted to this thread (frames and failures) */
  received = 0;

  constructor(url: string | URL, onFrame: (frame: FeedFrame) => void, onFailure: (message: string) => void) {
    this.worker = new Worker(url, { type: 'module', name: 's7-feed' });
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker.postMessage({ type: 'init', control: port2 } satisfies FeedCommand, [port2]);
    this.control = Comlink.wrap<FeedControl>(port1);
    this.worker.onmessage = (ev: MessageEvent<FeedFrame | FeedFailure>) => {
      this.received++;
      if (ev.data.type === 'failure') return onFailure(ev.data.message);
      onFrame(ev.data);
    };
    this.worker.onerror = (ev) => onFailure(`feed worker: ${ev.message || 'failed to start'} (${String(url)})`);
  }

  send(cmd: FeedCommand, transfer: Transferable[] = []): void {
    this.worker.postMessage(cmd, transfer);
  }

  terminate(): void {
    this.control[Comlink.releaseProxy]();
    this.port.close();
    this.worker.terminate();
  }
}
