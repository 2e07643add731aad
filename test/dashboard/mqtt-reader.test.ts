// The dashboard's MQTT reader against a real broker (aedes over WebSocket, as the page uses it),
// run in Node with ws' WebSocket in place of the browser's: subscriptions, packets
// split across and packed into WebSocket messages, subscriptions added later, reconnecting.
import { Aedes } from 'aedes';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { MqttReader, type ReaderStatus } from '../../src/dashboard/rx/mqtt-reader';
import { mqttWebSocketStream } from '../../src/mqtt/websocket-stream';

let aedes: Aedes;
let http: ReturnType<typeof createServer>;
let wss: WebSocketServer;
let url: string;
const sockets: WebSocket[] = [];
let publisher: MqttClient;
const g = globalThis as { WebSocket?: unknown };
const hadWebSocket = g.WebSocket;

beforeAll(async () => {
  g.WebSocket ??= WebSocket;
  aedes = await Aedes.createBroker();
  http = createServer();
  wss = new WebSocketServer({ server: http });
  wss.on('connection', (ws) => {
    sockets.push(ws);
    aedes.handle(mqttWebSocketStream(ws) as never);
  });
  await new Promise<void>((ok) => http.listen(0, '127.0.0.1', ok));
  url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
  publisher = await mqtt.connectAsync(url, { clientId: 'reader-test-publisher', reconnectPeriod: 0 });
});

afterAll(async () => {
  await publisher?.endAsync(true);
  for (const c of wss.clients) c.terminate();
  await new Promise<void>((ok) => wss.close(() => ok()));
  await new Promise<void>((ok) => http.close(() => ok()));
  await new Promise<void>((ok) => aedes.close(() => ok()));
  g.WebSocket = hadWebSocket;
});

function open(topics: string[]) {
  const got: [string, string][] = [];
  const statuses: ReaderStatus[] = [];
  let waiters: (() => void)[] = [];
  const reader = new MqttReader({
    url,
    topics,
    clientId: `reader-${Math.random().toString(16).slice(2, 8)}`,
    onMessage: (t, p) => {
      got.push([t, Buffer.from(p).toString()]);
      waiters.forEach((w) => w());
    },
    onStatus: (s) => {
      statuses.push(s);
      waiters.forEach((w) => w());
    },
  });
  const until = async (ok: () => boolean) => {
    for (let i = 0; !ok(); i++) {
      if (i > 200) throw new Error(`timed out; statuses ${statuses.join(',')}, got ${got.length}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 25);
      });
      waiters = [];
    }
  };
  return { reader, got, statuses, until };
}

describe('MqttReader', () => {
  it('subscribes and receives messages published at QoS 0 or 1 (delivered at QoS 0), large and many at once', async () => {
    const r = open(['a/+/x']);
    await r.until(() => r.statuses.includes('connected'));
    const big = 'y'.repeat(200_000); // a remaining length of 3 bytes, split over TCP reads
    await publisher.publishAsync('a/1/x', 'first', { qos: 0 });
    await publisher.publishAsync('a/2/x', big, { qos: 1 });
    await publisher.publishAsync('b/1/x', 'not subscribed');
    await Promise.all(Array.from({ length: 500 }, (_, i) => publisher.publishAsync(`a/${i}/x`, String(i))));
    await r.until(() => r.got.length >= 502);
    expect(r.got.slice(0, 2)).toEqual([['a/1/x', 'first'], ['a/2/x', big]]);
    expect(r.got.slice(2).map(([, p]) => Number(p))).toEqual(Array.from({ length: 500 }, (_, i) => i));
    r.reader.close();
    expect(r.statuses.at(-1)).toBe('closed');
  });

  it('adds subscriptions on a live connection', async () => {
    const r = open(['c/+']);
    await r.until(() => r.statuses.includes('connected'));
    r.reader.subscribe(['d/+']);
    await r.until(() => r.statuses.filter((s) => s === 'connected').length >= 2);
    await publisher.publishAsync('d/7', 'later');
    await r.until(() => r.got.length >= 1);
    expect(r.got).toEqual([['d/7', 'later']]);
    r.reader.close();
  });

  it('replaces subscriptions on a live connection without reconnecting: dropped filters stop, new ones start', async () => {
    const r = open(['f/+']);
    await r.until(() => r.statuses.includes('connected'));
    await publisher.publishAsync('f/1', 'before');
    await r.until(() => r.got.length >= 1);
    r.reader.setTopics(['g/+']);
    await r.until(() => r.statuses.filter((s) => s === 'connected').length >= 2); // SUBACK for g/+
    await new Promise((res) => setTimeout(res, 100)); // the UNSUBSCRIBE went out with it
    await publisher.publishAsync('f/2', 'dropped');
    await publisher.publishAsync('g/1', 'after');
    await r.until(() => r.got.length >= 2);
    expect(r.got).toEqual([['f/1', 'before'], ['g/1', 'after']]);
    expect(r.statuses).not.toContain('reconnecting');
    r.reader.close();
  });

  it('reconnects and subscribes again after the broker drops the connection', async () => {
    const r = open(['e/+']);
    await r.until(() => r.statuses.includes('connected'));
    sockets.at(-1)!.terminate(); // this reader's socket (the publisher's is the first)
    await r.until(() => r.statuses.includes('offline'));
    await r.until(() => r.statuses.filter((s) => s === 'connected').length >= 2);
    expect(r.statuses).toContain('reconnecting');
    await publisher.publishAsync('e/1', 'again');
    await r.until(() => r.got.length >= 1);
    expect(r.got).toEqual([['e/1', 'again']]);
    r.reader.close();
  });
});
