// The broker-side WebSocket stream: what aedes writes in one tick reaches the browser as one
// WebSocket message, in order and whole; what the client sends comes out of the stream.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import type { Duplex } from 'node:stream';
import { mqttWebSocketStream } from '../../src/mqtt/websocket-stream';

let wss: WebSocketServer;
let server: Duplex;
let client: WebSocket;
const received: Buffer[] = [];

beforeAll(async () => {
  wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((r) => wss.once('listening', r));
  const connected = new Promise<Duplex>((ok) => wss.once('connection', (ws) => ok(mqttWebSocketStream(ws))));
  client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  client.on('message', (data: Buffer) => received.push(data));
  await new Promise((r) => client.once('open', r));
  server = await connected;
});

afterAll(async () => {
  client?.close();
  await new Promise((r) => wss.close(r));
});

describe('mqttWebSocketStream', () => {
  it('sends the writes of one event-loop turn as one WebSocket message, and a later turn as another', async () => {
    for (let i = 0; i < 5; i++) server.write(Buffer.from([i, i]));
    await new Promise((r) => setTimeout(r, 50));
    server.write(Buffer.from('tail'));
    await new Promise((r) => setTimeout(r, 50));
    expect(received.map((b) => [...b])).toEqual([[0, 0, 1, 1, 2, 2, 3, 3, 4, 4], [...Buffer.from('tail')]]);
  });

  it('keeps order and every byte under a burst of 10,000 writes', async () => {
    received.length = 0;
    let expected = 0;
    for (let i = 0; i < 10_000; i++) {
      server.write(Buffer.from(`${i},`));
      expected += `${i},`.length;
      if (i % 1000 === 999) await new Promise((r) => setImmediate(r));
    }
    for (let i = 0; i < 100 && received.reduce((a, b) => a + b.length, 0) < expected; i++) await new Promise((r) => setTimeout(r, 20));
    const text = Buffer.concat(received).toString();
    expect(text).toBe(Array.from({ length: 10_000 }, (_, i) => `${i},`).join(''));
    expect(received.length).toBeLessThan(100); // not one message per write
  });

  it('passes what the client sends to the broker, and ends when the client closes', async () => {
    const data = new Promise<Buffer>((ok) => server.once('data', ok));
    client.send(Buffer.from([0x10, 0x01, 0x00]));
    expect([...(await data)]).toEqual([0x10, 0x01, 0x00]);
    const closed = new Promise((ok) => server.once('close', ok));
    client.close();
    await closed;
  });
});
