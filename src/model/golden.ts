// golden.json: inputs and the outputs/final states PyTorch computed for them, and the tolerance
// test every runtime applies (|got - want| <= atol + rtol * |want|).
import { PackageFileError, type GoldenLocation } from '../errors.js';
import { inputWidth, stateSize, type Manifest } from './manifest.js';

export interface GoldenTensor {
  shape: number[];
  data: number[];
}

export interface Golden {
  batch: number;
  steps: number;
  input?: GoldenTensor;
  tokens?: GoldenTensor;
  dt?: GoldenTensor;
  output: GoldenTensor;
  state: Record<string, GoldenTensor>;
}

function checkTensor(t: unknown, name: string, shape: number[], file: string): void {
  const g = t as GoldenTensor | undefined;
  if (!g || !Array.isArray(g.shape) || !Array.isArray(g.data))
    throw new PackageFileError(file, `${name} must be {shape, data}`);
  if (g.shape.join(',') !== shape.join(','))
    throw new PackageFileError(file, `${name}.shape is [${g.shape}], expected [${shape}]`);
  const n = shape.reduce((a, b) => a * b, 1);
  if (g.data.length !== n) throw new PackageFileError(file, `${name}.data has ${g.data.length} values, expected ${n}`);
}

/** Checks that golden.json agrees with the manifest's sizes. */
export function validateGolden(json: unknown, m: Manifest, file = 'golden.json'): Golden {
  const g = json as Golden;
  if (!g || typeof g !== 'object') throw new PackageFileError(file, 'must be an object');
  if (!Number.isInteger(g.batch) || g.batch < 1) throw new PackageFileError(file, 'batch must be a positive integer');
  if (!Number.isInteger(g.steps) || g.steps < 1) throw new PackageFileError(file, 'steps must be a positive integer');
  const { batch: B, steps: T } = g;
  if (m.input.kind === 'dense') checkTensor(g.input, 'input', [B, T, m.input.size], file);
  else checkTensor(g.tokens ?? g.input, 'tokens', [B, T], file);
  if (m.input.dt) checkTensor(g.dt, 'dt', [B, T], file);
  checkTensor(g.output, 'output', [B, T, m.output.size], file);
  for (const s of m.state) checkTensor(g.state?.[s.name], `state.${s.name}`, [B, ...s.shape], file);
  return g;
}

/** The golden inputs as one flat row-major [B, T, width] array (tokens as numbers). */
export function goldenInputs(g: Golden, m: Manifest): Float32Array {
  const src = m.input.kind === 'dense' ? g.input! : (g.tokens ?? g.input)!;
  const out = new Float32Array(g.batch * g.steps * inputWidth(m));
  out.set(src.data);
  return out;
}

/** Running comparison: keeps the largest absolute error and the worst tolerance violation. */
export class Tolerance {
  maxAbsError = 0;
  worst: GoldenLocation | undefined;
  private worstExcess = 0;
  constructor(
    readonly atol: number,
    readonly rtol: number,
  ) {}

  compare(got: ArrayLike<number>, want: ArrayLike<number>, at: (i: number) => Omit<GoldenLocation, 'got' | 'want'>): void {
    for (let i = 0; i < want.length; i++) {
      const g = got[i]!;
      const w = want[i]!;
      const err = Number.isFinite(g) ? Math.abs(g - w) : Infinity;
      if (err > this.maxAbsError) this.maxAbsError = err;
      const excess = err - (this.atol + this.rtol * Math.abs(w));
      if (excess > 0 && (this.worst === undefined || excess > this.worstExcess)) {
        this.worstExcess = excess;
        this.worst = { ...at(i), got: g, want: w };
      }
    }
  }
}

export function totalStateSize(m: Manifest): number {
  return m.state.reduce((a, s) => a + stateSize(s), 0);
}
