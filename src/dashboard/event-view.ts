// <s7-event-view>: an event camera as a decaying frame at the sensor's size, beside the live
// gesture probabilities. Events come from MQTT (packets decoded by `decodePacket`), from
// show()/play() calls, or from a recording file dropped on the element or picked with its file
// button (read by `openRecording`, e.g. the devices/ readers). Drawing happens on animation frames.
// With `loadGestureModel` set, a played recording also runs through that event-token model as it
// plays (tokenised here, stepped in the runtime's worker), the same way `s7rt classify` does.
//
//   <s7-event-view broker="ws://localhost:8083" events-topic="events/+" predictions-topic="predictions/+"
//                  camera="dvs-1" width="128" height="128" speed="1" tau-us="30000"></s7-event-view>
import { Subscription, animationFrames } from 'rxjs';
import type { Prediction, StreamHandle } from '../api.js';
import type { Manifest } from '../model/manifest.js';
import { sliceBatch } from '../../devices/events/batch.js';
import type { EventBatch, SensorSize } from '../../devices/events/types.js';
import { TokenClassifier } from '../events/token-classifier.js';
import { EventTokenizer, tokenSpecOf } from '../events/tokenizer.js';
import { DecayFrame } from './decay-frame.js';
import { el } from './dom.js';
import { DashboardInputError, RejectCounter } from './errors.js';
import { parsePrediction } from './messages.js';
import { ProbabilityMeters } from './probability-meters.js';
import { fromMqtt, type ConnectionStatus } from './rx/from-mqtt.js';
import type { MqttReader } from './rx/mqtt-reader.js';
import { deviceTopic, devicePattern } from './topics.js';
import styles from './event-view.css';

/** What a reader returns for a file: its sensor size (when known) and its batches. */
export interface RecordingLike extends AsyncIterable<EventBatch> {
  readonly sensor?: SensorSize;
}

/** An event-token model (e.g. the zoo's dvs-gesture-sim) and the runtime that runs it. */
export interface GestureModel {
  manifest: Manifest;
  runtime: { stream(key: string): StreamHandle };
}

/** The model's view of the recording last played (see `loadGestureModel`). */
export interface RecordingClassification {
  source: string;
  /** false while the recording still plays (the label is the running one) */
  done: boolean;
  label?: string;
  probability?: number;
  /** label -> probability */
  values: Record<string, number>;
  /** the raw output vector */
  output: number[];
  /** events tokenised (every one inside the model's sensor, kept or not) and tokens run */
  events: number;
  tokens: number;
  /** events outside the model's sensor: counted, not tokenised */
  outsideSensor: number;
  /** why it stopped, when it failed */
  error?: string;
}

export interface EventViewStats {
  status: ConnectionStatus | 'idle';
  width: number;
  height: number;
  /** events drawn */
  events: number;
  /** events outside the sensor: counted, not drawn */
  outside: number;
  frames: number;
  /** event-time clock of the frame (µs) */
  clockUs: number;
  source: string;
  playing: boolean;
  rejected: number;
  rejectedByReason: RejectCounter['byReason'];
  classification?: RecordingClassification;
}

/** A played recording going through the gesture model: slices are fed in order, at most a few waiting. */
interface PlaybackClassifier {
  result: RecordingClassification;
  stream?: StreamHandle;
  tokenizer?: EventTokenizer;
  classifier?: TokenClassifier;
  /** the chain of feeds; playback waits on it when `waiting` grows */
  work: Promise<void>;
  waiting: number;
}

/** slices the model may lag behind playback before playback waits for it */
const maxClassifyBacklog = 8;

export class S7EventView extends HTMLElement {
  static readonly tag = 's7-event-view';

  /** Reads a dropped or picked file (set by the page, e.g. to the devices/ readers). */
  openRecording?: (file: Blob, name: string) => Promise<RecordingLike>;
  /** Decodes one MQTT event packet (set by the page to the devices/ s7ev packet decoder). */
  decodePacket?: (payload: Uint8Array) => { sensor: SensorSize; events: EventBatch };
  /** Loads the model that classifies played recordings (set by the page; called once, lazily). */
  loadGestureModel?: () => Promise<GestureModel>;
  private gestureModel?: Promise<GestureModel>;
  private classification?: PlaybackClassifier;
  private recordings = 0;

