// Checks one sample against the manifest before it may join a batch, and copies it into a
// Float32Array row (callers may reuse their buffers as soon as step() returns).
import type { Sample } from '../api.js';
import { InputLengthError, InvalidDtError, InvalidTokenError, NonFiniteInputError } from '../errors.js';
import type { Manifest } from '../model/manifest.js';

export function sampleRow(m: Manifest, stream: string, s: Sample, into: Float32Array, offset = 0): number {
  if (m.input.kind === 'dense') {
    const v = s?.values;
    const n = v?.length ?? 0;
    if (!v || n !== m.input.size) throw new InputLengthError(stream, m.input.size, n);
    for (let i = 0; i < n; i++) {
      const x = v[i]!;
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new NonFiniteInputError(stream, 'values', i, x);
      into[offset + i] = x;
    }
  } else {
    const t = s?.token;
    if (typeof t !== 'number' || !Number.isInteger(t) || t < 0 || t >= m.input.size) throw new InvalidTokenError(stream, t, m.input.size);
    into[offset] = t;
  }
  if (!m.input.dt) return 0;
  const dt = s.dt;
  if (typeof dt !== 'number' || !Number.isFinite(dt) || dt < 0) throw new InvalidDtError(stream, dt);
  return dt;
}
