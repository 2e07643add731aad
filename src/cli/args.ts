// `s7rt run` / `s7rt demo` options: command line (node:util parseArgs) over an optional JSON
// config file whose keys are the long option names ({"broker": "...", "snapshot-dir": "..."}).
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError } from '../mqtt/errors';
import type { PayloadFormat } from '../mqtt/payload';

type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export const runOptionSpec = {
  config: { type: 'string' },
  model: { type: 'string' },
  broker: { type: 'string' },
  subscribe: { type: 'string', multiple: true },
  'device-pattern': { type: 'string' },
  'device-from': { type: 'string' },
  publish: { type: 'string' },
  'dead-letter': { type: 'string' },
  qos: { type: 'string' },
  'client-id': { type: 'string' },
  protocol: { type: 'string' },
  format: { type: 'string' },
  'max-payload': { type: 'string' },
  'max-inflight': { type: 'string' },
  batch: { type: 'string' },
  'snapshot-dir': { type: 'string' },
  'snapshot-interval': { type: 'string' },
  'health-port': { type: 'string' },
  'status-interval': { type: 'string' },
  workers: { type: 'string' },
  backend: { type: 'string' },
  username: { type: 'string' },
  password: { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionSpec;

export const demoOptionSpec = {
  ...runOptionSpec,
  devices: { type: 'string' },
  duration: { type: 'string' },
  recordings: { type: 'string' },
  rate: { type: 'string' },
  'segment-seconds': { type: 'string' },
  'dashboard-port': { type: 'string' },
} as const satisfies OptionSpec;

export const serveOptionSpec = {
  config: { type: 'string' },
  broker: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  model: { type: 'string' },
  'samples-topic': { type: 'string' },
  'predictions-topic': { type: 'string' },
  'events-topic': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionSpec;

export type RawOptions = Record<string, string | string[] | boolean | undefined>;

/** Parses argv; a config file's values fill in what the command line leaves out. */
export function parseCommandLine(argv: string[], spec: OptionSpec): RawOptions {
  let parsed: { values: RawOptions; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: spec, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (err) {
    throw new ConfigError('command line', (err as Error).message);
  }
  if (parsed.positionals.length > 0) throw new ConfigError('command line', `unexpected argument "${parsed.positionals[0]}"`);
  const values = parsed.values;
  const configPath = values.config;
  if (typeof configPath !== 'string') return values;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch (err) {
    throw new ConfigError('--config', `${configPath}: ${(err as Error).message}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new ConfigError('--config', `${configPath}: expected a JSON object`);
  const merged: RawOptions = {};
  for (const [key, v] of Object.entries(json as Record<string, unknown>)) {
    const s = spec[key];
    if (!s || key === 'config' || key === 'help') throw new ConfigError('--config', `${configPath}: unknown option "${key}"`);
    if (s.type === 'boolean') {
      if (typeof v !== 'boolean') throw new ConfigError('--config', `${configPath}: "${key}" must be true or false`);
      merged[key] = v;
    } else if (s.multiple) {
      merged[key] = (Array.isArray(v) ? v : [v]).map(String);
    } else {
      if (typeof v !== 'string' && typeof v !== 'number') throw new ConfigError('--config', `${configPath}: "${key}" must be a string or number`);
      merged[key] = String(v);
    }
  }
  for (const [k, v] of Object.entries(values)) if (v !== undefined) merged[k] = v;
  return merged;
}

export function str(o: RawOptions, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' ? v : undefined;
}

export function int(o: RawOptions, key: string, fallback: number, min = 0): number {
  const v = str(o, key);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`--${key}`, `expected an integer >= ${min}, got "${v}"`);
  return n;
}

export function num(o: RawOptions, key: string, fallback: number, min = 0): number {
  const v = str(o, key);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new ConfigError(`--${key}`, `expected a number >= ${min}, got "${v}"`);
  return n;
}

export function oneOf<T extends string>(o: RawOptions, key: string, allowed: readonly T[], fallback: T): T {
  const v = str(o, key);
  if (v === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(v)) throw new ConfigError(`--${key}`, `expected one of ${allowed.join(', ')}, got "${v}"`);
  return v as T;
}

export const formats: readonly PayloadFormat[] = ['json', 'binary'];
/** in Node: native (onnxruntime-node) or wasm (onnxruntime-web); auto = native where it loads */
export const nodeBackends = ['auto', 'native', 'wasm'] as const;
