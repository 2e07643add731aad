// The MQTT feed service: subscribe to sensor samples, keep one S7 stream per device, publish a
// prediction for every sample, ack each sample only once it is safe to forget (docs/mqtt.md).
//
// One message's life: arrive -> (reject -> dead letter) | (duplicate | next) -> device queue ->
// runtime step/push -> prediction published (broker acked) -> covered by a durable snapshot
// (when a snapshot dir is set) -> PUBACK. A crash anywhere before the PUBACK means redelivery;
// the per-device seq makes redelivery idempotent.
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import type { Prediction, Sample, Snapshot, StreamHandle } from '../api';
import { Histogram, QuantileWindow, renderPrometheus, type MetricSample } from '../health/metrics';
import type { Readiness } from '../health/server';
import { PayloadError, rejectReasons, type RejectReason } from './errors';
import { HeldAcks, type AckTicket } from './held-acks';
import { decodeSample, encodePrediction, type PayloadFormat, type WireSample } from './payload';
import { SeqTracker } from './seq-tracker';
import { SnapshotStore } from './snapshot-store';
import { compileDevicePattern, devicePatternFromFilter, fillTopic, type DevicePattern } from './topic';

/** What the service needs from the runtime (src/api.ts shapes). */
export interface RuntimePort {
  stream(key: string): StreamHandle | Promise<StreamHandle>;
  snapshot(keys?: string[]): Promise<Snapshot>;
  restore(snapshot: Snapshot): Promise<unknown>;
}

export interface ModelInfo {
  id: string;
  /** values per sample (manifest input.size) */
  inputSize: number;
}

export interface ServiceOptions {
  broker: string;
  /** MQTT subscription filters */
  subscribe: string[];
  /** where the device key is in the topic, e.g. "sensors/{device}/imu"; default: the first `+` of subscribe[0] */
  devicePattern?: string;
  /** take the device key from the topic (default) or from the payload's "device" field */
  deviceFrom: 'topic' | 'payload';
  /** prediction topic template, e.g. "predictions/{device}" */
  publish: string;
  deadLetterTopic: string;
  qos: 0 | 1;
  clientId: string;
  /** 5 (MQTT 5, default) or 4 (MQTT 3.1.1, e.g. for aedes) */
  protocolVersion: 4 | 5;
  format: PayloadFormat;
  maxPayloadBytes: number;
  /** samples received and not yet acked (also sent to MQTT 5 brokers as Receive Maximum) */
  maxInflight: number;
  /** stop reading the socket at maxInflight; false for a broker in this process (aedes) */
  pauseReading: boolean;
  /** most samples of one device run in one runtime call */
  maxBatch: number;
  snapshotDir?: string;
  snapshotIntervalMs: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  username?: string;
  password?: string;
}

export const defaultServiceOptions: Omit<ServiceOptions, 'broker' | 'subscribe' | 'publish' | 'clientId'> = {
  deviceFrom: 'topic',
  deadLetterTopic: 's7rt/dead-letter',
  qos: 1,
  protocolVersion: 5,
  format: 'json',
  maxPayloadBytes: 64 * 1024,
  maxInflight: 2048,
  pauseReading: true,
  maxBatch: 64,
  snapshotIntervalMs: 1000,
  reconnectMinMs: 250,
  reconnectMaxMs: 10_000,
};

interface Entry {
  ticket: AckTicket;
  arrivedAt: number;
  /** undefined: a duplicate, acked in order after the original without stepping */
  sample?: WireSample;
}

interface DeviceQueue {
  key: string;
  handle?: StreamHandle;
  queue: Entry[];
  busy: boolean;
  /** last seq whose sample is in the runtime's state */
  applied?: number;
}

export interface ServiceStatus {
  received: number;
  predictions: number;
  messagesPerSecond: number;
  streams: number;
  p50Ms: number;
  p99Ms: number;
  rejected: number;
  duplicates: number;
  gaps: number;
  /** samples queued in the most behind device */
  maxLag: number;
  inflight: number;
  connected: boolean;
  /** where in-flight samples are: running, awaiting the broker's ack, held offline, awaiting a snapshot */
  pipeline: { paused: boolean; running: number; publishing: number; offline: number; awaitingSnapshot: number };
}

