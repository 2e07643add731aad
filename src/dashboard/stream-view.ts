// <s7-stream-view>: live sensor signals and predictions per device, from an MQTT broker over
// WebSocket. Predictions come from the broker (published by `s7rt run`) or, in browser-only mode,
// from the runtime's Web Worker fed with the same samples (useLocalRuntime).
//
//   <s7-stream-view broker="ws://localhost:8083" samples-topic="sensors/+/imu"
//                   predictions-topic="predictions/+"></s7-stream-view>
//
// Messages update plain state objects; the DOM is touched only on animation frames, so 100
// devices at 50 Hz cost one render per frame, not one per message.
import { Subject, Subscription, animationFrames, filter, share, tap } from 'rxjs';
import uplotCss from 'uplot/dist/uPlot.min.css';
import type { StreamHandle } from '../api.js';
import { DeviceCard } from './device-card.js';
import { el, setText } from './dom.js';
import { type DeviceSnapshot, DeviceState } from './device-state.js';
import { type DashboardInputError, RejectCounter } from './errors.js';
import { type DashboardMessage, type SensorSampleMessage, type TopicPatterns, defaultTopics } from './messages.js';
import { type ConnectionStatus, type RawMessage, fromMqtt } from './rx/from-mqtt.js';
import { parseMessages } from './rx/parse-messages.js';
import { predictLocally } from './rx/predict-locally.js';
import styles from './styles.css';

export interface StreamViewStats {
  status: ConnectionStatus | 'idle';
  mode: 'mqtt' | 'browser';
  messages: number;
  devices: number;
  frames: number;
  rejected: number;
  rejectedByReason: RejectCounter['byReason'];
}

export class S7StreamView extends HTMLElement {
  static readonly tag = 's7-stream-view';
  static get observedAttributes(): string[] {
    return ['broker'];
  }

