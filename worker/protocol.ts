// Messages between the runtime (main thread) and a worker. Types only: the main thread imports
// nothing else from worker/.
//
// Control plane (comlink over a dedicated MessagePort): WorkerApi.
// Data plane (the worker's own port, raw messages, buffers transferred): DataRequest/DataReply.
import type { Backend, BackendRequest } from '../src/api.js';
import type { Golden } from '../src/model/golden.js';
import type { Manifest } from '../src/model/manifest.js';
import type { GoldenLocation } from '../src/errors.js';

/** One batch: B distinct streams stepped once, plus whole-chunk pushes for other streams. */
export interface DataRequest {
  id: number;
  /** stream slots, each at most once in `slots` and `pushes` together. */
  slots: Int32Array;
  /** [B, width] rows (dense values, or token ids as numbers). */
  input: Float32Array;
  /** [B] time deltas, time-aware models only. */
  dt?: Float32Array;
  pushes: PushRequest[];
}

export interface PushRequest {
  slot: number;
  n: number;
  /** [n, width] */
  input: Float32Array;
  /** [n] */
  dt?: Float32Array;
}

export type DataReply =
  | { id: number; ok: true; output: Float32Array; pushes: Float32Array[] }
  | { id: number; ok: false; error: string };

export interface InitOptions {
  manifest: Manifest;
  graphs: { step: Uint8Array; chunk: Uint8Array };
  backend: BackendRequest;
  maxBatch: number;
  /** folder URL holding onnxruntime-web's wasm (browsers). */
  wasmBase?: string;
}

export interface InitResult {
  backend: Backend;
  fallbackReason?: string;
}

export interface GoldenReport {
  mode: 'step' | 'chunk';
  ok: boolean;
  maxAbsError: number;
  where?: GoldenLocation;
}

export interface WorkerStats {
  streams: number;
  steps: number;
  batches: number;
  chunkRuns: number;
  maxBatchSeen: number;
  /** this worker's JS heap (Node: process.memoryUsage().heapUsed; browsers: 0 when unknown). */
  heapUsed: number;
  /** true when the engine runs on the runtime's own thread (`workers: 0`), not in a worker. */
  onCallerThread: boolean;
}

export interface SnapshotPart {
  keys: string[];
  /** per stream, every state entry in manifest order, concatenated. */
  states: Float32Array;
}

export interface WorkerApi {
  init(opts: InitOptions): Promise<InitResult>;
  goldenCheck(golden: Golden): Promise<GoldenReport[]>;
  open(slot: number, key: string): Promise<void>;
  close(slot: number): Promise<void>;
  reset(slot: number): Promise<void>;
  snapshot(slots: number[]): Promise<SnapshotPart>;
  restore(slots: number[], keys: string[], states: Float32Array): Promise<void>;
  list(): Promise<string[]>;
  stats(): Promise<WorkerStats>;
  /** this worker's JS heap in bytes after a full GC when the process allows it (--expose-gc). */
  heapAfterGc(): Promise<number>;
  /** frees the sessions; the worker is ended by the caller (wasm memory never shrinks). */
  dispose(): Promise<void>;
}
