// s7rt: real-time inference for S7 state-space models.
export * from './api.js';
export * from './errors.js';
export { createRuntime } from './runtime/runtime.js';
export { loadModel, type LoadedModel } from './model/load.js';
export { validateManifest, type Manifest, type StateEntry } from './model/manifest.js';
export type { Golden } from './model/golden.js';
export { decodeSnapshot, encodeSnapshot, SNAPSHOT_FORMAT_VERSION } from './snapshot/format.js';
export { EventTokenizer, tokenSpecOf, type EventTokenSpec, type TokenizerStats } from './events/tokenizer.js';
export { TokenClassifier, type ClassifyMode } from './events/token-classifier.js';
