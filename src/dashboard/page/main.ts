// The dashboard page: reads config.json from the server, connects the stream view to the broker
// and, in browser-only mode (?mode=browser[&backend=webgpu]), runs the sensor model in the stream
// view's feed worker (the runtime's own build, loaded at run time from config.runtimeUrl).
import { decodePacket } from '../../../devices/events/live/packet.js';
import { openEvents } from '../../../devices/events/open-events.js';
import { type S7EventView, type S7StreamView, type WorkerRuntime, defineElements } from '../index.js';
import type { RuntimeModule } from '../feed/protocol.js';
import type { PageConfig } from './config.js';

defineElements();

export interface PageHandle {
  config: PageConfig;
  mode: 'mqtt' | 'browser';
  streams: S7StreamView;
  events: S7EventView;
  runtime?: WorkerRuntime;
  ready: Promise<void>;
}

const params = new URLSearchParams(location.search);
const mode = params.get('mode') === 'browser' ? 'browser' : 'mqtt';
const streams = document.getElementById('streams') as S7StreamView;
const events = document.getElementById('events') as S7EventView;
// a dropped or picked recording is read in the page by the devices/ readers (any supported format)
events.openRecording = (file, name) => openEvents(file, { name });
// live cameras publish s7ev packets (docs/event-formats.md) on the events topic
events.decodePacket = decodePacket;
const errorEl = document.getElementById('page-error') as HTMLElement;
const form = document.getElementById('mode') as HTMLFormElement;
(form.elements.namedItem('mode') as RadioNodeList).value = mode;
form.addEventListener('change', () => {
  const next = new URL(location.href);
  next.searchParams.set('mode', (form.elements.namedItem('mode') as RadioNodeList).value);
  location.assign(next);
});

const handle: Partial<PageHandle> = { mode, streams, events };
(window as unknown as { s7dashboard: Partial<PageHandle> }).s7dashboard = handle;

async function start(): Promise<void> {
  const config = (await (await fetch('config.json')).json()) as PageConfig;
  handle.config = config;
  if (config.samplesTopic) streams.setAttribute('samples-topic', config.samplesTopic);
  if (config.predictionsTopic) {
    streams.setAttribute('predictions-topic', config.predictionsTopic);
    events.setAttribute('predictions-topic', config.predictionsTopic);
  }
  if (config.eventsTopic) events.setAttribute('events-topic', config.eventsTopic);
  const url = (u: string) => new URL(u, location.href).href;
  const gesture = config.gestureModel === undefined ? undefined : config.models[config.gestureModel];
  if (gesture) {
    // played recordings run through the gesture model in the runtime's own worker (wasm); the
    // runtime build is fetched on the first recording, not with the page
    events.loadGestureModel = async () => {
      const runtimeModule = (await import(/* webpackIgnore: true */ url(config.runtimeUrl))) as RuntimeModule;
      const model = await runtimeModule.loadModel(url(gesture));
      return { manifest: model.manifest, runtime: await runtimeModule.createRuntime(model, { backend: 'wasm' }) };
    };
  }
  if (mode === 'browser') {
    const backend = params.get('backend') === 'webgpu' ? 'webgpu' : 'wasm';
    // ?golden=skip: start without the load-time golden check (slow on software WebGPU adapters)
    const model = config.models[config.sensorModel];
    if (!model) throw new Error(`config.json: no model "${config.sensorModel}" (have ${Object.keys(config.models).join(', ') || 'none'})`);
    handle.runtime = await streams.useWorkerRuntime(url(config.runtimeUrl), url(model), { backend, skipGoldenCheck: params.get('golden') === 'skip' });
  }
  const broker = params.get('broker') ?? config.brokerWsUrl;
  streams.connect(broker);
  events.connect(broker);
}

handle.ready = start().catch((e: unknown) => {
  errorEl.textContent = `Dashboard failed to start: ${e instanceof Error ? e.message : String(e)}`;
  throw e;
});
