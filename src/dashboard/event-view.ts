// <s7-event-view>: an event camera as a decaying frame at the sensor's size, beside the live
// gesture probabilities. Events come from MQTT (packets decoded by `decodePacket`), from
// show()/play() calls, or from a recording file dropped on the element or picked with its file
// button (read by `openRecording`, e.g. the devices/ readers). Drawing happens on animation frames.
//
//   <s7-event-view broker="ws://localhost:8083" events-topic="events/+" predictions-topic="predictions/+"
//                  camera="dvs-1" width="128" height="128" speed="1" tau-us="30000"></s7-event-view>
import { Subscription, animationFrames } from 'rxjs';
import type { EventBatch, SensorSize } from '../../devices/events/types.js';
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
}

export class S7EventView extends HTMLElement {
  static readonly tag = 's7-event-view';

  /** Reads a dropped or picked file (set by the page, e.g. to the devices/ readers). */
  openRecording?: (file: Blob, name: string) => Promise<RecordingLike>;
  /** Decodes one MQTT event packet (set by the page to the devices/ s7ev packet decoder). */
  decodePacket?: (payload: Uint8Array) => { sensor: SensorSize; events: EventBatch };

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
  private playback?: { batches: AsyncIterator<EventBatch>; pending?: EventBatch; offset: number; startUs?: number; wallStart: number; speed: number; done: () => void };

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
    return new Promise<void>((done) => {
      this.playback = { batches: recording[Symbol.asyncIterator](), offset: 0, wallStart: performance.now(), speed, done };
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
    this.infoEl.textContent = `${s.width}×${s.height} · ${s.source} · ${s.events} events${skipped}${errors}`;
  }
}

export function defineEventView(): void {
  if (!customElements.get(S7EventView.tag)) customElements.define(S7EventView.tag, S7EventView);
}