  private frame: DecayFrame;
  private readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private image: ImageData;
  private readonly meters: ProbabilityMeters;
  private readonly labelEl: HTMLOutputElement;
  private readonly infoEl: HTMLElement;
  private readonly rejects = new RejectCounter();
  private readonly frames: Subscription;
  private connection?: Subscription;
  private dirty = true;
  /** advance() is async (reading the next batch): one at a time */
  private advancing = false;
  private status: EventViewStats['status'] = 'idle';
  private counts = { events: 0, outside: 0, frames: 0 };
  private source = 'none';
  /** recording playback: batches not yet shown, and the event-time/wall-time anchor */
  private playback?: { batches: AsyncIterator<EventBatch>; pending?: EventBatch; offset: number; startUs?: number; wallStart: number; speed: number; classify?: PlaybackClassifier; done: () => void };

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    const style = el('style');
    style.textContent = styles;
    this.canvas = el('canvas', { role: 'img', 'aria-label': 'Event camera: recent events, ON blue, OFF orange' });
    this.ctx = this.canvas.getContext('2d', { alpha: false }) as CanvasRenderingContext2D;
    // a usable frame first, so that a bad width/height attribute is reported and leaves 128×128
    this.frame = new DecayFrame({ width: 128, height: 128 });
    this.image = this.ctx.createImageData(128, 128);
    this.resize({ width: Number(this.getAttribute('width')) || 128, height: Number(this.getAttribute('height')) || 128 });
    const picker = el('input', { type: 'file', 'aria-label': 'Open an event recording' });
    picker.addEventListener('change', () => {
      const file = picker.files?.[0];
      if (file) void this.openFile(file, file.name, this.speed);
    });
    this.meters = new ProbabilityMeters('gesture');
    this.labelEl = el('output', { class: 'label', 'aria-label': 'Current gesture' }, '–');
    this.infoEl = el('p', { class: 'info', role: 'status' });
    const figure = el('figure', { class: 'camera' });
    const caption = el('figcaption');
    caption.append(this.infoEl, el('label', { class: 'pick' }, 'Drop a recording here or '), picker);
    figure.append(this.canvas, caption);
    const side = el('section', { class: 'gesture', 'aria-label': 'Gesture probabilities' });
    side.append(el('h3', {}, 'Gesture'), this.labelEl, this.meters.root);
    const layout = el('div', { class: 'layout' });
    layout.append(figure, side);
    root.append(style, layout);
    this.addEventListener('dragover', (e) => e.preventDefault());
    this.addEventListener('drop', (e) => {
      e.preventDefault();
      const file = e.dataTransfer?.files[0];
      if (file) void this.openFile(file, file.name, this.speed);
    });
    this.frames = animationFrames().subscribe(() => this.tick());
  }

  /** playback speed of files (attribute `speed`, default 1 = real time) */
  get speed(): number {
    return Number(this.getAttribute('speed')) || 1;
  }

  connectedCallback(): void {
    const broker = this.getAttribute('broker');
    if (broker && !this.connection) this.connect(broker);
  }

  disconnectedCallback(): void {
    this.disconnect();
  }

  /** Sets the sensor size (clears the frame); an unusable size is rejected and changes nothing. */
  resize(sensor: SensorSize): void {
    if (!(sensor.width > 0 && sensor.height > 0 && sensor.width <= 4096 && sensor.height <= 4096)) {
      this.reject(new DashboardInputError('range', this.source, `sensor size ${sensor.width}×${sensor.height} is not usable`));
      return;
    }
    this.frame = new DecayFrame(sensor, Number(this.getAttribute('tau-us')) || 30_000);
    this.canvas.width = sensor.width;
    this.canvas.height = sensor.height;
    this.image = this.ctx.createImageData(sensor.width, sensor.height);
    this.dirty = true;
  }

  /** Draws a batch now (live sources). */
  show(batch: EventBatch): void {
    const r = this.frame.add(batch);
    this.counts.events += r.added;
    this.counts.outside += r.outside;
    if (r.outside) this.reject(new DashboardInputError('range', this.source, `${r.outside} events outside the ${this.frame.width}×${this.frame.height} sensor`));
    this.dirty = true;
  }

  setProbabilities(values: Record<string, number>, label?: string): void {
    this.meters.update(values);
    let best = label;
    if (best === undefined) for (const [k, v] of Object.entries(values)) if (best === undefined || v > values[best]) best = k;
    this.labelEl.textContent = best === undefined ? '–' : `${best} ${(values[best] * 100).toFixed(0)}%`;
  }

  /** Replays a recording in event time (`speed` × real time); resolves when it has all been shown. */
  play(recording: RecordingLike, name: string, speed = 1): Promise<void> {
    this.stopPlayback();
    this.source = name;
    if (recording.sensor) this.resize(recording.sensor);
    else this.frame.clear();
    this.counts = { events: 0, outside: 0, frames: this.counts.frames };
    const classify = this.loadGestureModel ? this.startClassification(name) : undefined;
    return new Promise<void>((done) => {
      this.playback = {
        batches: recording[Symbol.asyncIterator](),
        offset: 0,
        wallStart: performance.now(),
        speed,
        classify,
        // the recording has been shown: the model's last chunk runs, then play() resolves
        done: () => void (classify ? this.finishClassification(classify) : Promise.resolve()).then(done),
      };
    });
  }

  /** A fresh stream of the gesture model for a recording about to play. */
  private startClassification(source: string): PlaybackClassifier {
    const c: PlaybackClassifier = {
      result: { source, done: false, values: {}, output: [], events: 0, tokens: 0, outsideSensor: 0 },
      work: Promise.resolve(),
      waiting: 0,
    };
    this.classification = c;
    // a model that failed to load is tried again with the next recording
    this.gestureModel ??= this.loadGestureModel!().catch((e: unknown) => {
      this.gestureModel = undefined;
      throw e;
    });
    const key = `recording-${++this.recordings}`;
    c.work = this.gestureModel.then((m) => {
      c.tokenizer = new EventTokenizer(tokenSpecOf(m.manifest));
      c.stream = m.runtime.stream(key);
      c.classifier = new TokenClassifier(c.stream, 'chunk', m.manifest.graphs.chunk.length);
    });
    c.work = this.guard(c, c.work);
    return c;
  }

  /** Feeds events [from, to) of a batch being shown (in order, after the slices before it). */
  private classifySlice(c: PlaybackClassifier, batch: EventBatch, from: number, to: number): void {
    const slice = sliceBatch(batch, from, to);
    c.waiting++;
    c.work = this.guard(c, c.work.then(async () => {
      c.waiting--;
      if (!c.classifier || c.result.error) return;
      this.showClassification(c, await c.classifier.feed(c.tokenizer!.push(slice)));
    }));
  }

  private async finishClassification(c: PlaybackClassifier): Promise<void> {
    await (c.work = this.guard(c, c.work.then(async () => {
      if (c.classifier && !c.result.error) this.showClassification(c, await c.classifier.finish());
      await c.stream?.close(); // one recording, one stream: its state is not needed after the end
    })));
    c.result.done = true;
    this.dirty = true;
  }

  private showClassification(c: PlaybackClassifier, p: Prediction | undefined): void {
    const stats = c.tokenizer!.stats;
    Object.assign(c.result, { events: stats.events, tokens: stats.tokens, outsideSensor: stats.outsideSensor });
    if (!p) return;
    Object.assign(c.result, { label: p.label, probability: p.probability, values: p.values, output: Array.from(p.output) });
    if (this.classification === c) this.setProbabilities(p.values, p.label);
  }

  /** A model that fails (cannot load, wrong kind) is reported once; playback goes on without it. */
  private guard(c: PlaybackClassifier, work: Promise<void>): Promise<void> {
    return work.catch((e: unknown) => {
      if (c.result.error) return;
      c.result.error = e instanceof Error ? e.message : String(e);
      this.reject(new DashboardInputError('shape', c.result.source, `gesture model: ${c.result.error}`));
    });
  }

  /** Reads a file with `openRecording` and plays it. Errors are shown and counted, never thrown. */
  async openFile(file: Blob, name = (file as File).name ?? 'file', speed = 1): Promise<void> {
    if (!this.openRecording) {
      this.reject(new DashboardInputError('shape', name, 'this page has no recording reader'));
      return;
    }
    try {
      await this.play(await this.openRecording(file, name), name, speed);
    } catch (e) {
      this.stopPlayback();
      this.reject(new DashboardInputError('shape', name, e instanceof Error ? e.message : String(e)));
    }
  }

  /** Live: event packets on `events-topic`, gesture predictions on `predictions-topic`. */
  connect(url: string): void {
    this.disconnect();
    const eventsTopic = this.getAttribute('events-topic') ?? 'events/+';
    const predictionsTopic = this.getAttribute('predictions-topic') ?? 'predictions/+';
    // predictions are for this view only when they name a camera: the `camera` attribute, or a
    // device seen on the events topic. Only those cameras' prediction topics are subscribed: the
    // stream view's devices publish on the same filter, thousands of messages a second.
    const cameras = new Set(this.getAttribute('camera') ? [this.getAttribute('camera') as string] : []);
    const eventsMatcher = devicePattern(eventsTopic);
    const predictionsMatcher = devicePattern(predictionsTopic);
    this.source = url;
    let reader: Pick<MqttReader, 'subscribe'> | undefined;
    this.connection = fromMqtt({
      url,
      topics: [eventsTopic, ...[...cameras].map((c) => deviceTopic(predictionsTopic, c))],
      onStatus: (s) => (this.status = s),
      onReader: (r) => (reader = r),
    }).subscribe((m) => {
      try {
        const camera = eventsMatcher.match(m.topic);
        const predicted = predictionsMatcher.match(m.topic);
        if (predicted !== undefined) {
          if (!cameras.has(predicted)) return; // another device's prediction: the stream view shows it
          const p = parsePrediction(predicted, m.topic, m.payload, m.receivedAt);
          this.setProbabilities(p.values, p.label);
        } else if (camera === undefined) {
          throw new DashboardInputError('topic', m.topic, `matches neither "${eventsTopic}" nor "${predictionsTopic}"`);
        } else if (!this.decodePacket) {
          throw new DashboardInputError('shape', m.topic, 'this page has no event packet decoder');
        } else {
          if (!cameras.has(camera)) {
            cameras.add(camera);
            reader?.subscribe([deviceTopic(predictionsTopic, camera)]);
          }
          const packet = this.decodePacket(m.payload);
          if (this.source !== m.topic) {
            // a live camera takes the view over from a file or another camera: counts start again
            this.stopPlayback();
            this.source = m.topic;
            this.counts = { events: 0, outside: 0, frames: this.counts.frames };
            this.frame.clear();
          }
          if (packet.sensor.width !== this.frame.width || packet.sensor.height !== this.frame.height) this.resize(packet.sensor);
          this.show(packet.events);
        }
      } catch (e) {
        this.reject(e instanceof DashboardInputError ? e : new DashboardInputError('shape', m.topic, e instanceof Error ? e.message : String(e)));
      }
    });
  }

  disconnect(): void {
    this.connection?.unsubscribe();
    this.connection = undefined;
    this.status = 'idle';
  }

  get stats(): EventViewStats {
    return {
      status: this.status,
      width: this.frame.width,
      height: this.frame.height,
      ...this.counts,
      clockUs: this.frame.clock,
      source: this.source,
      playing: this.playback !== undefined,
      rejected: this.rejects.total,
      rejectedByReason: { ...this.rejects.byReason },
      classification: this.classification && { ...this.classification.result, values: { ...this.classification.result.values } },
    };
  }

  get rejected(): readonly DashboardInputError[] {
    return this.rejects.recent;
  }

  private reject(e: DashboardInputError): void {
    this.rejects.add(e);
    this.dirty = true;
  }

  private stopPlayback(): void {
    const p = this.playback;
    this.playback = undefined;
    p?.done();
  }

  /** Moves playback forward to the current wall time: adds every event due by now. */
  private async advance(): Promise<void> {
    const pb = this.playback;
    if (!pb || this.advancing) return;
    this.advancing = true;
    try {
      for (;;) {
        if (!pb.pending || pb.offset >= pb.pending.length) {
          let next: IteratorResult<EventBatch>;
          try {
            next = await pb.batches.next();
          } catch (e) {
            // a recording that breaks part-way: what was read stays drawn, the rest is reported
            this.reject(new DashboardInputError('shape', this.source, e instanceof Error ? e.message : String(e)));
            if (this.playback === pb) this.stopPlayback();
            return;
          }
          if (next.done) {
            if (this.playback === pb) this.stopPlayback();
            return;
          }
          pb.pending = next.value;
          pb.offset = 0;
          if (pb.pending.length === 0) continue;
        }
        const batch = pb.pending;
        pb.startUs ??= batch.t[0];
        const dueUs = pb.startUs + (performance.now() - pb.wallStart) * 1000 * pb.speed;
        let end = pb.offset;
        while (end < batch.length && batch.t[end] <= dueUs) end++;
        if (end > pb.offset) {
          if (pb.classify) {
            // the model keeps up at 1x many times over; at high speeds playback waits for it
            if (pb.classify.waiting >= maxClassifyBacklog) await pb.classify.work;
            if (this.playback !== pb) return;
            this.classifySlice(pb.classify, batch, pb.offset, end);
          }
          const r = this.frame.add(batch, pb.offset, end);
          this.counts.events += r.added;
          this.counts.outside += r.outside;
          pb.offset = end;
          this.dirty = true;
        }
        if (end < batch.length) {
          this.frame.decayTo(dueUs);
          return;
        }
      }
    } finally {
      this.advancing = false;
    }
  }

  private tick(): void {
    if (this.playback) void this.advance();
    else if (!this.dirty) return;
    this.frame.paint(this.image.data);
    this.ctx.putImageData(this.image, 0, 0);
    this.counts.frames++;
    this.dirty = false;
    const s = this.stats;
    const skipped = s.outside ? `, ${s.outside} outside the sensor` : '';
    const errors = s.rejected ? ` · ${s.rejected} rejected: ${this.rejects.recent[0]?.message ?? ''}` : '';
    const c = s.classification;
    const model = c && c.source === s.source && !c.error ? ` · model: ${c.tokens} tokens${c.outsideSensor ? `, ${c.outsideSensor} events outside its sensor` : ''}${c.done ? '' : ' so far'}` : '';
    this.infoEl.textContent = `${s.width}×${s.height} · ${s.source} · ${s.events} events${skipped}${model}${errors}`;
  }
}

export function defineEventView(): void {
  if (!customElements.get(S7EventView.tag)) customElements.define(S7EventView.tag, S7EventView);
}
