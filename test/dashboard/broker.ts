// A real MQTT broker for the dashboard tests: aedes over WebSocket (what the page uses) on a free
// loopback port, and a Node mqtt.js client on the same listener to publish as devices and s7rt do.
import { Aedes } from 'aedes';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import { WebSocketServer } from 'ws';
import { mqttWebSocketStream } from '../../src/mqtt/websocket-stream';

export interface TestBroker {
  wsUrl: string;
  publisher: MqttClient;
  close(): Promise<void>;
}

export async function startTestBroker(): Promise<TestBroker> {
  const aedes = await Aedes.createBroker();
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  wss.on('connection', (ws) => aedes.handle(mqttWebSocketStream(ws) as never));
  await new Promise<void>((ok) => http.listen(0, '127.0.0.1', ok));
  const wsUrl = `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const publisher = await mqtt.connectAsync(wsUrl, { clientId: 'test-publisher', reconnectPeriod: 0 });
  return {
    wsUrl,
    publisher,
    async close() {
      await publisher.endAsync(true);
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((ok) => wss.close(() => ok()));
      await new Promise<void>((ok) => http.close(() => ok()));
      await new Promise<void>((ok) => aedes.close(() => ok()));
    },
  };
}
