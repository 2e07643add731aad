// Counters, a latency histogram and a quantile window, rendered as Prometheus text (format 0.0.4).
import type { RuntimeStats } from '../api';

/** Cumulative-bucket histogram (Prometheus semantics), values in seconds. */
export class Histogram {
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(readonly buckets: readonly number[] = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5]) {
    this.counts = new Array(buckets.length).fill(0);
  }

  observe(v: number): void {
    this.sum += v;
    this.count++;
    for (let i = 0; i < this.buckets.length; i++) if (v <= this.buckets[i]) this.counts[i]++;
  }
}

/** The last `capacity` observations, for p50/p99 in the status line (bounded memory). */
export class QuantileWindow {
  private readonly ring: Float64Array;
  private n = 0;

  constructor(capacity = 8192) {
    this.ring = new Float64Array(capacity);
  }

  observe(v: number): void {
    this.ring[this.n++ % this.ring.length] = v;
  }

  clear(): void {
    this.n = 0;
  }

  quantile(q: number): number {
    const len = Math.min(this.n, this.ring.length);
    if (len === 0) return Number.NaN;
    const sorted = this.ring.slice(0, len).sort();
    return sorted[Math.min(len - 1, Math.floor(q * len))];
  }
}

export interface MetricSample {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  /** one value, or label-set -> value */
  value: number | Array<[Record<string, string>, number]>;
}

/** The runtime's counters (RuntimeStats, src/api.ts) as metric samples. */
export function runtimeMetricSamples(stats: RuntimeStats): MetricSample[] {
  const perWorker = (f: (w: RuntimeStats['workers'][number]) => number): Array<[Record<string, string>, number]> =>
    stats.workers.map((w, i) => [{ worker: String(i) }, f(w)]);
  return [
    { name: 's7rt_runtime_steps_total', help: 'samples stepped through the model, by worker', type: 'counter', value: perWorker((w) => w.steps) },
    { name: 's7rt_runtime_batches_total', help: 'batched runs of the step graph, by worker (steps / batches = mean batch size)', type: 'counter', value: perWorker((w) => w.batches) },
    { name: 's7rt_runtime_chunk_runs_total', help: 'runs of the chunk graph, by worker', type: 'counter', value: perWorker((w) => w.chunkRuns) },
    { name: 's7rt_runtime_streams', help: 'streams held, by worker', type: 'gauge', value: perWorker((w) => w.streams) },
    { name: 's7rt_runtime_rejected_total', help: 'samples the runtime refused or whose batch failed', type: 'counter', value: stats.rejected },
    { name: 's7rt_runtime_backend', help: 'the backend in use (after any fallback)', type: 'gauge', value: [[{ backend: stats.backend }, 1]] },
  ];
}

function labels(l: Record<string, string>): string {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

function num(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

export function renderPrometheus(samples: MetricSample[], histograms: Array<{ name: string; help: string; h: Histogram }> = []): string {
  const out: string[] = [];
  for (const s of samples) {
    out.push(`# HELP ${s.name} ${s.help}`, `# TYPE ${s.name} ${s.type}`);
    if (typeof s.value === 'number') out.push(`${s.name} ${num(s.value)}`);
    else for (const [l, v] of s.value) out.push(`${s.name}${labels(l)} ${num(v)}`);
  }
  for (const { name, help, h } of histograms) {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
    h.buckets.forEach((b, i) => out.push(`${name}_bucket{le="${b}"} ${h.counts[i]}`));
    out.push(`${name}_bucket{le="+Inf"} ${h.count}`, `${name}_sum ${h.sum}`, `${name}_count ${h.count}`);
  }
  return out.join('\n') + '\n';
}
