// The main thread's end of the feed worker: starts it, sends commands, and pulls at most one frame
// per animation frame (the next pull waits for the previous frame, so a slow page never queues
// frames and a hidden page, which gets no animation frames, receives nothing).
import * as Comlink from 'comlink';
import type { FeedCommand, FeedControl, FeedFailure, FeedFrame } from './protocol.js';

export class FeedClient {
  readonly control: Comlink.Remote<FeedControl>;
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private waiting = false;
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
      this.waiting = false;
      onFrame(ev.data);
    };
    this.worker.onerror = (ev) => onFailure(`feed worker: ${ev.message || 'failed to start'} (${String(url)})`);
  }

  send(cmd: FeedCommand, transfer: Transferable[] = []): void {
    this.worker.postMessage(cmd, transfer);
  }

  /** asks for a frame unless one is already on the way */
  pull(): void {
    if (this.waiting) return;
    this.waiting = true;
    this.send({ type: 'pull' });
  }

  terminate(): void {
    this.control[Comlink.releaseProxy]();
    this.port.close();
    this.worker.terminate();
  }
}
