// Collects decoded events into fixed-capacity typed arrays; decoders write the arrays directly.

import type { EventBatch } from '../types.js';

export const DEFAULT_BATCH_SIZE = 65536;

export class BatchBuilder {
  x: Uint16Array;
  y: Uint16Array;
  t: Float64Array;
  p: Uint8Array;
  n = 0;

  constructor(readonly capacity = DEFAULT_BATCH_SIZE) {
    this.x = new Uint16Array(capacity);
    this.y = new Uint16Array(capacity);
    this.t = new Float64Array(capacity);
    this.p = new Uint8Array(capacity);
  }

  get full(): boolean {
    return this.n >= this.capacity;
  }

  /** Hands the collected events over as a batch and starts new arrays (the batch owns its arrays). */
  take(): EventBatch {
    const n = this.n;
    const batch: EventBatch =
      n === this.capacity
        ? { length: n, x: this.x, y: this.y, t: this.t, p: this.p }
        : { length: n, x: this.x.slice(0, n), y: this.y.slice(0, n), t: this.t.slice(0, n), p: this.p.slice(0, n) };
    if (n === this.capacity) {
      this.x = new Uint16Array(this.capacity);
      this.y = new Uint16Array(this.capacity);
      this.t = new Float64Array(this.capacity);
      this.p = new Uint8Array(this.capacity);
    }
    this.n = 0;
    return batch;
  }
}
