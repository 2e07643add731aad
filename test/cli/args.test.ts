import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { int, oneOf, parseCommandLine, runOptionSpec } from '../../src/cli/args';
import { ConfigError } from '../../src/mqtt/errors';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 's7rt-args-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('s7rt run options', () => {
  it('parse repeatable and typed options', () => {
    const o = parseCommandLine(['--model', 'm', '--subscribe', 'a/+/x', '--subscribe', 'b/+', '--qos', '1', '--quiet'], runOptionSpec);
    expect(o).toMatchObject({ model: 'm', subscribe: ['a/+/x', 'b/+'], qos: '1', quiet: true });
    expect(int(o, 'qos', 0)).toBe(1);
  });

  it('take a config file, with the command line winning', async () => {
    const file = join(dir, 'ok.json');
    await writeFile(file, JSON.stringify({ broker: 'mqtt://b:1883', 'snapshot-dir': '/s', subscribe: 'x/+', 'max-inflight': 10, quiet: true }));
    const o = parseCommandLine(['--config', file, '--broker', 'mqtt://other:1'], runOptionSpec);
    expect(o).toMatchObject({ broker: 'mqtt://other:1', 'snapshot-dir': '/s', subscribe: ['x/+'], 'max-inflight': '10', quiet: true });
  });

  it('name what is wrong', async () => {
    expect(() => parseCommandLine(['--bogus'], runOptionSpec)).toThrow(ConfigError);
    expect(() => parseCommandLine(['stray'], runOptionSpec)).toThrow(/unexpected argument "stray"/);
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ brokr: 'x' }));
    expect(() => parseCommandLine(['--config', bad], runOptionSpec)).toThrow(/unknown option "brokr"/);
    expect(() => parseCommandLine(['--config', join(dir, 'missing.json')], runOptionSpec)).toThrow(/--config/);
    const o = parseCommandLine(['--max-inflight', 'ten', '--format', 'xml'], runOptionSpec);
    expect(() => int(o, 'max-inflight', 1, 1)).toThrow(/--max-inflight: expected an integer >= 1, got "ten"/);
    expect(() => oneOf(o, 'format', ['json', 'binary'], 'json')).toThrow(/--format: expected one of json, binary/);
  });
});
