// `s7rt classify <recording>`: streams an event-camera recording (any format openEvents reads) or a
// live simulated camera through a token model (models/zoo/dvs-gesture-sim), slice by slice, and
// prints the current label and probabilities as the events go by, then the whole-recording result
// and the real-time factor.
//
// Determinism: TokenClassifier (src/events/token-classifier.ts) runs chunk mode in whole chunks
// aligned on the token count, so the result is bit-identical for any slicing.

import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import mqtt, { type MqttClient } from 'mqtt';
import type { Prediction, StreamHandle } from '../api.js';
import { S7rtError } from '../errors.js';
import { encodePrediction } from '../mqtt/payload.js';
import { createRuntime, loadModel, type Manifest } from '../index.js';
import type { EventBatch } from '../../devices/events/types.js';
import { EventTokenizer, tokenSpecOf, type TokenizerStats } from '../events/tokenizer.js';
import { TokenClassifier, type ClassifyMode } from '../events/token-classifier.js';
import { sliceBatch } from '../../devices/events/batch.js';
import { openEvents } from '../../devices/events/open-events.js';
import { sliceEventsIterable, toBoundedAsyncIterable, type BoundedQueue } from '../../devices/events/slice/index.js';
import { fromMqttEvents } from '../../devices/events/live/mqtt-events.js';
import { newLiveStats } from '../../devices/events/live/live-stats.js';
import { liveEvents } from '../../devices/events/sim/live.js';
import { packageRoot } from './paths.js';

export const defaultGestureModelPath = `${packageRoot}models/zoo/dvs-gesture-sim`;

export class ClassifyError extends S7rtError {
  readonly code = 'classify_invalid';
  constructor(
    readonly where: string,
    message: string,
  ) {
    super(`${where}: ${message}`);
  }
}

// ---- streaming classification ---------------------------------------------------------------------

export interface ClassifyResult {
  label: string | undefined;
  probability: number | undefined;
  probabilities: Record<string, number>;
  /** the raw output vector */
  output: number[];
  events: number;
  tokens: number;
  outsideSensor: number;
  slices: number;
  /** first to last event (µs) */
  durationUs: number;
  wallMs: number;
  /** recording time / processing time: > 1 is faster than real time */
  realTimeFactor: number;
  /** events read per second of processing, skipped ones included */
  eventsPerSecond: number;
}

export interface WindowResult {
  /** window [startUs, endUs) of recording time */
  startUs: number;
  endUs: number;
  label: string | undefined;
  probability: number | undefined;
  tokens: number;
}

export interface ClassifyOptions {
  mode?: ClassifyMode;
  /**
   * Classify consecutive windows of this many µs (from the first event) separately: the stream is
   * reset at each window boundary, so the label says what happens now rather than since the start.
   * Boundaries depend on event times only, so results still do not depend on slicing.
   */
  windowUs?: number;
  /** called after each slice with the newest prediction and the event time reached */
  onSlice?: (p: Prediction | undefined, tUs: number, stats: TokenizerStats) => void;
  /** called when a window closes (windowUs only) */
  onWindow?: (w: WindowResult) => void;
}

