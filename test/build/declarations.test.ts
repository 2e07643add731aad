// The built package's type declarations (package.json "exports" -> dist/types), as a TypeScript
// consumer in its own folder sees them: imports from s7rt, s7rt/rx and s7rt/devices resolve under
// NodeNext with every declaration file checked, and misuse is a compile error at the right place.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 's7rt-types-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules/s7rt'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        // check the package's own .d.ts files too: a broken import there would otherwise pass as `any`
        skipLibCheck: false,
        typeRoots: [join(ROOT, 'node_modules/@types')],
        types: ['node'],
      },
      files: ['good.ts', 'bad.ts'],
    }),
  );
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** tsc's diagnostics for the given consumer files, one per line (one program: tsc is slow to start) */
function typecheck(files: Record<string, string>): Promise<string[]> {
  for (const [name, source] of Object.entries(files)) writeFileSync(join(dir, name), source);
  return new Promise((done) => {
    execFile(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir], { cwd: dir }, (_e, stdout, stderr) =>
      done((stdout + stderr).split('\n').filter((l) => l.trim() !== '')),
    );
  });
}

it('every "types" path in package.json exports was built', () => {
  const exports = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).exports as Record<string, { types: string }>;
  expect(Object.keys(exports)).toEqual(['.', './rx', './devices']);
  for (const [entry, { types }] of Object.entries(exports)) expect(existsSync(join(ROOT, types)), `${entry}: ${types}`).toBe(true);
});

it('a consumer of the public API compiles, and misuse is a compile error on the line that misuses', async () => {
  const errors = await typecheck({
    'good.ts': `
import { createRuntime, EventTokenizer, loadModel, tokenSpecOf, type Prediction, type Sample } from 's7rt';
import { mapPredictions } from 's7rt/rx';
import { Rng, SensorFleet, openEvents, type EventBatch } from 's7rt/devices';
const model = await loadModel('models/zoo/sensor-activity');
const rt = await createRuntime(model, { workers: 1 });
const p: Prediction = await rt.stream('dev-1').step({ values: [0.01, -0.98, 0.05, 1.2, -0.4, 0.3] });
export const label: string | undefined = p.label;
export const u: number = new Rng(1).next();
export const first: Promise<EventBatch | undefined> = openEvents('x.aedat').then(async (r) => (await r[Symbol.asyncIterator]().next()).value);
export const tokens = (b: EventBatch): Sample[] => new EventTokenizer(tokenSpecOf(model.manifest)).push(b);
export { mapPredictions, SensorFleet };
`,
    'bad.ts': `import { createRuntime, loadModel } from 's7rt';
import { Rng } from 's7rt/devices';
await createRuntime(await loadModel('m'), { workers: 'two' });
new Rng('seed');
`,
  });
  expect(errors, errors.join('\n')).toHaveLength(2);
  expect(errors[0]).toMatch(/^bad\.ts\(3,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/);
  expect(errors[1]).toMatch(/^bad\.ts\(4,\d+\): error TS2345: Argument of type 'string' is not assignable to parameter of type 'number'/);
}, 120_000);
