import { describe, expect, it } from 'vitest';
import { PayloadError } from '../../src/mqtt/errors';
import { decodeSample, encodePrediction, encodeSample } from '../../src/mqtt/payload';

const opts = { format: 'json' as const, size: 3, maxBytes: 1024 };

function rejection(payload: Buffer | string, o: Parameters<typeof decodeSample>[1] = opts): PayloadError {
  try {
    decodeSample(typeof payload === 'string' ? Buffer.from(payload) : payload, o);
  } catch (err) {
    expect(err).toBeInstanceOf(PayloadError);
    return err as PayloadError;
  }
  throw new Error('expected a PayloadError');
}

describe('JSON samples', () => {
  it('decodes seq, t, values (as float32) and the optional device and truth', () => {
    const s = decodeSample(Buffer.from('{"seq":4,"t":12.5,"values":[1,2.5,-3],"device":"d1","truth":"walk"}'), opts);
    expect(s).toEqual({ seq: 4, t: 12.5, values: new Float32Array([1, 2.5, -3]), device: 'd1', truth: 'walk' });
  });

  it('round-trips through encodeSample', () => {
    const s = decodeSample(encodeSample('json', { seq: 9, t: 1, values: [0.5, 1, 2] }), opts);
    expect(s.seq).toBe(9);
    expect(Array.from(s.values)).toEqual([0.5, 1, 2]);
  });

  it.each([
    ['{"seq":1,"values":[1,2', 'malformed-json', 'payload'],
    ['[1,2,3]', 'bad-shape', 'payload'],
    ['{"values":[1,2,3]}', 'bad-seq', 'seq'],
    ['{"seq":-1,"values":[1,2,3]}', 'bad-seq', 'seq'],
    ['{"seq":1.5,"values":[1,2,3]}', 'bad-seq', 'seq'],
    ['{"seq":1,"values":[1,2]}', 'wrong-length', 'values'],
    ['{"seq":1,"values":"1,2,3"}', 'bad-shape', 'values'],
    ['{"seq":1,"values":[1,null,3]}', 'non-finite', 'values[1]'],
    ['{"seq":1,"values":[1,2,"NaN"]}', 'non-finite', 'values[2]'],
    ['{"seq":1,"t":"now","values":[1,2,3]}', 'bad-shape', 't'],
  ])('%s -> %s at %s', (payload, reason, where) => {
    const e = rejection(payload);
    expect(e.reason).toBe(reason);
    expect(e.where).toBe(where);
  });

  it('refuses payloads over the limit before parsing them', () => {
    const e = rejection(Buffer.alloc(2048, 0x20));
    expect(e.reason).toBe('payload-too-large');
    expect(e.message).toContain('2048 bytes > limit 1024');
  });
});

describe('binary samples', () => {
  const bin = { ...opts, format: 'binary' as const };

  it('round-trips seq, t and float32 values', () => {
    const buf = encodeSample('binary', { seq: 123456789, t: 1733340000000.25, values: [1.5, -2, 3] });
    expect(buf.byteLength).toBe(16 + 12);
    expect(decodeSample(buf, bin)).toEqual({ seq: 123456789, t: 1733340000000.25, values: new Float32Array([1.5, -2, 3]) });
  });

  it('treats a NaN t as absent', () => {
    expect(decodeSample(encodeSample('binary', { seq: 1, values: [1, 2, 3] }), bin).t).toBeUndefined();
  });

  it('names a wrong length, a NaN value and a fractional seq', () => {
    expect(rejection(Buffer.alloc(20), bin).reason).toBe('wrong-length');
    const nan = encodeSample('binary', { seq: 1, values: [1, Number.NaN, 3] });
    expect(rejection(nan, bin)).toMatchObject({ reason: 'non-finite', where: 'values[1]' });
    const frac = encodeSample('binary', { seq: 1, values: [1, 2, 3] });
    frac.writeDoubleLE(0.5, 0);
    expect(rejection(frac, bin).reason).toBe('bad-seq');
  });
});

describe('predictions', () => {
  it('carry device, seq, t, label, probabilities, raw output and the truth when given', () => {
    const p = { output: new Float32Array([0.25, 0.75]), label: 'walk', probability: 0.75, values: { still: 0.25, walk: 0.75 } };
    const json = JSON.parse(encodePrediction('d1', { seq: 3, t: 9, values: new Float32Array(3), truth: 'walk' }, p).toString());
    expect(json).toEqual({ device: 'd1', seq: 3, t: 9, label: 'walk', probability: 0.75, values: { still: 0.25, walk: 0.75 }, output: [0.25, 0.75], truth: 'walk' });
  });
});

describe('session reset flag', () => {
  it('round-trips "reset": true and refuses a non-boolean', () => {
    const opts = { format: 'json' as const, size: 2, maxBytes: 1024 };
    expect(decodeSample(encodeSample('json', { seq: 3, values: [1, 2], reset: true }), opts).reset).toBe(true);
    expect(decodeSample(encodeSample('json', { seq: 3, values: [1, 2] }), opts).reset).toBeUndefined();
    expect(() => decodeSample(Buffer.from('{"seq":1,"values":[1,2],"reset":"yes"}'), opts)).toThrow(/reset/);
  });
});
