// /healthz (the process answers), /readyz (broker connected and model loaded), /metrics (Prometheus).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Readiness {
  ready: boolean;
  /** each check by name, e.g. { broker: true, model: true } */
  checks: Record<string, boolean>;
}

export interface HealthSource {
  readiness(): Readiness;
  /** Prometheus text; may be async (the runtime's counters live in its workers) */
  metrics(): string | Promise<string>;
}

export interface HealthServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startHealthServer(source: HealthSource, port = 0, host = '127.0.0.1'): Promise<HealthServer> {
  const server: Server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (path === '/healthz') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      } else if (path === '/readyz') {
        const r = source.readiness(); // computed before writeHead so that a throw still gets a 500
        res.writeHead(r.ready ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(r) + '\n');
      } else if (path === '/metrics') {
        const body = await source.metrics();
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(body);
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end(`unknown path ${path}: try /healthz, /readyz, /metrics\n`);
      }
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`${(err as Error).message}\n`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  return {
    url: `http://${host}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
