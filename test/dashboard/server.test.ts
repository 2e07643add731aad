import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard } from '../../src/dashboard/build.mjs';
import { type DashboardServer, startDashboardServer } from '../../src/dashboard/server';

let server: DashboardServer;

beforeAll(async () => {
  await buildDashboard();
  server = await startDashboardServer({ brokerWsUrl: 'ws://127.0.0.1:9' });
});
afterAll(() => server?.close());

describe('startDashboardServer', () => {
  it('serves the page cross-origin isolated (SharedArrayBuffer for threaded wasm)', async () => {
    const res = await fetch(server.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(await res.text()).toContain('<s7-stream-view');
  });

  it('tells the page where the broker, runtime and zoo models are', async () => {
    const config = await (await fetch(new URL('config.json', server.url))).json();
    expect(config).toMatchObject({ brokerWsUrl: 'ws://127.0.0.1:9', runtimeUrl: 'runtime/index.js', sensorModel: 'sensor-activity' });
    expect(config.models['sensor-activity']).toBe('models/sensor-activity/');
    const manifest = await (await fetch(new URL(`${config.models['sensor-activity']}manifest.json`, server.url))).json();
    expect(manifest.id).toBe('sensor-activity');
  });

  it('serves the runtime build and its wasm with the right types', async () => {
    const js = await fetch(new URL('runtime/index.js', server.url));
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    const wasm = await fetch(new URL('runtime/ort-wasm-simd-threaded.jsep.wasm', server.url), { method: 'HEAD' });
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
  });

  it('answers 404 for missing files and 403 for paths outside its folders', async () => {
    expect((await fetch(new URL('nope.js', server.url))).status).toBe(404);
    const escape = await fetch(`${server.url}models/..%2f..%2fpackage.json`);
    expect(escape.status).toBe(403);
    const post = await fetch(server.url, { method: 'POST' });
    expect(post.status).toBe(405);
  });
});
