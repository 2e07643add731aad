// Types and validation of manifest.json (docs/model-package.md). The validator collects every
// problem with its JSON path instead of stopping at the first, so one run tells the author all.
import { ManifestError, type ManifestProblem } from '../errors.js';

export const MANIFEST_FORMAT = 's7rt-model';
export const SUPPORTED_FORMAT_VERSIONS = [1] as const;

export type TimeUnit = 'sample' | 'us' | 'ms' | 's';

export interface StateEntry {
  name: string;
  shape: number[];
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  formatVersion: number;
  id: string;
  task: 'classification' | 'regression';
  input: {
    kind: 'dense' | 'tokens';
    size: number;
    names?: string[];
    normalization?: { mean: number[]; std: number[] };
    dt: boolean;
    timeUnit?: TimeUnit;
    sampleRateHz?: number;
    /** event-camera token models: how events become tokens (src/events/tokenizer.ts) */
    events?: EventTokenization;
  };
  output: { size: number; labels?: string[]; names?: string[] };
  state: StateEntry[];
  pooling?: { strides: number[] };
  graphs: {
    step: { file: string; sha256: string };
    chunk: { file: string; sha256: string; length: number };
  };
  golden: { file: string; sha256: string; atol: number; rtol: number };
  provenance?: Record<string, unknown>;
  metrics?: Record<string, unknown>;
}

/** `input.events` (docs/model-package.md); `token`, `keep` and `dt` describe it in words. */
export interface EventTokenization {
  sensor: { width: number; height: number };
  downsample: number;
  decimate: number;
  grid?: { width: number; height: number };
  token?: string;
  keep?: string;
  dt?: string;
}

/** The token formula that src/events/tokenizer.ts implements; a manifest stating another is refused. */
export const EVENT_TOKEN_FORMULA = 'p * grid.width * grid.height + floor(y / downsample) * grid.width + floor(x / downsample)';

type Json = unknown;

