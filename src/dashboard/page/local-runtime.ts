// Browser-only mode: loads the runtime's own browser build (dist/browser/index.js, served at
// config.runtimeUrl) at run time, so the page runs the model in that runtime's Web Worker with the
// same worker code as Node. Nothing here imports onnxruntime.
import type { Backend, RuntimeOptions, RuntimeStats, StreamHandle } from '../../api.js';
import type { PageConfig } from './config.js';

/** The part of the runtime's browser module the page uses. */
interface RuntimeModule {
  loadModel(source: string): Promise<unknown>;
  createRuntime(model: unknown, options?: RuntimeOptions): Promise<RuntimeInstance>;
}

interface RuntimeInstance {
  open(key: string): StreamHandle;
  stats(): RuntimeStats;
  close(): Promise<void>;
}

export interface LocalRuntime {
  backend: Backend;
  open(device: string): StreamHandle;
  stats(): RuntimeStats;
  close(): Promise<void>;
  /** the runtime module itself, for tests and benchmarks (golden vectors, batch runs) */
  module: RuntimeModule;
  model: unknown;
}

export async function openLocalRuntime(config: PageConfig, modelId: string, backend: Backend): Promise<LocalRuntime> {
  const url = config.models[modelId];
  if (!url) throw new Error(`config.json: no model "${modelId}" (have ${Object.keys(config.models).join(', ') || 'none'})`);
  const module = (await import(/* @vite-ignore */ new URL(config.runtimeUrl, location.href).href)) as RuntimeModule;
  const model = await module.loadModel(new URL(url, location.href).href);
  const runtime = await module.createRuntime(model, { backend });
  const streams = new Map<string, StreamHandle>();
  return {
    backend: runtime.stats().backend,
    open(device) {
      let s = streams.get(device);
      if (!s) streams.set(device, (s = runtime.open(device)));
      return s;
    },
    stats: () => runtime.stats(),
    close: () => runtime.close(),
    module,
    model,
  };
}
