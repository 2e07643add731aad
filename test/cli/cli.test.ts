// The built `s7rt` command as users run it: node bin/s7rt.js (dist/ is built by the global setup).
import { availableParallelism } from 'node:os';
import { execFile, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

function s7rt(args: string[], timeout = 120_000): Promise<{ code: number; out: string }> {
  return new Promise((res) => {
    execFile(process.execPath, ['bin/s7rt.js', ...args], { cwd: root, timeout }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      res({ code, out: stdout + stderr });
    });
  });
}

describe('s7rt', () => {
  it('--help lists every command, and run --help every option', async () => {
    const main = await s7rt(['--help']);
    expect(main.code).toBe(0);
    for (const cmd of ['demo', 'run', 'serve', 'classify']) expect(main.out).toContain(`s7rt ${cmd}`);
    const serve = await s7rt(['serve', '--help']);
    expect(serve.code).toBe(0);
    const { serveOptionSpec } = await import('../../src/cli/args');
    for (const name of Object.keys(serveOptionSpec)) expect(serve.out, `serve --${name} documented`).toContain(`--${name}`);
    const run = await s7rt(['run', '--help']);
    expect(run.code).toBe(0);
    const { runOptionSpec } = await import('../../src/cli/args');
    for (const name of Object.keys(runOptionSpec)) expect(run.out, `--${name} documented`).toContain(`--${name}`);
    const demo = await s7rt(['demo', '--help']);
    for (const name of ['--devices', '--duration', '--rate', '--recordings', '--snapshot-dir']) expect(demo.out).toContain(name);
  }, 240_000);

  it('names what is wrong and exits non-zero', async () => {
    expect(await s7rt(['frobnicate'])).toMatchObject({ code: 2, out: expect.stringContaining('unknown command "frobnicate"') });
    expect(await s7rt(['run'])).toMatchObject({ code: 1, out: expect.stringContaining('--model: required') });
    expect(await s7rt(['run', '--model', 'x', '--qos', '2'])).toMatchObject({ code: 1, out: expect.stringContaining('--qos: expected one of 0, 1') });
    expect(await s7rt(['run', '--model', 'x', '--backend', 'gpu'])).toMatchObject({ code: 1, out: expect.stringContaining('--backend: expected one of auto, native, wasm, got "gpu"') });
    expect(await s7rt(['run', '--model', 'x', '--workers', 'two'])).toMatchObject({ code: 1, out: expect.stringContaining('--workers: expected auto or an integer >= 0, got "two"') });
    const missing = await s7rt(['run', '--model', '/nonexistent/pkg', '--quiet']);
    expect(missing.code).toBe(1);
    expect(missing.out).toContain('/nonexistent/pkg');
  }, 240_000);

  it('serve: the dashboard page for a running broker, configured with its WebSocket URL; stops on SIGTERM', async () => {
    expect(await s7rt(['serve'])).toMatchObject({ code: 1, out: expect.stringContaining('--broker: required') });
    expect(await s7rt(['serve', '--broker', 'mqtt://localhost:1883'])).toMatchObject({ code: 1, out: expect.stringContaining('is not a ws:// or wss:// URL') });
    const child = spawn(process.execPath, ['bin/s7rt.js', 'serve', '--broker', 'ws://broker.example:8080', '--predictions-topic', 'out/+'], { cwd: root });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    try {
      for (const until = Date.now() + 60_000; !/at (http:\S+)/.test(out); ) {
        if (child.exitCode !== null || Date.now() > until) throw new Error(`serve did not start:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const url = out.match(/at (http:\S+)/)![1]!;
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<s7-stream-view');
      const config = await (await fetch(new URL('config.json', url))).json();
      expect(config).toMatchObject({ brokerWsUrl: 'ws://broker.example:8080', predictionsTopic: 'out/+', sensorModel: 'sensor-activity' });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await new Promise((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', r)))).toBe(0);
  }, 120_000);

  it('demo --duration runs the embedded broker, simulated sensors and the model, prints accuracy, and exits 0', async () => {
    // defaults: the native backend ('auto' in Node); --workers auto picks the thread by CPU count
    const { code, out } = await s7rt(['demo', '--duration', '12', '--devices', '4', '--status-interval', '4'], 180_000);
    expect(code, out).toBe(0);
    const cpus = availableParallelism();
    expect(out).toContain(`s7rt: native backend, ${cpus <= 2 ? 'model on the main thread' : '1 worker thread(s)'} (--workers auto, ${cpus} CPUs)\n`);
    expect(out).toMatch(/embedded MQTT broker on mqtt:\/\/127\.0\.0\.1:\d+ and ws:\/\/127\.0\.0\.1:\d+/);
    expect(out).toContain('4 simulated sensors');
    const final = [...out.matchAll(/demo: accuracy ([\d.]+)% of (\d+)/g)].at(-1);
    expect(final, out).toBeDefined();
    expect(Number(final![2])).toBeGreaterThan(100);
    // the zoo model recognises the simulator's activities far above chance (1/6)
    expect(Number(final![1])).toBeGreaterThan(50);
    expect(out).toMatch(/published \d+ samples, \d+ predictions/);
  }, 200_000);
});
