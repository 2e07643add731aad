// <s7-stream-view>: live sensor signals and predictions per device, from an MQTT broker over
// WebSocket. Predictions come from the broker (published by `s7rt run`) or, in browser-only mode,
// from the runtime fed with the same samples (useWorkerRuntime, or useLocalRuntime for a runtime
// the embedding page owns).
//
//   <s7-stream-view broker="ws://localhost:8083" samples-topic="sensors/+/imu"
//                   predictions-topic="predictions/+"></s7-stream-view>
//
// The MQTT client, parsing and every device's state live in a feed worker (feed/worker.ts, served
// as feed-worker.js next to this bundle). The worker posts what changed at most 30 times a second
// (chart windows only for cards on screen); the element renders the latest of it once per
// animation frame: the main thread only renders, whatever the message rate.
import { Subject, Subscription, animationFrames } from 'rxjs';
import * as Comlink from 'comlink';
import uplotCss from 'uplot/dist/uPlot.min.css';
import type { RuntimeOptions, RuntimeStats, StreamHandle } from '../api.js';
import { DeviceCard } from './device-card.js';
import type { DeviceSnapshot } from './device-state.js';
import { el, setText } from './dom.js';
import { DashboardInputError, RejectCounter } from './errors.js';
import { FeedClient } from './feed/client.js';
import type { FeedControl, FeedFrame } from './feed/protocol.js';
import { type PredictionMessage, type SensorSampleMessage, type TopicPatterns, defaultTopics } from './messages.js';
import type { ConnectionStatus } from './rx/from-mqtt.js';
import { predictLocally } from './rx/predict-locally.js';
import styles from './styles.css';

export interface StreamViewStats {
  status: ConnectionStatus | 'idle';
  mode: 'mqtt' | 'browser';
  /** MQTT (and ingested) messages the feed worker received */
  messages: number;
  devices: number;
  /** animation frames seen (each redraws the cards that are due, if any) */
  frames: number;
  /** messages the feed worker posted to the main thread (at most 30 a second) */
  feedMessages: number;
  rejected: number;
  rejectedByReason: RejectCounter['byReason'];
}

/** Browser-only mode with the runtime inside the feed worker (useWorkerRuntime). */
export interface WorkerRuntime {
  /** the runtime's stats at start: the backend in use after any fallback, and why */
  stats: RuntimeStats;
  /** the feed worker's runtime API (comlink): stats, golden vectors, steps */
  control: Comlink.Remote<FeedControl>;
}

export class S7StreamView extends HTMLElement {
  static readonly tag = 's7-stream-view';
  /** where the feed worker's bundle is: feed-worker.js beside this module unless set before use */
  static feedWorkerUrl: string | URL = new URL('./feed-worker.js', import.meta.url);
  static get observedAttributes(): string[] {
    return ['broker'];
  }

  /**
   * A card (text, meters, charts) and the status line are redrawn at most this often (ms), and at
   * most `cardsPerFrame` cards per animation frame, the longest-waiting first: the browser's own
   * style, layout and paint work per redraw, not the script, is the main thread's cost
   * (docs/benchmarks.md, "Dashboard"), and spreading it keeps every frame short.
   */
  refreshMs = 100;
  cardsPerFrame = 4;