export interface ServiceEvents {
  /** every published prediction (for the demo's console and accuracy) */
  onPrediction?(device: string, sample: WireSample, prediction: Prediction): void;
  onLog?(line: string): void;
}

export class MqttService {
  readonly options: ServiceOptions;
  private readonly pattern?: DevicePattern;
  private readonly seqs: SeqTracker;
  private readonly devices = new Map<string, DeviceQueue>();
  private readonly store?: SnapshotStore;
  private sub?: MqttClient;
  private pub?: MqttClient;
  private acks?: HeldAcks;
  private paused = false;
  private draining = false;
  private inflight = 0;
  private busyDevices = 0;
  private unpublished = 0;
  private idleWaiters: Array<() => void> = [];
  private readWaiters: Array<() => void> = [];
  private awaitingCommit: AckTicket[] = [];
  private outbox: Array<{ topic: string; payload: Buffer; cb: (err?: Error) => void }> = [];
  private committing?: Promise<void>;
  private commitTimer?: NodeJS.Timeout;
  private reconnectDelay = new Map<MqttClient, number>();
  private lastRate = { at: performance.now(), received: 0 };

  // metrics
  received = 0;
  predictions = 0;
  duplicates = 0;
  gapSamples = 0;
  gapEvents = 0;
  snapshotsWritten = 0;
  lastSnapshotBytes = 0;
  readonly rejected: Record<RejectReason, number> = Object.fromEntries(rejectReasons.map((r) => [r, 0])) as Record<RejectReason, number>;
  readonly latency = new Histogram();
  readonly latencyWindow = new QuantileWindow();

  constructor(
    private readonly runtime: RuntimePort,
    private readonly model: ModelInfo,
    options: ServiceOptions,
    private readonly events: ServiceEvents = {},
  ) {
    this.options = options;
    if (options.deviceFrom === 'topic') {
      const pattern = options.devicePattern ?? devicePatternFromFilter(options.subscribe[0] ?? '');
      if (pattern === undefined) throw new PayloadError('topic-shape', '--subscribe', `"${options.subscribe[0]}" has no + level to take the device from; give --device-pattern`);
      this.pattern = compileDevicePattern(pattern);
    }
    if (options.snapshotDir) this.store = new SnapshotStore(options.snapshotDir);
    this.seqs = new SeqTracker();
  }

  /** Restores the last snapshot (if any), then connects and subscribes. */
  async start(): Promise<void> {
    if (this.store) {
      const stored = await this.store.read();
      if (stored) {
        if (stored.runtime.modelId !== this.model.id) {
          throw new Error(`snapshot ${this.store.file} is for model "${stored.runtime.modelId}", not "${this.model.id}"`);
        }
        await this.runtime.restore(stored.runtime);
        for (const [device, seq] of Object.entries(stored.lastSeq)) {
          this.seqs.restore(device, seq);
          this.device(device).applied = seq;
        }
        this.log(`restored ${Object.keys(stored.lastSeq).length} streams from ${this.store.file} (${stored.createdAt})`);
      }
      this.commitTimer = setInterval(() => {
        this.commit(false).catch((err: Error) => this.log(`snapshot failed (acks wait for the next one): ${err.message}`));
      }, this.options.snapshotIntervalMs);
      this.commitTimer.unref();
    }
    this.pub = this.connect(`${this.options.clientId}-pub`);
    this.sub = this.connect(this.options.clientId);
    this.pub.on('connect', () => this.flushOutbox());
    this.acks = new HeldAcks(this.sub);
    const sub = this.sub;
    // Bounded: past maxInflight, stop taking packets off the socket and TCP pushes back on the
    // broker (Mosquitto 2.0.11 does not keep to the Receive Maximum we send). Not with a broker
    // inside this process (aedes): its delivery to a blocked socket holds back every other
    // message, our own predictions included, and nothing would move again.
    sub.handleMessage = (packet, callback) => {
      this.arrive(packet as IPublishPacket);
      if (!this.options.pauseReading || this.inflight < this.options.maxInflight || this.draining) callback();
      else this.readWaiters.push(() => callback());
    };
    sub.on('connect', (connack) => {
      if (connack.sessionPresent) return;
      sub.subscribe(this.options.subscribe, { qos: this.options.qos }, (err) => {
        if (err) this.log(`subscribe failed: ${err.message}`);
      });
    });
    await Promise.all([once(this.pub, 'connect'), once(sub, 'connect')]);
  }

