// startDashboardServer: serves the dashboard page (dist/dashboard/), the runtime's browser build
// (dist/browser/ at /runtime/) and the model zoo (models/zoo/ at /models/) over node:http, plus
// /config.json telling the page where the broker's WebSocket listener is. COOP/COEP make the page
// cross-origin isolated so onnxruntime-web may use SharedArrayBuffer (multi-threaded wasm).
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PageConfig } from './page/config.js';

export interface DashboardServerOptions {
  /** default 0: any free port */
  port?: number;
  /** default 127.0.0.1 */
  host?: string;
  /** the broker's WebSocket URL as the browser must reach it, e.g. ws://127.0.0.1:8083 */
  brokerWsUrl: string;
  /** repository root holding dist/ and models/zoo/; default: found from this file */
  root?: string;
  /** model used for the sensor streams in browser-only mode; default "sensor-activity" */
  sensorModel?: string;
  samplesTopic?: string;
  predictionsTopic?: string;
  eventsTopic?: string;
}

export interface DashboardServer {
  /** http://host:port/ : open it in a browser */
  url: string;
  close(): Promise<void>;
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.png': 'image/png',
};

/** The repository root: two levels above this file, whether it runs from src/dashboard/ or dist/node/. */
function defaultRoot(): string {
  return resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
}

/** The file under `base` that `rest` names, or undefined if it would escape `base`. */
function within(base: string, rest: string): string | undefined {
  const path = normalize(join(base, decodeURIComponent(rest)));
  return path === base || path.startsWith(base + sep) ? path : undefined;
}

export async function startDashboardServer(opts: DashboardServerOptions): Promise<DashboardServer> {
  const root = resolve(opts.root ?? defaultRoot());
  const mounts: [prefix: string, dir: string][] = [
    ['/runtime/', join(root, 'dist/browser')],
    ['/models/', join(root, 'models/zoo')],
    ['/', join(root, 'dist/dashboard')],
  ];
  const zoo = join(root, 'models/zoo');
  const models: Record<string, string> = {};
  for (const entry of await readdir(zoo, { withFileTypes: true }).catch(() => [])) {
    if (entry.isDirectory()) models[entry.name] = `models/${entry.name}/`;
  }
  const config: PageConfig = {
    brokerWsUrl: opts.brokerWsUrl,
    runtimeUrl: 'runtime/index.js',
    models,
    sensorModel: opts.sensorModel ?? 'sensor-activity',
    gestureModel: models['dvs-gesture-sim'] ? 'dvs-gesture-sim' : undefined,
    samplesTopic: opts.samplesTopic,
    predictionsTopic: opts.predictionsTopic,
    eventsTopic: opts.eventsTopic,
  };

  const server = createServer((req, res) => {
    serve(req, res).catch((e: unknown) => send(res, 500, `internal error: ${e instanceof Error ? e.message : String(e)}`));
  });

  function send(res: ServerResponse, status: number, text: string, type = 'text/plain; charset=utf-8'): void {
    if (res.headersSent) return void res.destroy();
    res.writeHead(status, { ...isolation, 'content-type': type, 'cache-control': 'no-store' });
    res.end(text);
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, `${req.method} not allowed`);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/config.json') return send(res, 200, JSON.stringify(config), types['.json']);
    const [prefix, dir] = mounts.find(([p]) => path.startsWith(p)) as [string, string];
    let file: string | undefined;
    try {
      file = within(dir, path.slice(prefix.length) || 'index.html');
    } catch {
      return send(res, 400, `bad path: ${path}`);
    }
    if (!file) return send(res, 403, `outside the served folder: ${path}`);
    const info = await stat(file).catch(() => undefined);
    if (info?.isDirectory()) file = join(file, 'index.html');
    const found = info?.isDirectory() ? await stat(file).catch(() => undefined) : info;
    if (!found?.isFile()) {
      const hint = prefix === '/' && path === '/' ? ' (run `node src/dashboard/build.mjs`)' : prefix === '/runtime/' ? ' (run `npm run build`)' : '';
      return send(res, 404, `not found: ${path}${hint}`);
    }
    res.writeHead(200, {
      ...isolation,
      'content-type': types[extname(file)] ?? 'application/octet-stream',
      'content-length': String(found.size),
      'cache-control': 'no-cache',
    });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file).on('error', () => res.destroy()).pipe(res);
  }

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => ok());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}/`,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

const isolation = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
};
