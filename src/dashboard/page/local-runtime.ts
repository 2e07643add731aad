// Browser-only mode: loads the runtime's own browser build (dist/browser/index.js, served at
// config.runtimeUrl) at run time, so the page runs the model in that runtime's Web Worker with the
// same worker code as Node. Only types are imported from src/: nothing here bundles onnxruntime.
import type { Runtime, RuntimeOptions, RuntimeStats } from '../../api.js';
import type { LoadedModel } from '../../model/load.js';
import type { PageConfig } from './config.js';

/** The part of the runtime's browser module (src/index.ts) the page uses. */
export interface RuntimeModule {
  loadModel(source: string): Promise<LoadedModel>;
  createRuntime(model: LoadedModel, options?: RuntimeOptions): Promise<Runtime>;
}

export interface LocalRuntime {
  module: RuntimeModule;
  model: LoadedModel;
  runtime: Runtime;
  /** the backend in use after any fallback, and why it fell back */
  stats: RuntimeStats;
}

export async function importRuntime(config: PageConfig): Promise<RuntimeModule> {
  return (await import(/* webpackIgnore: true */ new URL(config.runtimeUrl, location.href).href)) as RuntimeModule;
}

export async function openLocalRuntime(config: PageConfig, modelId: string, options: RuntimeOptions): Promise<LocalRuntime> {
  const url = config.models[modelId];
  if (!url) throw new Error(`config.json: no model "${modelId}" (have ${Object.keys(config.models).join(', ') || 'none'})`);
  const module = await importRuntime(config);
  const model = await module.loadModel(new URL(url, location.href).href);
  const runtime = await module.createRuntime(model, options);
  return { module, model, runtime, stats: await runtime.stats() };
}
