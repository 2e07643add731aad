// Messages between <s7-stream-view> (main thread) and its feed worker (feed/worker.ts).
// The worker owns the MQTT connection, parsing and every device's state, and posts what changed at
// most every `frameInterval` ms; the main thread renders the latest of it once per animation frame.
import type { Backend, Runtime, RuntimeOptions, RuntimeStats } from '../../api.js';
import type { LoadedModel } from '../../model/load.js';
import type { DeviceSnapshot } from '../device-state.js';
import type { RejectReason } from '../errors.js';
import type { PredictionMessage, SensorSampleMessage, TopicPatterns } from '../messages.js';
import type { ConnectionStatus } from '../rx/from-mqtt.js';
import type { ChartData } from '../series-window.js';

/** main thread -> feed worker, on the worker's own port */
export type FeedCommand =
  | { type: 'init'; control: MessagePort }
  | { type: 'topics'; topics: TopicPatterns }
  | { type: 'connect'; url: string; topics: TopicPatterns; predictionsToo: boolean }
  | { type: 'disconnect' }
  | { type: 'ingest'; topic: string; payload: Uint8Array }
  | { type: 'visible'; device: string; visible: boolean }
  /** a hidden page renders nothing: no frames until it shows again (state is still kept) */
  | { type: 'paused'; paused: boolean }
  /** useLocalRuntime (runtime on the main thread): put every sample into the frames */
  | { type: 'forward-samples' }
  /** useLocalRuntime: predictions the main thread's runtime computed */
  | { type: 'predictions'; items: PredictionMessage[] };

export interface DeviceUpdate {
  device: string;
  snapshot: DeviceSnapshot;
  /** chart columns: time then one per channel / label; only for devices on screen whose data changed */
  signal?: ChartData;
  probabilities?: ChartData;
  channels: number;
  labels: string[];
}

export interface RejectedInfo {
  reason: RejectReason;
  where: string;
  detail: string;
}

/** ms between frames: 30 Hz. The worker posts on its own clock (checked on every message too), not
 *  on a request from the page, which would wait behind every queued WebSocket message when the
 *  worker falls behind. */
export const frameInterval = 1000 / 30;

/** feed worker -> main thread: everything that changed since the last frame */
export interface FeedFrame {
  type: 'frame';
  status: ConnectionStatus | 'idle';
  statusDetail: string;
  /** MQTT messages (and ingested ones) received so far */
  messages: number;
  devices: number;
  updates: DeviceUpdate[];
  rejected: RejectedInfo[];
  /** useLocalRuntime only: the samples received since the last frame */
  samples?: SensorSampleMessage[];
}

/** feed worker -> main thread when the worker fails (a page error otherwise invisible to the page) */
export interface FeedFailure {
  type: 'failure';
  message: string;
}

export interface LocalPrediction {
  output: Float32Array;
  label?: string;
  probability?: number;
  values: Record<string, number>;
}

/**
 * The feed worker's control API (comlink on the init port): browser-only mode with the runtime
 * started inside the feed worker, so that samples go from MQTT to the model without the main thread.
 */
export interface FeedControl {
  /** imports the runtime's browser build, loads the model package, starts predicting every sample */
  openRuntime(runtimeUrl: string, modelUrl: string, options: RuntimeOptions): Promise<RuntimeStats>;
  runtimeStats(): Promise<RuntimeStats>;
  /** the loaded package's manifest and golden vectors (tests compare against them) */
  model(): Promise<{ manifest: unknown; golden: unknown }>;
  step(key: string, values: number[]): Promise<LocalPrediction>;
  /** `streams` streams step `rounds` times, all streams concurrently, timed inside the worker */
  stepRounds(streams: number, rounds: number, prefix: string): Promise<{ backend: Backend; steps: number; seconds: number }>;
}

/** The part of the runtime's browser module (src/index.ts, dist/browser/index.js) the feed worker
 *  imports at run time: the dashboard bundles contain no onnxruntime. */
export interface RuntimeModule {
  loadModel(source: string): Promise<LoadedModel>;
  createRuntime(model: LoadedModel, options?: RuntimeOptions): Promise<Runtime>;
}
