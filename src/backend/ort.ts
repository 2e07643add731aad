// The only module that imports ONNX Runtime. Everything else sees GraphSession: named
// float32/int64 feeds in, named float32 outputs back. Three backends:
// - native: onnxruntime-node (Node only), the same engine compiled natively; per run it costs
//   about half of wasm at batch 1 and a third at batch 64 on the zoo model (docs/benchmarks.md);
// - wasm: onnxruntime-web's SIMD wasm, everywhere;
// - webgpu: onnxruntime-web's JSEP build, where the browser has navigator.gpu.
// 'auto' is native where it loads, else wasm. One ORT thread per session (threads ruin p99 on
// tiny graphs; scale with workers instead).
import * as ort from 'onnxruntime-web';
import type { Backend, BackendRequest } from '../api.js';
import { isNode } from '../runtime/env.js';

/** The part of the onnxruntime-common API both packages share (each has its own copy). */
type OrtLib = Pick<typeof ort, 'InferenceSession' | 'Tensor'>;

export interface Feed {
  data: Float32Array | BigInt64Array;
  dims: readonly number[];
}

export interface GraphSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** input name -> shape from the graph (symbolic dims as strings). */
  readonly inputShapes: Record<string, ReadonlyArray<number | string>>;
  run(feeds: Record<string, Feed>): Promise<Record<string, Float32Array>>;
  release(): Promise<void>;
}

export interface BackendChoice {
  /** the backend actually in use. */
  backend: Backend;
  /** why the requested backend was not used, when it was not. */
  fallbackReason?: string;
}

let configured = false;

/** Sets ORT's process-wide wasm options once. `wasmBase`: folder URL of the .wasm files (browsers). */
export function configureOrt(opts: { wasmBase?: string } = {}): void {
  if (configured) return;
  configured = true;
  // warnings go through console.error in browsers; pages treat console errors as failures
  ort.env.logLevel = 'error';
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.simd = true;
  ort.env.wasm.proxy = false;
  if (opts.wasmBase) ort.env.wasm.wasmPaths = opts.wasmBase;
}

function webgpuAvailable(): string | undefined {
  const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
  return nav?.gpu ? undefined : 'navigator.gpu is not available on this platform';
}

function wrap(lib: OrtLib, session: ort.InferenceSession): GraphSession {
  const inputShapes: Record<string, ReadonlyArray<number | string>> = {};
  for (const meta of session.inputMetadata) if (meta.isTensor) inputShapes[meta.name] = meta.shape;
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    inputShapes,
    async run(feeds) {
      const tensors: Record<string, ort.Tensor> = {};
      for (const [name, f] of Object.entries(feeds)) {
        tensors[name] =
          f.data instanceof BigInt64Array ? new lib.Tensor('int64', f.data, f.dims) : new lib.Tensor('float32', f.data, f.dims);
      }
      const result = await session.run(tensors);
      const out: Record<string, Float32Array> = {};
      for (const [name, t] of Object.entries(result)) {
        out[name] = t.data as Float32Array;
        t.dispose?.();
      }
      return out;
    },
    release: () => session.release(),
  };
}

let nativeLib: Promise<OrtLib> | undefined;

/** onnxruntime-node, loaded on first use; rejects outside Node or where its binary is missing. */
function loadNative(): Promise<OrtLib> {
  if (!isNode()) return Promise.reject(new Error('the native backend needs Node (onnxruntime-node)'));
  // An optional dependency (npm drops it where its install fails): named through a variable so
  // that building and type-checking do not need it installed.
  const pkg = 'onnxruntime-node';
  nativeLib ??= import(pkg).then((m: { default?: OrtLib } & OrtLib) => m.default ?? m);
  return nativeLib;
}

/**
 * Creates one session per graph on the requested backend; falls back to wasm (and says why)
 * when the native runtime or WebGPU is missing or fails to create a session.
 */
export async function createSessions(
  graphs: Record<string, Uint8Array>,
  requested: BackendRequest,
): Promise<{ sessions: Record<string, GraphSession> } & BackendChoice> {
  configureOrt();
  const make = async (lib: OrtLib, options: ort.InferenceSession.SessionOptions) => {
    const sessions: Record<string, GraphSession> = {};
    for (const [name, bytes] of Object.entries(graphs)) {
      sessions[name] = wrap(lib, await lib.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', ...options }));
    }
    return sessions;
  };
  const wasm = () => make(ort, { executionProviders: ['wasm'] });
  const fallback = async (reason: string) => ({ sessions: await wasm(), backend: 'wasm' as const, fallbackReason: reason });
  if (requested === 'auto' && !isNode()) return { sessions: await wasm(), backend: 'wasm' };
  if (requested === 'native' || requested === 'auto') {
    let lib: OrtLib;
    try {
      lib = await loadNative();
    } catch (e) {
      return fallback(`native backend unavailable: ${(e as Error).message}`);
    }
    try {
      const options = { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' as const };
      return { sessions: await make(lib, options), backend: 'native' };
    } catch (e) {
      return fallback(`native session failed: ${(e as Error).message}`);
    }
  }
  if (requested === 'webgpu') {
    const missing = webgpuAvailable();
    if (missing) return fallback(missing);
    try {
      return { sessions: await make(ort, { executionProviders: ['webgpu'] }), backend: 'webgpu' };
    } catch (e) {
      return fallback(`webgpu session failed: ${(e as Error).message}`);
    }
  }
  return { sessions: await wasm(), backend: 'wasm' };
}
