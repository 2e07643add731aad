// loadModel on corrupted copies of a real zoo package (in a temp dir): each problem is refused
// with a typed error naming the field or file; a package whose golden vectors are wrong is
// refused at createRuntime with the max error and where.
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createRuntime, GoldenMismatchError, HashMismatchError, loadModel, ManifestError, PackageFileError } from '../../src/index.js';
import { densePackage } from './zoo.js';

const source = densePackage();
const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

function copy(edit?: (manifest: Record<string, any>, dir: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 's7rt-pkg-'));
  temps.push(dir);
  cpSync(source, dir, { recursive: true });
  if (edit) {
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    edit(manifest, dir);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  }
  return dir;
}

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

async function problems(dir: string): Promise<Record<string, string>> {
  const err = await loadModel(dir).then(
    () => undefined,
    (e) => e,
  );
  expect(err).toBeInstanceOf(ManifestError);
  return Object.fromEntries((err as ManifestError).problems.map((p) => [p.path, p.message]));
}

describe('loadModel', () => {
  it('loads the real package from a path and a file:// URL', async () => {
    const a = await loadModel(source);
    const b = await loadModel(pathToFileURL(source));
    expect(a.manifest.id).toBe(b.manifest.id);
    expect(a.graphs.step.byteLength).toBeGreaterThan(0);
    expect(a.golden.batch).toBeGreaterThan(0);
  });

  it('names every manifest problem by its field path', async () => {
    const p = await problems(
      copy((m) => {
        m.formatVersion = 99;
        delete m.task;
        m.input.size = 0;
        m.output.labels = m.output.labels?.slice(1) ?? ['x'];
        m.state[0].shape = [-1];
        m.state.push({ name: m.state[0].name, shape: [1] });
        m.graphs.chunk.length = 'sixty-four';
        m.graphs.step.sha256 = 'abc';
        m.golden.atol = -1;
      }),
    );
    expect(p.formatVersion).toMatch(/99 is not supported/);
    expect(p.task).toBe('missing');
    expect(p['input.size']).toMatch(/integer >= 1/);
    expect(p['state[0].shape']).toMatch(/positive integers/);
    expect(Object.keys(p).some((k) => /^state\[\d+\]\.name$/.test(k))).toBe(true);
    expect(p['graphs.chunk.length']).toMatch(/integer/);
    expect(p['graphs.step.sha256']).toMatch(/64 lowercase hex/);
    expect(p['golden.atol']).toMatch(/>= 0/);
  });

  it('refuses a classifier whose labels do not match output.size', async () => {
    const p = await problems(copy((m) => (m.output.labels = ['only-one'])));
    expect(p['output.labels']).toMatch(/has 1 entries/);
  });

  it('refuses a graph whose bytes do not match the manifest hash', async () => {
    const dir = copy();
    const step = join(dir, 'step.onnx');
    const bytes = readFileSync(step);
    bytes[bytes.length - 1]! ^= 1;
    writeFileSync(step, bytes);
    const err = await loadModel(dir).catch((e) => e);
    expect(err).toBeInstanceOf(HashMismatchError);
    expect(err).toMatchObject({ code: 'hash_mismatch', file: 'step.onnx', actual: sha(step) });
  });

  it('refuses a missing file and invalid JSON with the file named', async () => {
    const dir = copy();
    unlinkSync(join(dir, 'chunk.onnx'));
    await expect(loadModel(dir)).rejects.toBeInstanceOf(PackageFileError);
    await expect(loadModel(dir)).rejects.toThrow(/chunk\.onnx/);
    const bad = copy();
    writeFileSync(join(bad, 'manifest.json'), '{ not json');
    await expect(loadModel(bad)).rejects.toThrow(/manifest\.json: not valid JSON/);
  });
});

describe('golden check on createRuntime', () => {
  it('refuses a package whose golden outputs are off, showing the max error and where', async () => {
    const dir = copy((m, d) => {
      const gfile = join(d, m.golden.file);
      const g = JSON.parse(readFileSync(gfile, 'utf8'));
      // Stream 1, step 3, output 2 is made wrong by 0.25.
      const O = m.output.size;
      g.output.data[(1 * g.steps + 3) * O + 2] += 0.25;
      writeFileSync(gfile, JSON.stringify(g));
      m.golden.sha256 = sha(gfile);
    });
    const model = await loadModel(dir);
    const err = await createRuntime(model).catch((e) => e);
    expect(err).toBeInstanceOf(GoldenMismatchError);
    expect(err.maxAbsError).toBeCloseTo(0.25, 3);
    expect(err.where).toMatchObject({ mode: 'step', tensor: 'output', stream: 1, step: 3, index: 2 });
    expect(err.message).toMatch(/max abs error 2\.5\d*e-1/);
    // skipGoldenCheck lets it load anyway.
    const rt = await createRuntime(model, { skipGoldenCheck: true });
    await rt.close();
  });
});
