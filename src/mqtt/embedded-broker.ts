// The embedded broker for `s7rt demo` and for running without one: aedes on loopback, MQTT 3.1.1
// over TCP and over WebSocket (browsers, the dashboard). aedes does not speak MQTT 5.
import { createServer as createTcpServer, type Server as TcpServer, type AddressInfo } from 'node:net';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { Aedes } from 'aedes';
import { WebSocketServer } from 'ws';
import { mqttWebSocketStream } from './websocket-stream.js';

export interface EmbeddedBroker {
  /** mqtt://127.0.0.1:<port> */
  readonly tcpUrl: string;
  /** ws://127.0.0.1:<port> */
  readonly wsUrl: string;
  close(): Promise<void>;
}

export interface EmbeddedBrokerOptions {
  host?: string;
  /** 0 = any free port */
  tcpPort?: number;
  wsPort?: number;
}

function listen(server: TcpServer | HttpServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

export async function startEmbeddedBroker(opts: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
  const host = opts.host ?? '127.0.0.1';
  const aedes = await Aedes.createBroker();
  const tcp = createTcpServer(aedes.handle);
  const http = createHttpServer();
  const wss = new WebSocketServer({ server: http });
  wss.on('connection', (socket, req) => {
    aedes.handle(mqttWebSocketStream(socket), req); // one WebSocket message per event-loop turn, not per piece
  });
  const tcpPort = await listen(tcp, opts.tcpPort ?? 0, host);
  const wsPort = await listen(http, opts.wsPort ?? 0, host);
  return {
    tcpUrl: `mqtt://${host}:${tcpPort}`,
    wsUrl: `ws://${host}:${wsPort}`,
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}
