// The only module that imports onnxruntime-web. Everything else sees GraphSession: named
// float32/int64 feeds in, named float32 outputs back. One ORT thread per session (threads ruin
// p99 on tiny graphs; scale with workers instead), SIMD wasm, WebGPU when asked and present.
import * as ort from 'onnxruntime-web';
import type { Backend } from '../api.js';

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

function wrap(session: ort.InferenceSession): GraphSession {
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
          f.data instanceof BigInt64Array ? new ort.Tensor('int64', f.data, f.dims) : new ort.Tensor('float32', f.data, f.dims);
      }
      const result = await session.run(tensors);
      const out: Record<string, Float32Array> = {};
      for (const [name, t] of Object.entries(result)) {
        out[name] = t.data as Float32Array;
        t.dispose();
      }
      return out;
    },
    release: () => session.release(),
  };
}

/**
 * Creates one session per graph on the requested backend; falls back to wasm (and says why)
 * when WebGPU is missing or fails to create a session.
 */
export async function createSessions(
  graphs: Record<string, Uint8Array>,
  backend: Backend,
): Promise<{ sessions: Record<string, GraphSession> } & BackendChoice> {
  configureOrt();
  const make = async (ep: Backend) => {
    const sessions: Record<string, GraphSession> = {};
    for (const [name, bytes] of Object.entries(graphs)) {
      sessions[name] = wrap(
        await ort.InferenceSession.create(bytes, { executionProviders: [ep], graphOptimizationLevel: 'all' }),
      );
    }
    return sessions;
  };
  if (backend === 'webgpu') {
    const missing = webgpuAvailable();
    if (!missing) {
      try {
        return { sessions: await make('webgpu'), backend: 'webgpu' };
      } catch (e) {
        return { sessions: await make('wasm'), backend: 'wasm', fallbackReason: `webgpu session failed: ${(e as Error).message}` };
      }
    }
    return { sessions: await make('wasm'), backend: 'wasm', fallbackReason: missing };
  }
  return { sessions: await make('wasm'), backend: 'wasm' };
}