  private readonly snapshots = new Map<string, DeviceSnapshot>();
  private readonly cards = new Map<string, DeviceCard>();
  private readonly rejects = new RejectCounter();
  private readonly grid: HTMLElement;
  private readonly statusEl: HTMLElement;
  private readonly errorsEl: HTMLElement;
  private readonly visibility: IntersectionObserver;
  private readonly resizes: ResizeObserver;
  private feed?: FeedClient;
  private sentTopics = '';
  /** the broker URL of the current connection */
  private url?: string;
  private frames?: Subscription;
  private statusAt = -Infinity;
  private readonly onVisibility = () => this.feed?.send({ type: 'paused', paused: document.hidden });
  private mode: StreamViewStats['mode'] = 'mqtt';
  /** useLocalRuntime: samples from the frames go through the page's runtime, predictions back */
  private localSamples?: Subject<SensorSampleMessage>;
  private localPipeline?: Subscription;
  private pendingPredictions: PredictionMessage[] = [];
  private status: StreamViewStats['status'] = 'idle';
  private statusDetail = '';
  private failure = '';
  private messages = 0;
  private deviceCount = 0;
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
        const device = (e.target as HTMLElement).dataset.device ?? '';
        const card = this.cards.get(device);
        if (!card || card.visible === e.isIntersecting) continue;
        card.visible = e.isIntersecting;
        this.feed?.send({ type: 'visible', device, visible: e.isIntersecting });
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
    this.frames ??= animationFrames().subscribe(() => {
      this.frameCount++;
      this.render();
    });
    document.addEventListener('visibilitychange', this.onVisibility);
    const broker = this.getAttribute('broker');
    if (broker && !this.url) this.connect(broker);
  }

  disconnectedCallback(): void {
    this.disconnect();
    this.frames?.unsubscribe();
    this.frames = undefined;
    document.removeEventListener('visibilitychange', this.onVisibility);
  }

  attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    if (name === 'broker' && old !== value && this.isConnected) {
      this.disconnect();
      if (value) this.connect(value);
    }
  }

  /**
   * Browser-only mode with a runtime the embedding page owns: predictions are computed by
   * `openStream(device)` (one stream per device, its state in the runtime's worker) instead of read
   * from the predictions topic. Samples reach it through the main thread, once per frame; prefer
   * useWorkerRuntime, which keeps them off the main thread. Call before connect().
   */
  useLocalRuntime(openStream: (device: string) => StreamHandle): void {
    const feed = this.startFeed();
    this.mode = 'browser';
    this.localPipeline?.unsubscribe();
    this.localSamples = new Subject<SensorSampleMessage>();
    this.localPipeline = this.localSamples.pipe(predictLocally(openStream, (e) => this.rejects.add(e))).subscribe((p) => {
      if (this.pendingPredictions.push(p) === 1) {
        queueMicrotask(() => {
          feed.send({ type: 'predictions', items: this.pendingPredictions });
          this.pendingPredictions = [];
        });
      }
    });
    feed.send({ type: 'forward-samples' });
    if (this.url) this.connect(this.url); // resubscribe: browser-only mode does not read predictions
  }

  /**
   * Browser-only mode inside the feed worker: it imports the runtime's browser build from
   * `runtimeUrl` (dist/browser/index.js), loads the package at `modelUrl`, and steps every sample
   * there (the runtime's own worker nested in the feed worker): no sample crosses the main thread.
   */
  async useWorkerRuntime(runtimeUrl: string, modelUrl: string, options: RuntimeOptions = {}): Promise<WorkerRuntime> {
    const feed = this.startFeed();
    const stats = await feed.control.openRuntime(runtimeUrl, modelUrl, options);
    this.mode = 'browser';
    if (this.url) this.connect(this.url);
    return { stats, control: feed.control };
  }

  /** Connects to `url` (ws:// or wss://) and starts showing devices. */
  connect(url: string): void {
    this.url = url;
    this.startFeed().send({ type: 'connect', url, topics: this.topics, predictionsToo: this.mode === 'mqtt' });
  }

  disconnect(): void {
    if (this.url === undefined) return;
    this.url = undefined;
    this.feed?.send({ type: 'disconnect' });
  }

  /** Feeds one message as if it came from the broker (for pages with their own transport). */
  ingest(topic: string, payload: Uint8Array | string): void {
    const feed = this.startFeed();
    const bytes = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload.slice();
    feed.send({ type: 'ingest', topic, payload: bytes }, [bytes.buffer]);
  }

  private startFeed(): FeedClient {
    if (!this.feed) {
      this.feed = new FeedClient(
        S7StreamView.feedWorkerUrl,
        (f) => this.onFrame(f),
        (message) => {
          this.failure = message;
          console.error(`s7-stream-view: ${message}`);
        },
      );
      for (const [device, card] of this.cards) if (card.visible) this.feed.send({ type: 'visible', device, visible: true });
      if (document.hidden) this.feed.send({ type: 'paused', paused: true });
    }
    const topics = this.topics;
    const key = `${topics.samples}\n${topics.predictions}`;
    if (key !== this.sentTopics) {
      this.sentTopics = key;
      this.feed.send({ type: 'topics', topics });
    }
    return this.feed;
  }

  /** What the view currently shows, per device: for tests and embedding pages. */
  snapshot(): Record<string, DeviceSnapshot> {
    return Object.fromEntries(this.snapshots);
  }

  get stats(): StreamViewStats {
    return {
      status: this.status,
      mode: this.mode,
      messages: this.messages,
      devices: this.deviceCount,
      frames: this.frameCount,
      feedMessages: this.feed?.received ?? 0,
      rejected: this.rejects.total,
      rejectedByReason: { ...this.rejects.byReason },
    };
  }

  get rejected(): readonly DashboardInputError[] {
    return this.rejects.recent;
  }

  private onFrame(f: FeedFrame): void {
    this.status = f.status;
    this.statusDetail = this.failure || f.statusDetail;
    this.messages = f.messages;
    this.deviceCount = f.devices;
    for (const r of f.rejected) this.rejects.add(new DashboardInputError(r.reason, r.where, r.detail));
    for (const u of f.updates) {
      this.snapshots.set(u.device, u.snapshot);
      let card = this.cards.get(u.device);
      if (!card) {
        card = new DeviceCard(u.device);
        card.root.setAttribute('role', 'listitem');
        this.cards.set(u.device, card);
        this.grid.append(card.root);
        this.visibility.observe(card.root);
        this.resizes.observe(card.root);
      }
      card.update(u);
    }
    if (f.samples) for (const s of f.samples) this.localSamples?.next(s);
  }

  private render(): void {
    const now = performance.now();
    const due: DeviceCard[] = [];
    for (const card of this.cards.values()) if (card.dirty && card.visible && now - card.renderedAt >= this.refreshMs) due.push(card);
    due.sort((a, b) => a.renderedAt - b.renderedAt);
    for (const card of due.slice(0, this.cardsPerFrame)) card.render(now);
    if (now - this.statusAt >= this.refreshMs) {
      this.statusAt = now;
      this.renderStatus();
    }
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
