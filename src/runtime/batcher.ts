// Gathers the step requests addressed to one worker and posts them as batches: one message per
// batch with transferred buffers, at most `maxInFlight` batches on the way so that requests
// arriving meanwhile pile up into the next batch. A stream appears at most once per batch, so
// its later steps wait for the next one and each stream's order is kept.
import { InferenceError } from '../errors.js';
import type { DataReply, DataRequest, PushRequest } from '../../worker/protocol.js';
import type { WorkerLink } from './worker-link.js';

interface Pending<T> {
  slot: number;
  /** step: one [width] row; push: [n, width] rows. */
  input: Float32Array;
  dt?: Float32Array;
  /** push only: the number of samples. */
  n?: number;
  resolve(value: T): void;
  reject(err: Error): void;
}

type StepPending = Pending<Float32Array>;

export interface BatcherOptions {
  width: number;
  outputSize: number;
  timeAware: boolean;
  maxBatch: number;
  maxInFlight: number;
}

interface InFlight {
  steps: StepPending[];
  pushes: StepPending[];
}

export class Batcher {
  private queue: StepPending[] = [];
  private readonly inFlight = new Map<number, InFlight>();
  private nextId = 1;
  private scheduled = false;
  private failed: Error | undefined;
  batches = 0;
  steps = 0;

  constructor(
    private readonly link: WorkerLink,
    private readonly opts: BatcherOptions,
  ) {
    link.onReply((r) => this.onReply(r));
  }

  step(slot: number, input: Float32Array, dt: number): Promise<Float32Array> {
    return this.enqueue(slot, input, this.opts.timeAware ? Float32Array.of(dt) : undefined);
  }

  push(slot: number, input: Float32Array, n: number, dt?: Float32Array): Promise<Float32Array> {
    return this.enqueue(slot, input, dt, n);
  }

  private enqueue(slot: number, input: Float32Array, dt: Float32Array | undefined, n?: number): Promise<Float32Array> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.queue.push({ slot, input, dt, n, resolve, reject });
      if (!this.scheduled && this.inFlight.size < this.opts.maxInFlight) {
        this.scheduled = true;
        // Everything enqueued in the same tick joins this batch.
        queueMicrotask(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    while (this.queue.length > 0 && this.inFlight.size < this.opts.maxInFlight) this.send();
  }

  private send(): void {
    const { width, maxBatch, timeAware } = this.opts;
    const steps: StepPending[] = [];
    const pushes: StepPending[] = [];
    const taken = new Set<number>();
    const rest: StepPending[] = [];
    // Scan a bounded window so a stream with a long backlog cannot make each batch O(queue).
    const scanLimit = maxBatch * 4;
    let i = 0;
    for (; i < this.queue.length && steps.length + pushes.length < maxBatch && i < scanLimit; i++) {
      const p = this.queue[i]!;
      if (taken.has(p.slot)) rest.push(p);
      else {
        taken.add(p.slot);
        (p.n === undefined ? steps : pushes).push(p);
      }
    }
    this.queue = i === this.queue.length ? rest : rest.concat(this.queue.slice(i));

    const B = steps.length;
    const slots = new Int32Array(B);
    const input = new Float32Array(B * width);
    const dt = timeAware ? new Float32Array(B) : undefined;
    for (let b = 0; b < B; b++) {
      const p = steps[b]!;
      slots[b] = p.slot;
      input.set(p.input, b * width);
      if (dt) dt[b] = p.dt![0]!;
    }
    const pushReqs: PushRequest[] = pushes.map((p) => ({ slot: p.slot, n: p.n!, input: p.input, dt: p.dt }));
    const req: DataRequest = { id: this.nextId++, slots, input, dt, pushes: pushReqs };
    const transfer: Transferable[] = [slots.buffer, input.buffer];
    if (dt) transfer.push(dt.buffer);
    for (const p of pushReqs) {
      transfer.push(p.input.buffer);
      if (p.dt) transfer.push(p.dt.buffer);
    }
    this.inFlight.set(req.id, { steps, pushes });
    this.batches += 1;
    this.steps += B;
    this.link.post(req, transfer);
  }

  private onReply(r: DataReply): void {
    const f = this.inFlight.get(r.id);
    if (!f) return;
    this.inFlight.delete(r.id);
    if (r.ok) {
      const O = this.opts.outputSize;
      f.steps.forEach((p, b) => p.resolve(r.output.slice(b * O, (b + 1) * O)));
      f.pushes.forEach((p, k) => p.resolve(r.pushes[k]!));
    } else {
      const err = new InferenceError(r.error);
      for (const p of [...f.steps, ...f.pushes]) p.reject(err);
    }
    if (this.queue.length > 0 && !this.scheduled) this.flush();
  }

  /** Rejects everything queued or in flight (worker died, runtime closed) and refuses more. */
  fail(err: Error): void {
    this.failed = err;
    for (const f of this.inFlight.values()) for (const p of [...f.steps, ...f.pushes]) p.reject(err);
    for (const p of this.queue) p.reject(err);
    this.inFlight.clear();
    this.queue = [];
  }
}