class Checker {
  readonly problems: ManifestProblem[] = [];
  fail(path: string, message: string): void {
    this.problems.push({ path, message });
  }
  object(v: Json, path: string): Record<string, Json> | undefined {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, Json>;
    this.fail(path, v === undefined ? 'missing' : 'must be an object');
    return undefined;
  }
  string(v: Json, path: string): v is string {
    if (typeof v === 'string' && v.length > 0) return true;
    this.fail(path, v === undefined ? 'missing' : 'must be a non-empty string');
    return false;
  }
  int(v: Json, path: string, min: number): v is number {
    if (typeof v === 'number' && Number.isInteger(v) && v >= min) return true;
    this.fail(path, v === undefined ? 'missing' : `must be an integer >= ${min}`);
    return false;
  }
  number(v: Json, path: string, min = -Infinity): v is number {
    if (typeof v === 'number' && Number.isFinite(v) && v >= min) return true;
    this.fail(path, v === undefined ? 'missing' : `must be a finite number >= ${min}`);
    return false;
  }
  oneOf<T extends string>(v: Json, path: string, allowed: readonly T[]): v is T {
    if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return true;
    this.fail(path, v === undefined ? 'missing' : `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
    return false;
  }
  strings(v: Json, path: string, length?: number): v is string[] {
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) {
      this.fail(path, v === undefined ? 'missing' : 'must be an array of strings');
      return false;
    }
    if (length !== undefined && v.length !== length) {
      this.fail(path, `has ${v.length} entries, expected ${length}`);
      return false;
    }
    return true;
  }
  numbers(v: Json, path: string, length: number, min = -Infinity): v is number[] {
    if (!Array.isArray(v) || !v.every((n) => typeof n === 'number' && Number.isFinite(n) && n >= min)) {
      this.fail(path, v === undefined ? 'missing' : `must be an array of finite numbers >= ${min}`);
      return false;
    }
    if (v.length !== length) {
      this.fail(path, `has ${v.length} entries, expected ${length}`);
      return false;
    }
    return true;
  }
  file(v: Json, path: string): void {
    const o = this.object(v, path);
    if (!o) return;
    if (this.string(o.file, `${path}.file`) && (o.file.includes('/') || o.file.includes('\\') || o.file.startsWith('.')))
      this.fail(`${path}.file`, 'must be a plain file name inside the package');
    if (typeof o.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(o.sha256))
      this.fail(`${path}.sha256`, o.sha256 === undefined ? 'missing' : 'must be 64 lowercase hex digits');
  }
}

/** Checks a parsed manifest.json; throws one ManifestError listing every problem found. */
export function validateManifest(json: Json, source = 'manifest.json'): Manifest {
  const c = new Checker();
  const m = c.object(json, '$');
  if (!m) throw new ManifestError(source, c.problems);

  if (m.format !== MANIFEST_FORMAT) c.fail('format', `must be "${MANIFEST_FORMAT}"`);
  if (!(SUPPORTED_FORMAT_VERSIONS as readonly unknown[]).includes(m.formatVersion))
    c.fail('formatVersion', `${String(m.formatVersion)} is not supported (supported: ${SUPPORTED_FORMAT_VERSIONS.join(', ')})`);
  c.string(m.id, 'id');
  const task = c.oneOf(m.task, 'task', ['classification', 'regression'] as const) ? (m.task as string) : undefined;

  const input = c.object(m.input, 'input');
  if (input) {
    const dense = c.oneOf(input.kind, 'input.kind', ['dense', 'tokens'] as const) && input.kind === 'dense';
    const sizeOk = c.int(input.size, 'input.size', 1);
    if (typeof input.dt !== 'boolean') c.fail('input.dt', input.dt === undefined ? 'missing' : 'must be true or false');
    if (input.timeUnit !== undefined) c.oneOf(input.timeUnit, 'input.timeUnit', ['sample', 'us', 'ms', 's'] as const);
    if (input.sampleRateHz !== undefined) c.number(input.sampleRateHz, 'input.sampleRateHz', 0);
    if (dense && sizeOk) {
      if (input.names !== undefined) c.strings(input.names, 'input.names', input.size as number);
      if (input.normalization !== undefined) {
        const n = c.object(input.normalization, 'input.normalization');
        if (n) {
          c.numbers(n.mean, 'input.normalization.mean', input.size as number);
          c.numbers(n.std, 'input.normalization.std', input.size as number);
        }
      }
    }
    if (input.events !== undefined) checkEvents(c, input);
  }

  const output = c.object(m.output, 'output');
  if (output && c.int(output.size, 'output.size', 1)) {
    const size = output.size as number;
    if (task === 'classification') c.strings(output.labels, 'output.labels', size);
    if (task === 'regression') c.strings(output.names, 'output.names', size);
  }

  if (!Array.isArray(m.state) || m.state.length === 0) c.fail('state', m.state === undefined ? 'missing' : 'must be a non-empty array');
  else {
    const seen = new Set<string>();
    m.state.forEach((s: Json, i: number) => {
      const e = c.object(s, `state[${i}]`);
      if (!e) return;
      if (c.string(e.name, `state[${i}].name`)) {
        if (seen.has(e.name)) c.fail(`state[${i}].name`, `duplicate name "${e.name}"`);
        seen.add(e.name);
      }
      if (!Array.isArray(e.shape) || !e.shape.every((d: Json) => typeof d === 'number' && Number.isInteger(d) && d >= 1))
        c.fail(`state[${i}].shape`, e.shape === undefined ? 'missing' : 'must be an array of positive integers (no batch dimension)');
    });
  }

  if (m.pooling !== undefined) {
    const p = c.object(m.pooling, 'pooling');
    if (p && (!Array.isArray(p.strides) || !p.strides.every((s: Json) => typeof s === 'number' && Number.isInteger(s) && s >= 1)))
      c.fail('pooling.strides', 'must be an array of positive integers');
  }

  const graphs = c.object(m.graphs, 'graphs');
  if (graphs) {
    c.file(graphs.step, 'graphs.step');
    c.file(graphs.chunk, 'graphs.chunk');
    const chunk = graphs.chunk as Record<string, Json> | undefined;
    if (chunk && typeof chunk === 'object' && c.int(chunk.length, 'graphs.chunk.length', 1)) {
      const strides = (m.pooling as { strides?: number[] } | undefined)?.strides;
      const product = Array.isArray(strides) ? strides.reduce((a, b) => a * (Number(b) || 1), 1) : 1;
      if ((chunk.length as number) % product !== 0)
        c.fail('graphs.chunk.length', `${String(chunk.length)} is not a multiple of the pooling strides' product ${product}`);
    }
  }

