// What the feed worker does with messages, kept free of worker plumbing so that Node tests can run
// it: raw MQTT messages -> parsed -> per-device state (and, in browser-only mode, predictions from
// the runtime), then, when the page asks, one frame with only the devices that changed. Chart
// windows are sent only for devices on screen, packed into one transferable buffer per chart.
import { Subject, type Subscription, filter, share } from 'rxjs';
import type { StreamHandle } from '../../api.js';
import { DeviceState } from '../device-state.js';
import { DashboardInputError } from '../errors.js';
import { type DashboardMessage, type PredictionMessage, type SensorSampleMessage, type TopicPatterns, defaultTopics } from '../messages.js';
import type { ConnectionStatus, RawMessage } from '../rx/from-mqtt.js';
import { parseMessages } from '../rx/parse-messages.js';
import { predictLocally } from '../rx/predict-locally.js';
import type { DeviceUpdate, FeedFrame, RejectedInfo } from './protocol.js';

/** useLocalRuntime: samples kept for the page while it takes no frames (hidden), at most */
export const maxForwarded = 5000;

interface Sent {
  version: number;
  chartVersion: number;
  rates: string;
}

export class Feed {
  private readonly states = new Map<string, DeviceState>();
  private readonly sent = new Map<string, Sent>();
  /** devices whose cards are on screen (the page's IntersectionObserver says so) */
  private readonly visible = new Set<string>();
  private readonly incoming = new Subject<RawMessage>();
  private pipeline?: Subscription;
  private rejected: RejectedInfo[] = [];
  private forwarded: SensorSampleMessage[] | undefined;
  private topics: TopicPatterns = defaultTopics;
  private openStream?: (device: string) => StreamHandle;
  status: ConnectionStatus | 'idle' = 'idle';
  statusDetail = '';
  messages = 0;

  setTopics(topics: TopicPatterns): void {
    if (topics.samples === this.topics.samples && topics.predictions === this.topics.predictions && this.pipeline) return;
    this.topics = topics;
    this.rebuild();
  }

  /** Browser-only mode: every sample is stepped on the device's stream; predictions join the state. */
  predictWith(openStream: (device: string) => StreamHandle): void {
    this.openStream = openStream;
    this.rebuild();
  }

  /** useLocalRuntime: the page's own runtime predicts; frames carry the samples to it. */
  forwardSamples(): void {
    this.forwarded ??= [];
  }

  receive(topic: string, payload: Uint8Array, receivedAt: number): void {
    if (!this.pipeline) this.rebuild();
    this.messages++;
    this.incoming.next({ topic, payload, receivedAt });
  }

  /** predictions computed by the page's runtime (useLocalRuntime), timed on arrival here */
  receivePredictions(items: PredictionMessage[], receivedAt: number): void {
    for (const p of items) this.apply({ ...p, receivedAt });
  }

  setVisible(device: string, visible: boolean): void {
    if (visible) {
      this.visible.add(device);
      const sent = this.sent.get(device);
      if (sent) sent.chartVersion = -1; // the card may have missed charts while off screen
    } else this.visible.delete(device);
  }

  private rebuild(): void {
    this.pipeline?.unsubscribe();
    const messages = this.incoming.pipe(parseMessages(this.topics, (e) => this.reject(e)), share());
    const pipeline = messages.subscribe((m) => this.apply(m));
    const open = this.openStream;
    if (open) {
      const samples = messages.pipe(filter((m): m is SensorSampleMessage => m.kind === 'sample'));
      pipeline.add(samples.pipe(predictLocally(open, (e) => this.reject(e))).subscribe((p) => this.apply(p)));
    }
    this.pipeline = pipeline;
  }

  reject(e: DashboardInputError): void {
    this.rejected.push({ reason: e.reason, where: e.where, detail: e.message.slice(e.where.length + 2) });
  }

  private apply(m: DashboardMessage): void {
    let state = this.states.get(m.device);
    if (!state) {
      state = new DeviceState(m.device);
      this.states.set(m.device, state);
    }
    if (m.kind === 'sample') {
      state.addSample(m);
      if (this.forwarded && this.forwarded.length >= maxForwarded) {
        this.reject(new DashboardInputError('overload', `device ${m.device} seq ${m.seq}`, `${maxForwarded} samples already wait for the page's runtime; not predicted`));
      } else this.forwarded?.push(m);
    } else state.addPrediction(m);
  }

  /** Everything that changed since the last frame, and the buffers to transfer with it. */
  frame(now: number): { frame: FeedFrame; transfer: ArrayBuffer[] } {
    const updates: DeviceUpdate[] = [];
    const transfer: ArrayBuffer[] = [];
    for (const [device, state] of this.states) {
      let sent = this.sent.get(device);
      if (!sent) this.sent.set(device, (sent = { version: -1, chartVersion: -1, rates: '' }));
      const snapshot = state.snapshot(now);
      // rates fall when messages stop: a device without news is still sent when its shown rate moves
      const rates = `${snapshot.samplesPerSecond}|${snapshot.predictionsPerSecond}`;
      const charts = this.visible.has(device) && sent.chartVersion !== state.version;
      if (sent.version === state.version && sent.rates === rates && !charts) continue;
      const update: DeviceUpdate = { device, snapshot, channels: state.channels, labels: state.labels };
      if (charts) {
        update.signal = state.signal?.pack();
        update.probabilities = state.probabilities?.pack();
        for (const c of [update.signal, update.probabilities]) if (c) transfer.push(c.data.buffer as ArrayBuffer);
        sent.chartVersion = state.version;
      }
      sent.version = state.version;
      sent.rates = rates;
      updates.push(update);
    }
    const frame: FeedFrame = {
      type: 'frame',
      status: this.status,
      statusDetail: this.statusDetail,
      messages: this.messages,
      devices: this.states.size,
      updates,
      rejected: this.rejected,
    };
    this.rejected = [];
    if (this.forwarded) {
      frame.samples = this.forwarded;
      this.forwarded = [];
    }
    return { frame, transfer };
  }
}
