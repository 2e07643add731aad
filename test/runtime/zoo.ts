// The real packages in models/zoo/ (every folder holding a manifest.json) and golden helpers.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Golden, Manifest, Sample } from '../../src/index.js';

export const ZOO = resolve(import.meta.dirname, '../../models/zoo');

export function zooPackages(): string[] {
  const dirs = existsSync(ZOO) ? readdirSync(ZOO).filter((d) => existsSync(join(ZOO, d, 'manifest.json'))) : [];
  // An empty zoo is a failure, not a skip: these tests exist to run real packages.
  if (dirs.length === 0) throw new Error(`no model packages in ${ZOO}`);
  return dirs.map((d) => join(ZOO, d));
}

/**
 * A dense, regularly sampled package (no dt) for the tests that make up their own inputs; among
 * those, the sensor model when present so that results do not depend on folder order.
 */
export function densePackage(): string {
  const dense = zooPackages().filter((d) => {
    const m = JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8')) as Manifest;
    return m.input.kind === 'dense' && !m.input.dt;
  });
  if (dense.length === 0) throw new Error(`no dense package without dt in ${ZOO}`);
  return dense.find((d) => d.endsWith('/sensor-activity')) ?? dense[0]!;
}

/** Stream b's sample t from golden.json. */
export function goldenSample(g: Golden, m: Manifest, b: number, t: number): Sample {
  const T = g.steps;
  const s: Sample = {};
  if (m.input.kind === 'dense') {
    const w = m.input.size;
    s.values = g.input!.data.slice((b * T + t) * w, (b * T + t + 1) * w);
  } else s.token = (g.tokens ?? g.input)!.data[b * T + t];
  if (m.input.dt) s.dt = g.dt!.data[b * T + t];
  return s;
}

export function goldenOutput(g: Golden, m: Manifest, b: number, t: number): number[] {
  const O = m.output.size;
  return g.output.data.slice((b * g.steps + t) * O, (b * g.steps + t + 1) * O);
}

/** Asserts |got - want| <= atol + rtol * |want| elementwise; returns the max abs error. */
export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, m: Manifest, what: string): number {
  if (got.length !== want.length) throw new Error(`${what}: length ${got.length} != ${want.length}`);
  let max = 0;
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i]! - want[i]!);
    if (!(err <= m.golden.atol + m.golden.rtol * Math.abs(want[i]!)))
      throw new Error(`${what}[${i}]: got ${got[i]}, want ${want[i]} (err ${err})`);
    max = Math.max(max, err);
  }
  return max;
}
