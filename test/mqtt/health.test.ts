import { afterEach, describe, expect, it } from 'vitest';
import { Histogram, QuantileWindow, renderPrometheus } from '../../src/health/metrics';
import { startHealthServer, type HealthServer } from '../../src/health/server';

let server: HealthServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('health server', () => {
  it('answers liveness, readiness (503 until ready) and metrics over real HTTP', async () => {
    let ready = false;
    server = await startHealthServer({
      readiness: () => ({ ready, checks: { broker: ready, model: true } }),
      metrics: () => renderPrometheus([{ name: 's7rt_x_total', help: 'x', type: 'counter', value: 3 }]),
    });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const notReady = await fetch(`${server.url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ ready: false, checks: { broker: false, model: true } });
    ready = true;
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    const m = await fetch(`${server.url}/metrics`);
    expect(m.headers.get('content-type')).toContain('text/plain');
    expect(await m.text()).toContain('s7rt_x_total 3');
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
  });

  it('turns a failing metrics source into a 500, not a crash', async () => {
    server = await startHealthServer({
      readiness: () => ({ ready: true, checks: {} }),
      metrics: () => {
        throw new Error('boom');
      },
    });
    const r = await fetch(`${server.url}/metrics`);
    expect(r.status).toBe(500);
    expect(await r.text()).toContain('boom');
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});

describe('metrics', () => {
  it('render counters with labels and a cumulative histogram', () => {
    const h = new Histogram([0.001, 0.01]);
    h.observe(0.0005);
    h.observe(0.005);
    h.observe(1);
    const text = renderPrometheus([{ name: 'r_total', help: 'r', type: 'counter', value: [[{ reason: 'non-finite' }, 2]] }], [{ name: 'lat', help: 'l', h }]);
    expect(text).toContain('# TYPE r_total counter\nr_total{reason="non-finite"} 2');
    expect(text).toContain('lat_bucket{le="0.001"} 1\nlat_bucket{le="0.01"} 2\nlat_bucket{le="+Inf"} 3');
    expect(text).toContain('lat_count 3');
  });

  it('keep quantiles over a bounded window', () => {
    const q = new QuantileWindow(100);
    for (let i = 0; i < 1000; i++) q.observe(i < 900 ? 1000 : i % 100);
    // only the last 100 observations count
    expect(q.quantile(0.5)).toBe(50);
    expect(q.quantile(0.99)).toBe(99);
  });
});
