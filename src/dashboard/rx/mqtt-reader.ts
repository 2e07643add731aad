// A subscribe-only MQTT 3.1.1 client over WebSocket, for the dashboard: CONNECT, SUBSCRIBE (QoS 0),
// UNSUBSCRIBE, PUBLISH in (QoS 0, and QoS 1 acknowledged), PINGREQ keep-alive, reconnect after a second.
// Why not mqtt.js: its browser build (stream and Buffer polyfills, ~450 KB) cost 2.3-2.5x the worker
// CPU per message of reading the packets directly (bench/dashboard/message-cost-bench.ts).

export type ReaderStatus = 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'closed' | 'error';

export interface MqttReaderOptions {
  url: string;
  topics: string[];
  onMessage: (topic: string, payload: Uint8Array) => void;
  onStatus?: (status: ReaderStatus, detail?: string) => void;
  clientId?: string;
  /** seconds; a PINGREQ goes out at half of it */
  keepalive?: number;
  /** ms before reconnecting after the connection dropped */
  reconnectPeriod?: number;
}

const utf8 = new TextEncoder();
const text = new TextDecoder();

function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

function str(s: string): number[] {
  const b = utf8.encode(s);
  return [b.length >> 8, b.length & 0xff, ...b];
}

function packet(type: number, body: number[]): Uint8Array {
  return new Uint8Array([type, ...varint(body.length), ...body]);
}

export class MqttReader {
  private ws?: WebSocket;
  private buffer = new Uint8Array(0);
  private readonly topics: Set<string>;
  private nextId = 1;
  private ping?: ReturnType<typeof setInterval>;
  private retry?: ReturnType<typeof setTimeout>;
  private closed = false;
  private connected = false;
  private readonly clientId: string;

  constructor(private readonly options: MqttReaderOptions) {
    this.topics = new Set(options.topics);
    this.clientId = options.clientId ?? `s7rt-dashboard-${Math.random().toString(16).slice(2, 10)}`;
    this.open('connecting');
  }

  /** Adds subscriptions (kept across reconnects). */
  subscribe(topics: string[]): void {
    const added = topics.filter((t) => !this.topics.has(t));
    for (const t of added) this.topics.add(t);
    if (added.length && this.connected) this.sendSubscribe(added);
  }

  /**
   * Subscribes to exactly `topics` on the live connection (and on reconnects): new filters are
   * subscribed, dropped ones unsubscribed; nothing is lost to a reconnect.
   */
  setTopics(topics: string[]): void {
    const next = new Set(topics);
    const removed = [...this.topics].filter((t) => !next.has(t));
    const added = topics.filter((t) => !this.topics.has(t));
    this.topics.clear();
    for (const t of next) this.topics.add(t);
    if (!this.connected) return;
    if (added.length) this.sendSubscribe(added);
    if (removed.length) this.ws?.send(packet(0xa2, [...this.packetId(), ...removed.flatMap((t) => str(t))]));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.ping);
    clearTimeout(this.retry);
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(new Uint8Array([0xe0, 0])); // DISCONNECT
    this.ws?.close();
    this.options.onStatus?.('closed');
  }

  private open(status: ReaderStatus): void {
    this.options.onStatus?.(status);
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.options.url, 'mqtt');
    } catch (e) {
      this.options.onStatus?.('error', e instanceof Error ? e.message : String(e));
      return;
    }
    this.ws = ws;
    this.buffer = new Uint8Array(0);
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      const keepalive = this.options.keepalive ?? 60;
      // protocol "MQTT", level 4 (3.1.1), clean session, keep-alive, client id
      ws.send(packet(0x10, [...str('MQTT'), 4, 0x02, keepalive >> 8, keepalive & 0xff, ...str(this.clientId)]));
      this.ping = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send(new Uint8Array([0xc0, 0])), (keepalive * 1000) / 2);
    };
    ws.onmessage = (ev: MessageEvent<ArrayBuffer>) => this.read(new Uint8Array(ev.data));
    ws.onerror = () => this.options.onStatus?.('error', `WebSocket error on ${this.options.url}`);
    ws.onclose = () => {
      clearInterval(this.ping);
      this.connected = false;
      if (this.closed) return;
      this.options.onStatus?.('offline');
      this.retry = setTimeout(() => this.open('reconnecting'), this.options.reconnectPeriod ?? 1000);
    };
  }

  private packetId(): number[] {
    const id = this.nextId;
    this.nextId = (this.nextId % 0xffff) + 1;
    return [id >> 8, id & 0xff];
  }

  private sendSubscribe(topics: string[]): void {
    this.ws?.send(packet(0x82, [...this.packetId(), ...topics.flatMap((t) => [...str(t), 0])]));
  }

  /** One WebSocket message may hold several packets, or part of one. */
  private read(chunk: Uint8Array): void {
    let data = chunk;
    if (this.buffer.length) {
      data = new Uint8Array(this.buffer.length + chunk.length);
      data.set(this.buffer);
      data.set(chunk, this.buffer.length);
    }
    let at = 0;
    while (data.length - at >= 2) {
      let length = 0;
      let mult = 1;
      let i = at + 1;
      for (; i < data.length; i++) {
        length += (data[i] & 0x7f) * mult;
        mult *= 128;
        if ((data[i] & 0x80) === 0) break;
      }
      if (i >= data.length || data.length - (i + 1) < length) break; // incomplete
      this.handle(data[at], data.subarray(i + 1, i + 1 + length));
      at = i + 1 + length;
    }
    this.buffer = at === data.length ? new Uint8Array(0) : data.slice(at);
  }

  private handle(header: number, body: Uint8Array): void {
    switch (header >> 4) {
      case 2: // CONNACK
        if (body[1] !== 0) {
          this.options.onStatus?.('error', `broker refused the connection (CONNACK code ${body[1]})`);
          return;
        }
        this.connected = true;
        this.sendSubscribe([...this.topics]);
        return;
      case 9: // SUBACK
        if (body.subarray(2).some((code) => code === 0x80)) this.options.onStatus?.('error', 'subscribe failed: the broker refused a topic');
        else this.options.onStatus?.('connected');
        return;
      case 3: {
        // PUBLISH
        const qos = (header >> 1) & 3;
        const topicLength = (body[0] << 8) | body[1];
        const topic = text.decode(body.subarray(2, 2 + topicLength));
        let at = 2 + topicLength;
        if (qos > 0) {
          if (qos === 1) this.ws?.send(new Uint8Array([0x40, 2, body[at], body[at + 1]])); // PUBACK
          at += 2;
        }
        this.options.onMessage(topic, body.subarray(at));
        return;
      }
      default: // PINGRESP, UNSUBACK: nothing to do
    }
  }
}