  private connect(clientId: string): MqttClient {
    const o = this.options;
    const opts: IClientOptions = {
      clientId,
      protocolVersion: o.protocolVersion,
      clean: false, // persistent session: the broker queues QoS 1 samples while we are down
      reconnectPeriod: 0, // we reconnect ourselves, with backoff
      connectTimeout: 5_000,
      keepalive: 30,
      resubscribe: false,
    };
    if (o.protocolVersion === 5) {
      // The session outlives the connection, and the broker may have this many samples in flight to us.
      opts.properties = { sessionExpiryInterval: 0xffffffff, receiveMaximum: Math.min(65535, o.maxInflight) };
    }
    if (o.username !== undefined) opts.username = o.username;
    if (o.password !== undefined) opts.password = o.password;
    const client = mqtt.connect(o.broker, opts);
    client.on('connect', () => {
      // Predictions and acks are small writes: with Nagle's algorithm they wait for the previous one's TCP ack.
      (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
      this.reconnectDelay.delete(client);
      this.log(`${clientId} connected to ${o.broker}`);
    });
    client.on('error', (err) => this.log(`${clientId}: ${err.message}`));
    client.on('close', () => {
      if (this.draining && client.disconnecting) return;
      const delay = this.reconnectDelay.get(client) ?? o.reconnectMinMs;
      this.reconnectDelay.set(client, Math.min(o.reconnectMaxMs, delay * 2));
      // Jitter keeps many s7rt instances from reconnecting in lockstep.
      const timer = setTimeout(() => {
        // Pass the stores on: a bare reconnect() starts empty ones and forgets unacked QoS 1 publishes.
        if (!client.disconnecting && !client.connected) client.reconnect({ incomingStore: client.incomingStore, outgoingStore: client.outgoingStore });
      }, delay * (0.75 + Math.random() * 0.5));
      timer.unref();
    });
    return client;
  }

  private arrive(packet: IPublishPacket): void {
    const ticket = this.acks!.hold(packet);
    if (this.draining) return; // held and never released: the broker redelivers it to the next run
    const arrivedAt = performance.now();
    this.received++;
    this.inflight++;
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    let device: string | undefined;
    let sample: WireSample;
    try {
      if (this.pattern) {
        device = this.pattern.match(packet.topic);
        if (device === undefined) throw new PayloadError('topic-shape', 'topic', `"${packet.topic}" does not match ${this.pattern.source}`);
      }
      sample = decodeSample(payload, { format: this.options.format, size: this.model.inputSize, maxBytes: this.options.maxPayloadBytes });
      if (device === undefined) {
        if (sample.device === undefined) throw new PayloadError('bad-shape', 'device', 'payload has no "device" and --device-from is payload');
        device = sample.device;
      }
    } catch (err) {
      this.deadLetter(packet.topic, payload, device, err, ticket);
      return;
    }
    const verdict = this.seqs.accept(device, sample.seq);
    if (verdict.kind === 'late') {
      const why = `seq ${sample.seq} arrived after seq ${verdict.last}: it was counted as a gap and the state has moved past it`;
      this.deadLetter(packet.topic, payload, device, new PayloadError('late', 'seq', why), ticket);
      return;
    }
    const q = this.device(device);
    if (verdict.kind === 'duplicate') {
      this.duplicates++;
      q.queue.push({ ticket, arrivedAt });
    } else {
      if (verdict.gap > 0) {
        this.gapEvents++;
        this.gapSamples += verdict.gap;
        this.log(`gap: device ${device} skipped ${verdict.gap} sample(s) before seq ${sample.seq}`);
      }
      q.queue.push({ ticket, arrivedAt, sample });
    }
    this.pump(q);
  }

  private device(key: string): DeviceQueue {
    let q = this.devices.get(key);
    if (!q) {
      q = { key, queue: [], busy: false };
      this.devices.set(key, q);
    }
    return q;
  }

  private pump(q: DeviceQueue): void {
    if (q.busy || this.paused || q.queue.length === 0) return;
    q.busy = true;
    this.busyDevices++;
    void this.run(q).finally(() => {
      q.busy = false;
      this.busyDevices--;
      this.checkIdle();
      this.pump(q);
    });
  }

  /** Runs the head of a device's queue: up to maxBatch samples in one runtime call. */
  private async run(q: DeviceQueue): Promise<void> {
    const batch: Entry[] = [];
    let samples = 0;
    while (q.queue.length > 0 && samples < this.options.maxBatch) {
      // a session start resets the state, so it begins a runtime call of its own
      if (samples > 0 && q.queue[0].sample?.reset) break;
      const e = q.queue.shift()!;
      batch.push(e);
      if (e.sample) samples++;
    }
    const todo = batch.filter((e) => e.sample !== undefined);
    let predictions: Prediction[] = [];
    if (todo.length > 0) {
      try {
        q.handle ??= await this.runtime.stream(q.key);
        if (todo[0].sample!.reset) await q.handle.reset();
        const input: Sample[] = todo.map((e) => ({ values: e.sample!.values }));
        predictions = input.length === 1 ? [await q.handle.step(input[0])] : await q.handle.push(input);
        q.applied = todo[todo.length - 1].sample!.seq;
      } catch (err) {
        for (const e of todo) {
          const payload = Buffer.from(JSON.stringify({ seq: e.sample!.seq, values: Array.from(e.sample!.values) }));
          this.deadLetter(fillTopic(this.pattern?.source ?? '{device}', q.key), payload, q.key, new PayloadError('runtime-error', 'runtime', (err as Error).message), e.ticket);
        }
        for (const e of batch) if (!e.sample) this.done(e.ticket);
        return;
      }
    }
    let i = 0;
    for (const e of batch) {
      if (!e.sample) {
        this.done(e.ticket); // a duplicate: its original is ahead of it in this queue
        continue;
      }
      const p = predictions[i++];
      this.publishPrediction(q.key, e, p);
    }
  }

  private publishPrediction(device: string, e: Entry, p: Prediction): void {
    this.unpublished++;
    this.events.onPrediction?.(device, e.sample!, p);
    this.send(fillTopic(this.options.publish, device), encodePrediction(device, e.sample!, p), (err) => {
      this.unpublished--;
      if (err) this.log(`publish for ${device} seq ${e.sample!.seq} failed: ${err.message}`); // mqtt.js retries QoS 1 on reconnect
      this.predictions++;
      const seconds = (performance.now() - e.arrivedAt) / 1000;
      this.latency.observe(seconds);
      this.latencyWindow.observe(seconds);
      this.done(e.ticket);
      this.checkIdle();
    });
  }

  /**
   * Publishes now, or once the publisher is connected again. mqtt.js can queue publishes made
   * while offline, but packet ids handed out then may clash with the ones it replays after
   * reconnecting, and such a publish never completes; so we hold them (bounded by maxInflight).
   */
  private send(topic: string, payload: Buffer, cb: (err?: Error) => void): void {
    if (!this.pub!.connected) {
      this.outbox.push({ topic, payload, cb });
      return;
    }
    this.pub!.publish(topic, payload, { qos: this.options.qos }, (err) => cb(err));
  }

  private flushOutbox(): void {
    const queued = this.outbox;
    this.outbox = [];
    for (const m of queued) this.send(m.topic, m.payload, m.cb);
  }

  /** The message's work is done; with snapshots on, its ack waits until a snapshot covers it. */
  private done(ticket: AckTicket, covered = false): void {
    if (this.store && !covered) {
      this.awaitingCommit.push(ticket);
      return;
    }
    ticket.release();
    this.inflight--;
    if (this.inflight < this.options.maxInflight && this.readWaiters.length > 0) {
      const waiters = this.readWaiters;
      this.readWaiters = [];
      for (const w of waiters) w();
    }
  }

  private deadLetter(topic: string, payload: Buffer, device: string | undefined, err: unknown, ticket: AckTicket): void {
    const e = err instanceof PayloadError ? err : new PayloadError('bad-shape', 'payload', String((err as Error)?.message ?? err));
    this.rejected[e.reason]++;
    const letter = {
      reason: e.reason,
      where: e.where,
      error: e.message,
      topic,
      device,
      bytes: payload.byteLength,
      // enough to recognise the payload; a 10 MB payload is not copied to the dead-letter topic
      payloadPrefix: payload.subarray(0, 256).toString('base64'),
      at: new Date().toISOString(),
    };
    this.unpublished++;
    this.send(this.options.deadLetterTopic, Buffer.from(JSON.stringify(letter)), () => {
      this.unpublished--;
      this.done(ticket, true); // nothing to snapshot: a rejected sample never touches a state
      this.checkIdle();
    });
  }

  private checkIdle(): void {
    if (this.busyDevices === 0 && this.unpublished === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private idle(): Promise<void> {
    if (this.busyDevices === 0 && this.unpublished === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Writes a snapshot covering every applied sample, then releases their acks. Processing pauses
   * while the runtime's states are read so that states and seqs match exactly.
   */
  commit(force: boolean): Promise<void> {
    if (!this.store) return Promise.resolve();
    if (this.committing) return this.committing;
    if (!force && this.awaitingCommit.length === 0) return Promise.resolve();
    this.committing = (async () => {
      this.paused = true;
      let tickets: AckTicket[] = [];
      try {
        let snapshot: Snapshot;
        const lastSeq: Record<string, number> = {};
        try {
          await this.idle();
          tickets = this.awaitingCommit;
          this.awaitingCommit = [];
          snapshot = await this.runtime.snapshot();
          for (const q of this.devices.values()) if (q.applied !== undefined) lastSeq[q.key] = q.applied;
        } finally {
          this.paused = false;
          for (const q of this.devices.values()) this.pump(q);
        }
        this.lastSnapshotBytes = await this.store!.write({ runtime: snapshot, lastSeq, createdAt: new Date().toISOString() });
        this.snapshotsWritten++;
      } catch (err) {
        // Not covered yet: these acks wait for the next snapshot that succeeds.
        this.awaitingCommit = tickets.concat(this.awaitingCommit);
        throw err;
      }
      for (const t of tickets) this.done(t, true);
    })().finally(() => {
      this.committing = undefined;
    });
    return this.committing;
  }

  /** Finishes queued work, writes a final snapshot, acks what it covers and disconnects. */
  async stop(timeoutMs = 5_000): Promise<void> {
    this.draining = true;
    for (const w of this.readWaiters.splice(0)) w();
    if (this.commitTimer) clearInterval(this.commitTimer);
    const drained = await withTimeout(this.drained(), timeoutMs);
    if (this.store) {
      // Without a drained pipeline (broker down), keep the last snapshot: everything after it is unacked and will be redelivered.
      if (drained) await withTimeout(this.commit(true).catch((err: Error) => this.log(`final snapshot failed: ${err.message}`)), timeoutMs);
      else this.log('stop: pipeline did not drain; keeping the previous snapshot');
    }
    await Promise.all([endClient(this.sub), endClient(this.pub)]);
  }

  private async drained(): Promise<void> {
    for (;;) {
      const queued = [...this.devices.values()].some((q) => q.queue.length > 0);
      if (!queued && this.busyDevices === 0 && this.unpublished === 0) return;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  get connected(): boolean {
    return Boolean(this.sub?.connected && this.pub?.connected);
  }

  readiness(modelLoaded = true): Readiness {
    const checks = { broker: this.connected, model: modelLoaded };
    return { ready: checks.broker && checks.model, checks };
  }

  status(): ServiceStatus {
    const now = performance.now();
    const rate = ((this.received - this.lastRate.received) * 1000) / Math.max(1, now - this.lastRate.at);
    this.lastRate = { at: now, received: this.received };
    let maxLag = 0;
    for (const q of this.devices.values()) maxLag = Math.max(maxLag, q.queue.length);
    return {
      received: this.received,
      predictions: this.predictions,
      messagesPerSecond: rate,
      streams: this.devices.size,
      p50Ms: this.latencyWindow.quantile(0.5) * 1000,
      p99Ms: this.latencyWindow.quantile(0.99) * 1000,
      rejected: Object.values(this.rejected).reduce((a, b) => a + b, 0),
      duplicates: this.duplicates,
      gaps: this.gapSamples,
      maxLag,
      inflight: this.inflight,
      connected: this.connected,
      pipeline: { paused: this.paused, running: this.busyDevices, publishing: this.unpublished, offline: this.outbox.length, awaitingSnapshot: this.awaitingCommit.length },
    };
  }

  metrics(): string {
    const lag: Array<[Record<string, string>, number]> = [...this.devices.values()].map((q) => [{ device: q.key }, q.queue.length]);
    const lastSeq: Array<[Record<string, string>, number]> = [...this.devices.values()]
      .filter((q) => q.applied !== undefined)
      .map((q) => [{ device: q.key }, q.applied!]);
    const mem = process.memoryUsage();
    const samples: MetricSample[] = [
      { name: 's7rt_samples_received_total', help: 'MQTT messages received on the sample topics', type: 'counter', value: this.received },
      { name: 's7rt_predictions_published_total', help: 'predictions published and acked by the broker', type: 'counter', value: this.predictions },
      { name: 's7rt_duplicates_total', help: 'redelivered samples (same or older seq), acked without stepping', type: 'counter', value: this.duplicates },
      { name: 's7rt_gap_samples_total', help: 'samples missing between consecutive seqs of a device', type: 'counter', value: this.gapSamples },
      { name: 's7rt_gaps_total', help: 'seq jumps seen', type: 'counter', value: this.gapEvents },
      {
        name: 's7rt_rejected_total',
        help: 'samples dead-lettered, by reason',
        type: 'counter',
        value: Object.entries(this.rejected).map(([reason, n]) => [{ reason }, n]),
      },
      { name: 's7rt_inflight_samples', help: 'samples received and not yet acked', type: 'gauge', value: this.inflight },
      { name: 's7rt_streams', help: 'devices with a stream', type: 'gauge', value: this.devices.size },
      { name: 's7rt_stream_lag_samples', help: 'samples queued per device, not yet applied', type: 'gauge', value: lag },
      { name: 's7rt_stream_last_seq', help: 'last applied seq per device', type: 'gauge', value: lastSeq },
      { name: 's7rt_broker_connected', help: '1 when both MQTT connections are up', type: 'gauge', value: this.connected ? 1 : 0 },
      { name: 's7rt_snapshots_written_total', help: 'durable snapshots written', type: 'counter', value: this.snapshotsWritten },
      { name: 's7rt_snapshot_bytes', help: 'size of the last snapshot', type: 'gauge', value: this.lastSnapshotBytes },
      { name: 'process_resident_memory_bytes', help: 'resident set size', type: 'gauge', value: mem.rss },
      { name: 'nodejs_heap_used_bytes', help: 'V8 heap in use', type: 'gauge', value: mem.heapUsed },
    ];
    return renderPrometheus(samples, [
      { name: 's7rt_latency_seconds', help: 'from a sample arriving to the broker acking its prediction', h: this.latency },
    ]);
  }

  private log(line: string): void {
    this.events.onLog?.(line);
  }
}

function once(client: MqttClient, event: 'connect'): Promise<void> {
  return new Promise((resolve) => client.once(event, () => resolve()));
}

function endClient(client: MqttClient | undefined): Promise<void> {
  if (!client) return Promise.resolve();
  return new Promise((resolve) => client.end(false, {}, () => resolve()));
}

async function withTimeout(p: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([p.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