/** Streams sliced batches through `stream`; returns the whole-stream (or, with windows, last window's) result. */
export async function classifySlices(
  batches: AsyncIterable<EventBatch> | Iterable<EventBatch>,
  stream: StreamHandle,
  manifest: Manifest,
  opts: ClassifyOptions = {},
): Promise<ClassifyResult> {
  const spec = tokenSpecOf(manifest);
  const mode = opts.mode ?? 'chunk';
  const L = manifest.graphs.chunk.length;
  const windowUs = opts.windowUs ?? Infinity;
  let tokenizer = new EventTokenizer(spec);
  let classifier = new TokenClassifier(stream, mode, L);
  const totals = { events: 0, tokens: 0, outsideSensor: 0 };
  let first = Number.NaN;
  let last = Number.NaN;
  let windowStart = Number.NaN;
  let slices = 0;
  const closeWindow = async () => {
    const p = await classifier.finish();
    totals.events += tokenizer.stats.events;
    totals.tokens += tokenizer.stats.tokens;
    totals.outsideSensor += tokenizer.stats.outsideSensor;
    return p;
  };
  const start = performance.now();
  for await (const batch of batches) {
    slices++;
    if (batch.length === 0) continue;
    if (Number.isNaN(first)) first = windowStart = batch.t[0];
    last = batch.t[batch.length - 1];
    let from = 0;
    while (from < batch.length) {
      // events of this batch up to the current window's end
      let to = from;
      const end = windowStart + windowUs;
      while (to < batch.length && batch.t[to] < end) to++;
      if (to > from) await classifier.feed(tokenizer.push(sliceBatch(batch, from, to)));
      if (to < batch.length) {
        const p = await closeWindow();
        opts.onWindow?.({ startUs: windowStart, endUs: end, label: p?.label, probability: p?.probability, tokens: tokenizer.stats.tokens });
        await stream.reset();
        tokenizer = new EventTokenizer(spec);
        classifier = new TokenClassifier(stream, mode, L);
        windowStart += Math.floor((batch.t[to] - windowStart) / windowUs) * windowUs;
      }
      from = to;
    }
    opts.onSlice?.(classifier.latest, last, { ...tokenizer.stats, events: totals.events + tokenizer.stats.events });
  }
  const p = await closeWindow();
  if (Number.isFinite(windowUs) && !Number.isNaN(first)) {
    opts.onWindow?.({ startUs: windowStart, endUs: windowStart + windowUs, label: p?.label, probability: p?.probability, tokens: tokenizer.stats.tokens });
  }
  const wallMs = performance.now() - start;
  const durationUs = Number.isNaN(first) ? 0 : last - first;
  return {
    label: p?.label,
    probability: p?.probability,
    probabilities: p?.values ?? {},
    output: p ? Array.from(p.output) : [],
    events: totals.events,
    tokens: totals.tokens,
    outsideSensor: totals.outsideSensor,
    slices,
    durationUs,
    wallMs,
    realTimeFactor: wallMs > 0 ? durationUs / 1e3 / wallMs : Infinity,
    eventsPerSecond: wallMs > 0 ? (totals.events + totals.outsideSensor) / (wallMs / 1e3) : Infinity,
  };
}

// ---- the command ----------------------------------------------------------------------------------

export const classifyHelp = `usage: s7rt classify <recording> [options]
       s7rt classify --live sim [options]
       s7rt classify --live mqtt --broker <url> --topic <topic> [options]

Classifies an event-camera recording (AEDAT 2/3.1/4, EVT 2/3, DAT, N-MNIST) with an event-token
model, printing the current label and probabilities as the events stream through, then the result
for the whole recording and the real-time factor (recording time / processing time).

  --model <dir>          model package (default models/zoo/dvs-gesture-sim)
  --slice-events <n>     feed the model every n events (default 10000)
  --slice-us <t>         feed the model every t µs of recording time instead
  --mode chunk|step      chunk: whole chunks of the package's length (default); step: every token at once
  --every-us <t>         print (and publish) the current label at most every t µs of recording time
                         (default 250000)
  --window-us <t>        classify consecutive windows of t µs separately (state reset at each window;
                         the model's running mean otherwise covers everything since the start)
  --live sim             a simulated camera in real time instead of a file (--seconds, --seed, --speed)
  --live mqtt            events published as s7ev packets (docs/event-formats.md) on --topic at --broker
  --queue <n>            live mqtt: packets waiting at most (default 1024); older ones are dropped and counted
  --seconds <s>          live: stop after s seconds of event time (default: run until Ctrl-C)
  --seed <n>             live: simulator seed (default 1)
  --speed <x>            live: x times real time (default 1)
  --publish <topic>      also publish the current prediction to this MQTT topic on --broker (QoS 0,
                         JSON: device, seq, label, probability, values, output, eventTimeUs), and the
                         whole-stream result with "final": true at the end; the dashboard's event
                         view shows a camera's predictions from predictions/<camera>
  --camera <id>          the "device" of published predictions (default: the last level of --topic,
                         the file's name, or "sim")
  --json                 print the final result as one JSON line
  --quiet                no progress lines`;