  const golden = c.object(m.golden, 'golden');
  if (golden) {
    c.file(golden, 'golden');
    c.number(golden.atol, 'golden.atol', 0);
    c.number(golden.rtol, 'golden.rtol', 0);
  }

  if (c.problems.length > 0) throw new ManifestError(source, c.problems);
  return json as Manifest;
}

/** input.events: its own fields, then its agreement with the rest of `input`. */
function checkEvents(c: Checker, input: Record<string, Json>): void {
  const ev = c.object(input.events, 'input.events');
  if (!ev) return;
  if (input.kind !== 'tokens') c.fail('input.events', `only for input.kind "tokens" (input.kind is ${JSON.stringify(input.kind)})`);
  // (a missing or mistyped dt/timeUnit is reported above already)
  if (input.dt === false) c.fail('input.dt', 'must be true when input.events is given (dt is µs between kept events)');
  if (input.timeUnit === undefined || ['sample', 'ms', 's'].includes(input.timeUnit as string))
    c.fail('input.timeUnit', `must be "us" when input.events is given${input.timeUnit === undefined ? '' : ` (is "${String(input.timeUnit)}")`}`);
  const sensor = c.object(ev.sensor, 'input.events.sensor');
  const width = sensor && c.int(sensor.width, 'input.events.sensor.width', 1) ? sensor.width : undefined;
  const height = sensor && c.int(sensor.height, 'input.events.sensor.height', 1) ? sensor.height : undefined;
  const f = c.int(ev.downsample, 'input.events.downsample', 1) ? ev.downsample : undefined;
  c.int(ev.decimate, 'input.events.decimate', 1);
  for (const key of ['token', 'keep', 'dt'] as const) if (ev[key] !== undefined) c.string(ev[key], `input.events.${key}`);
  if (typeof ev.token === 'string' && ev.token.replace(/\s+/g, ' ').trim() !== EVENT_TOKEN_FORMULA)
    c.fail('input.events.token', `"${ev.token}" is not the formula the runtime implements ("${EVENT_TOKEN_FORMULA}")`);
  if (width === undefined || height === undefined || f === undefined) return;
  const gw = Math.ceil(width / f);
  const gh = Math.ceil(height / f);
  if (ev.grid !== undefined) {
    const grid = c.object(ev.grid, 'input.events.grid');
    if (grid && grid.width !== gw) c.fail('input.events.grid.width', `is ${String(grid.width)}, but ceil(sensor.width / downsample) is ${gw}`);
    if (grid && grid.height !== gh) c.fail('input.events.grid.height', `is ${String(grid.height)}, but ceil(sensor.height / downsample) is ${gh}`);
  }
  if (typeof input.size === 'number' && input.size !== 2 * gw * gh)
    c.fail('input.events', `gives 2 × ${gw} × ${gh} = ${2 * gw * gh} tokens (2 polarities × grid), but input.size is ${input.size}`);
}

/** Floats per stream for one state entry (product of its shape). */
export function stateSize(entry: StateEntry): number {
  return entry.shape.reduce((a, b) => a * b, 1);
}

/** Values per step in the input tensor: `size` for dense models, 1 token otherwise. */
export function inputWidth(m: Manifest): number {
  return m.input.kind === 'dense' ? m.input.size : 1;
}
