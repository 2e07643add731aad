// The feed worker of <s7-stream-view> (bundled as dist/dashboard/feed-worker.js): owns the MQTT
// connection (rx/mqtt-reader.ts) and the subscriptions, parses every message, keeps each device's window, and posts the page one
// frame of what changed at most every frameInterval ms. In browser-only mode it also starts
// the runtime (whose own worker is nested in this one) and steps every sample without the main thread.
import * as Comlink from 'comlink';
import type { Subscription } from 'rxjs';
import type { Runtime, RuntimeOptions } from '../../api.js';
import type { LoadedModel } from '../../model/load.js';
import { fromMqtt } from '../rx/from-mqtt.js';
import type { MqttReader } from '../rx/mqtt-reader.js';
import { Feed } from './feed.js';
import { type FeedCommand, type FeedControl, type FeedFailure, type LocalPrediction, type RuntimeModule, frameInterval } from './protocol.js';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const feed = new Feed();
let connection: Subscription | undefined;
let connectedUrl: string | undefined;
let reader: Pick<MqttReader, 'setTopics'> | undefined;
let runtime: Runtime | undefined;
let model: LoadedModel | undefined;
let paused = false;
let lastFrame = -Infinity;
let posted = '';

/** Posts a frame when one is due and something changed. */
function tick(now: number): void {
  if (paused || now - lastFrame < frameInterval) return;
  lastFrame = now;
  const { frame, transfer } = feed.frame(now);
  const head = `${frame.status}|${frame.statusDetail}|${frame.messages}|${frame.devices}`;
  if (!frame.updates.length && !frame.rejected.length && !frame.samples?.length && head === posted) return;
  posted = head;
  scope.postMessage(frame, transfer);
}
// when no messages arrive (rates falling, status changes); under load, receive() ticks
setInterval(() => tick(performance.now()), frameInterval);

function receive(topic: string, payload: Uint8Array): void {
  const now = performance.now();
  feed.receive(topic, payload, now);
  tick(now);
}

function needRuntime(): Runtime {
  if (!runtime) throw new Error('feed worker: no runtime (openRuntime first)');
  return runtime;
}

const control: FeedControl = {
  async openRuntime(runtimeUrl: string, modelUrl: string, options: RuntimeOptions) {
    const module = (await import(/* webpackIgnore: true */ runtimeUrl)) as RuntimeModule;
    model = await module.loadModel(modelUrl);
    runtime = await module.createRuntime(model, options);
    const rt = runtime;
    feed.predictWith((device) => rt.stream(device));
    return rt.stats();
  },
  runtimeStats: () => needRuntime().stats(),
  async model() {
    if (!model) throw new Error('feed worker: no model (openRuntime first)');
    return { manifest: model.manifest, golden: model.golden };
  },
  async step(key, values): Promise<LocalPrediction> {
    const p = await needRuntime().stream(key).step({ values });
    return { output: p.output, label: p.label, probability: p.probability, values: p.values };
  },
  async stepRounds(streams, rounds, prefix) {
    const rt = needRuntime();
    const handles = Array.from({ length: streams }, (_, i) => rt.stream(`${prefix}-${streams}-${i}`));
    const values = [0.1, -0.2, 0.98, 3, -2, 1];
    const round = () => Promise.all(handles.map((h) => h.step({ values })));
    await round(); // warm-up (the first run compiles kernels on WebGPU)
    const t0 = performance.now();
    for (let r = 0; r < rounds; r++) await round();
    const seconds = (performance.now() - t0) / 1000;
    return { backend: (await rt.stats()).backend, steps: streams * rounds, seconds };
  },
};

function fail(e: unknown): void {
  const failure: FeedFailure = { type: 'failure', message: e instanceof Error ? e.message : String(e) };
  scope.postMessage(failure);
}

scope.onmessage = (ev: MessageEvent<FeedCommand>) => {
  const cmd = ev.data;
  try {
    switch (cmd.type) {
      case 'init':
        Comlink.expose(control, cmd.control);
        break;
      case 'topics':
        feed.setTopics(cmd.topics);
        break;
      case 'connect': {
        feed.setTopics(cmd.topics);
        const topics = cmd.predictionsToo ? [cmd.topics.samples, cmd.topics.predictions] : [cmd.topics.samples];
        // Same broker (e.g. a switch to browser-only mode): change the subscriptions in place; a
        // reconnect would drop the samples published meanwhile.
        if (connection && connectedUrl === cmd.url && reader) {
          reader.setTopics(topics);
          break;
        }
        connection?.unsubscribe();
        connectedUrl = cmd.url;
        connection = fromMqtt({
          url: cmd.url,
          topics,
          onStatus: (s, detail) => {
            feed.status = s;
            feed.statusDetail = detail ?? '';
          },
          onReader: (r) => (reader = r),
        }).subscribe((m) => receive(m.topic, m.payload));
        break;
      }
      case 'disconnect':
        connection?.unsubscribe();
        connection = undefined;
        connectedUrl = undefined;
        reader = undefined;
        break;
      case 'ingest':
        receive(cmd.topic, cmd.payload);
        break;
      case 'visible':
        feed.setVisible(cmd.device, cmd.visible);
        break;
      case 'forward-samples':
        feed.forwardSamples();
        break;
      case 'predictions':
        feed.receivePredictions(cmd.items, performance.now());
        break;
      case 'paused':
        paused = cmd.paused;
        break;
    }
  } catch (e) {
    fail(e);
  }
};
scope.addEventListener('unhandledrejection', (ev) => fail(ev.reason));