const optionSpec = {
  model: { type: 'string' },
  'slice-events': { type: 'string' },
  'slice-us': { type: 'string' },
  mode: { type: 'string' },
  'every-us': { type: 'string' },
  'window-us': { type: 'string' },
  live: { type: 'string' },
  broker: { type: 'string' },
  topic: { type: 'string' },
  publish: { type: 'string' },
  camera: { type: 'string' },
  queue: { type: 'string' },
  seconds: { type: 'string' },
  seed: { type: 'string' },
  speed: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function positiveNumber(v: string | undefined, option: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new ClassifyError(`--${option}`, `"${v}" is not a positive number`);
  return n;
}

/** Ends a live source after `limitUs` of event time from its first event, or on abort. */
async function* until(source: AsyncIterable<EventBatch>, limitUs: number | undefined, signal: AbortSignal): AsyncGenerator<EventBatch> {
  let first = Number.NaN;
  for await (const b of source) {
    if (signal.aborted) return;
    if (b.length === 0) continue;
    if (Number.isNaN(first)) first = b.t[0];
    yield b;
    if (limitUs !== undefined && b.t[b.length - 1] - first >= limitUs) return;
  }
}

function formatProbabilities(values: Record<string, number>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k} ${v.toFixed(2)}`)
    .join('  ');
}

export async function classifyCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: optionSpec, allowPositionals: true, strict: true });
  } catch (e) {
    throw new ClassifyError('command line', (e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(classifyHelp);
    return 0;
  }
  const live = values.live;
  if (live !== undefined && live !== 'sim' && live !== 'mqtt') throw new ClassifyError('--live', `"${live}" is not a live source (sim or mqtt)`);
  if (live === 'mqtt' && (!values.broker || !values.topic)) throw new ClassifyError('--live mqtt', 'needs --broker <url> and --topic <topic>');
  if (values.publish !== undefined && !values.broker) throw new ClassifyError('--publish', 'needs --broker <url>');
  if (values.publish !== undefined && /[+#]/.test(values.publish)) throw new ClassifyError('--publish', `"${values.publish}" is a filter, not a topic`);
  if ((live === undefined) === (positionals.length === 0) || positionals.length > 1) {
    console.error(classifyHelp);
    return 2;
  }
  if (values['slice-events'] !== undefined && values['slice-us'] !== undefined) {
    throw new ClassifyError('command line', '--slice-events and --slice-us exclude each other');
  }
  const mode = (values.mode ?? 'chunk') as ClassifyMode;
  if (mode !== 'chunk' && mode !== 'step') throw new ClassifyError('--mode', `"${values.mode}" is not chunk or step`);
  const sliceUs = values['slice-us'] === undefined ? undefined : positiveNumber(values['slice-us'], 'slice-us', 0);
  const sliceEvents = Math.floor(positiveNumber(values['slice-events'], 'slice-events', 10_000));
  const everyUs = positiveNumber(values['every-us'], 'every-us', 250_000);
  const windowUs = values['window-us'] === undefined ? undefined : positiveNumber(values['window-us'], 'window-us', 0);
  const modelDir = values.model ?? defaultGestureModelPath;

  const model = await loadModel(modelDir);
  const spec = tokenSpecOf(model.manifest, `${modelDir}/manifest.json`);
  let events: AsyncIterable<EventBatch>;
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  const secondsUs = values.seconds === undefined ? undefined : positiveNumber(values.seconds, 'seconds', 0) * 1e6;
  const liveStats = newLiveStats();
  let queue: BoundedQueue<EventBatch> | undefined;
  if (live === 'sim') {
    events = liveEvents({
      seed: Math.floor(positiveNumber(values.seed, 'seed', 1)),
      speed: positiveNumber(values.speed, 'speed', 1),
      durationUs: secondsUs,
      width: spec.width,
      height: spec.height,
      signal: abort.signal,
    });
  } else if (live === 'mqtt') {
    // a slow model must not grow memory: the oldest packets are dropped, counted and reported
    queue = toBoundedAsyncIterable(
      fromMqttEvents(values.broker!, values.topic!, { stats: liveStats, onBadPacket: (e) => console.error(`bad packet: ${e.message}`) }),
      Math.floor(positiveNumber(values.queue, 'queue', 1024)),
      'drop-oldest',
    );
    events = until(queue, secondsUs, abort.signal);
  } else {
    const recording = await openEvents(positionals[0]!);
    const sensor = recording.sensor;
    if (sensor && (sensor.width > spec.width || sensor.height > spec.height)) {
      console.error(`note: ${sensor.width}x${sensor.height} recording, model sensor ${spec.width}x${spec.height}: events outside it are counted and skipped`);
    }
    events = recording;
  }
  if (live) process.once('SIGINT', onSignal);
  // live: a time slice also closes when the camera goes quiet, so the label keeps up
  const slices = sliceEventsIterable(events, sliceUs !== undefined ? { duration: sliceUs } : { events: sliceEvents }, {
    idleMs: live ? 50 : undefined,
  });

  const camera = values.camera ?? (live === 'mqtt' ? values.topic!.split('/').at(-1)! : live === 'sim' ? 'sim' : basename(positionals[0]!));
  const publisher = values.publish === undefined ? undefined : new PredictionPublisher(await mqtt.connectAsync(values.broker!, { reconnectPeriod: 1000 }), values.publish, camera);
  const rt = await createRuntime(model);
  try {
    let nextPrint = Number.NaN;
    let nextPublish = Number.NaN;
    const result = await classifySlices(slices, rt.stream('classify'), model.manifest, {
      mode,
      windowUs,
      onWindow: (w) => {
        if (!values.quiet && !values.json) {
          console.log(`window ${(w.startUs / 1e6).toFixed(3)}–${(w.endUs / 1e6).toFixed(3)} s: ${w.label ?? '(no events)'} ${(w.probability ?? 0).toFixed(2)}`);
        }
      },
      onSlice: (p, t, stats) => {
        if (publisher && p && !(t < nextPublish)) {
          nextPublish = t + everyUs;
          publisher.publish(p, { eventTimeUs: t, events: stats.events, tokens: stats.tokens });
        }
        if (values.quiet || !p) return;
        if (Number.isNaN(nextPrint)) nextPrint = t;
        if (t < nextPrint) return;
        nextPrint = t + everyUs;
        console.log(`${(t / 1e6).toFixed(3)} s  ${stats.events} events  ${p.label} ${(p.probability ?? 0).toFixed(2)}  | ${formatProbabilities(p.values)}`);
      },
    });
    if (publisher && result.label !== undefined) {
      publisher.publish({ label: result.label, probability: result.probability, values: result.probabilities, output: result.output }, { events: result.events, tokens: result.tokens, final: true });
    }
    if (values.json) {
      console.log(JSON.stringify(result));
    } else {
      console.log(`result: ${result.label ?? '(no events)'} ${(result.probability ?? 0).toFixed(3)}  | ${formatProbabilities(result.probabilities)}`);
      console.log(
        `${result.events} events (${result.tokens} tokens${result.outsideSensor ? `, ${result.outsideSensor} outside the sensor skipped` : ''}) ` +
          `over ${(result.durationUs / 1e6).toFixed(3)} s in ${(result.wallMs / 1e3).toFixed(3)} s: ` +
          `${Math.round(result.eventsPerSecond)} events/s, real-time factor ${result.realTimeFactor.toFixed(2)} (${mode} mode)`,
      );
      if (live === 'mqtt') {
        console.log(`mqtt: ${liveStats.packets} packets, ${liveStats.badPackets} bad, ${liveStats.lostPackets} lost, ${queue?.dropped ?? 0} dropped by the queue`);
      }
    }
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    await publisher?.close();
    await rt.close();
  }
}

/** Publishes a camera's predictions as JSON, in the shape `s7rt run` publishes a device's (encodePrediction). */
class PredictionPublisher {
  private seq = 0;

  constructor(
    private readonly client: MqttClient,
    private readonly topic: string,
    private readonly camera: string,
  ) {}

  publish(p: Parameters<typeof encodePrediction>[2], extra: Record<string, number | boolean>): void {
    // QoS 0: a live label that the next one supersedes; mqtt.js queues it while reconnecting
    this.client.publish(this.topic, encodePrediction(this.camera, { seq: this.seq++ }, p, extra), { qos: 0 });
  }

  /** Sends what is queued, then disconnects. */
  close(): Promise<void> {
    return this.client.endAsync(false);
  }
}