  private readonly states = new Map<string, DeviceState>();
  private readonly cards = new Map<string, DeviceCard>();
  private readonly rejects = new RejectCounter();
  private readonly grid: HTMLElement;
  private readonly statusEl: HTMLElement;
  private readonly errorsEl: HTMLElement;
  private readonly visibility: IntersectionObserver;
  private readonly resizes: ResizeObserver;
  private readonly incoming = new Subject<RawMessage>();
  private pipeline?: Subscription;
  private connection?: Subscription;
  /** the broker URL of the current connection */
  private url?: string;
  private frames?: Subscription;
  private openStream?: (device: string) => StreamHandle;
  private status: StreamViewStats['status'] = 'idle';
  private statusDetail = '';
  private messages = 0;
  private frameCount = 0;

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    const style = el('style', {}, `${uplotCss}\n${styles}`);
    this.statusEl = el('p', { class: 'status', role: 'status' });
    this.errorsEl = el('ul', { class: 'errors', 'aria-label': 'Rejected messages' });
    this.grid = el('div', { class: 'grid', role: 'list', 'aria-label': 'Devices' });
    root.append(style, this.statusEl, this.errorsEl, this.grid);
    this.visibility = new IntersectionObserver((entries) => {
      for (const e of entries) {
        const card = this.cards.get((e.target as HTMLElement).dataset.device ?? '');
        if (card) card.visible = e.isIntersecting;
      }
    });
    this.resizes = new ResizeObserver((entries) => {
      for (const e of entries) this.cards.get((e.target as HTMLElement).dataset.device ?? '')?.resize(e.contentRect.width);
    });
  }

  get topics(): TopicPatterns {
    return {
      samples: this.getAttribute('samples-topic') ?? defaultTopics.samples,
      predictions: this.getAttribute('predictions-topic') ?? defaultTopics.predictions,
    };
  }

  connectedCallback(): void {
    this.frames ??= animationFrames().subscribe(() => this.render());
    const broker = this.getAttribute('broker');
    if (broker && !this.connection) this.connect(broker);
  }

  disconnectedCallback(): void {
    this.disconnect();
    this.pipeline?.unsubscribe();
    this.pipeline = undefined;
    this.frames?.unsubscribe();
    this.frames = undefined;
  }

  attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    if (name === 'broker' && old !== value && this.isConnected) {
      this.disconnect();
      if (value) this.connect(value);
    }
  }

  /**
   * Browser-only mode: predictions are computed in the page by the runtime (one stream per device,
   * its state kept in the worker) instead of read from the predictions topic. Call before connect().
   */
  useLocalRuntime(openStream: (device: string) => StreamHandle): void {
    this.openStream = openStream;
    this.pipeline?.unsubscribe();
    this.pipeline = this.buildPipeline();
    // resubscribe: browser-only mode does not read the predictions topic
    if (this.connection && this.url) this.connect(this.url);
  }

  /** Connects to `url` (ws:// or wss://) and starts showing devices. */
  connect(url: string): void {
    this.disconnect();
    this.pipeline ??= this.buildPipeline();
    const topics = this.topics;
    this.url = url;
    this.connection = fromMqtt({
      url,
      topics: this.openStream ? [topics.samples] : [topics.samples, topics.predictions],
      onStatus: (s, detail) => {
        this.status = s;
        this.statusDetail = detail ?? '';
      },
    }).subscribe((m) => this.incoming.next(m));
  }

  disconnect(): void {
    this.connection?.unsubscribe();
    this.connection = undefined;
  }

  /** Feeds one message as if it came from the broker (for pages with their own transport). */
  ingest(topic: string, payload: Uint8Array | string): void {
    this.pipeline ??= this.buildPipeline();
    const bytes = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
    this.incoming.next({ topic, payload: bytes, receivedAt: performance.now() });
  }

  private buildPipeline(): Subscription {
    const messages = this.incoming.pipe(
      tap(() => this.messages++),
      parseMessages(this.topics, (e) => this.reject(e)),
      share(),
    );
    const pipeline = messages.subscribe((m) => this.apply(m));
    const local = this.openStream;
    if (local) {
      const samples = messages.pipe(filter((m): m is SensorSampleMessage => m.kind === 'sample'));
      pipeline.add(samples.pipe(predictLocally(local, (e) => this.reject(e))).subscribe((p) => this.apply(p)));
    }
    return pipeline;
  }

  /** What the view currently shows, per device: for tests and embedding pages. */
  snapshot(): Record<string, DeviceSnapshot> {
    const now = performance.now();
    return Object.fromEntries([...this.states].map(([k, s]) => [k, s.snapshot(now)]));
  }

  get stats(): StreamViewStats {
    return {
      status: this.status,
      mode: this.openStream ? 'browser' : 'mqtt',
      messages: this.messages,
      devices: this.states.size,
      frames: this.frameCount,
      rejected: this.rejects.total,
      rejectedByReason: { ...this.rejects.byReason },
    };
  }

  get rejected(): readonly DashboardInputError[] {
    return this.rejects.recent;
  }

  private reject(e: DashboardInputError): void {
    this.rejects.add(e);
  }

  private apply(m: DashboardMessage): void {
    let state = this.states.get(m.device);
    if (!state) {
      state = new DeviceState(m.device);
      this.states.set(m.device, state);
    }
    if (m.kind === 'sample') state.addSample(m);
    else state.addPrediction(m);
  }

  private render(): void {
    this.frameCount++;
    const now = performance.now();
    for (const [device, state] of this.states) {
      let card = this.cards.get(device);
      if (!card) {
        card = new DeviceCard(device);
        card.root.setAttribute('role', 'listitem');
        this.cards.set(device, card);
        this.grid.append(card.root);
        this.visibility.observe(card.root);
        this.resizes.observe(card.root);
      }
      card.render(state, now);
    }
    this.renderStatus();
  }

  private renderedStatus = '';
  private renderStatus(): void {
    const s = this.stats;
    const key = `${s.status}|${this.statusDetail}|${s.devices}|${s.messages}|${s.rejected}|${s.mode}`;
    if (key === this.renderedStatus) return;
    this.renderedStatus = key;
    if (!this.statusEl.firstChild) {
      for (const cls of ['conn', 'mode', 'devices', 'messages', 'rejected']) this.statusEl.append(el('span', { class: cls }));
    }
    const [conn, mode, devices, messages, rejected] = this.statusEl.children as unknown as HTMLElement[];
    setText(conn, `${s.status}${this.statusDetail ? `: ${this.statusDetail}` : ''}`);
    conn.dataset.status = s.status;
    setText(mode, s.mode === 'browser' ? 'predictions: in this page' : 'predictions: from broker');
    setText(devices, `${s.devices} devices`);
    setText(messages, `${s.messages} messages`);
    setText(rejected, `${s.rejected} rejected`);
    rejected.dataset.count = String(s.rejected);
    if (this.errorsEl.childElementCount !== this.rejects.recent.length || this.errorsEl.firstChild?.textContent !== this.rejects.recent[0]?.message) {
      this.errorsEl.replaceChildren(...this.rejects.recent.map((e) => el('li', {}, e.message)));
    }
  }
}

export function defineStreamView(): void {
  if (!customElements.get(S7StreamView.tag)) customElements.define(S7StreamView.tag, S7StreamView);
}
