// validateManifest on input.events (the tokenisation of event-camera token models): the zoo gesture
// manifest and variants pass; each broken field is refused with its JSON path, every problem at once;
// loadModel refuses such a package before reading its graphs.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EventTokenizer, loadModel, ManifestError, tokenSpecOf, validateManifest, type ManifestProblem } from '../../src/index.js';

const PACKAGE = resolve(import.meta.dirname, '../../models/zoo/dvs-gesture-sim');
const zoo = JSON.parse(readFileSync(join(PACKAGE, 'manifest.json'), 'utf8'));

/** the zoo manifest with `edit` applied to a deep copy */
function variant(edit: (m: any) => void): any {
  const m = structuredClone(zoo);
  edit(m);
  return m;
}

function problems(manifest: unknown): ManifestProblem[] {
  try {
    validateManifest(manifest, 'x/manifest.json');
  } catch (e) {
    expect(e).toBeInstanceOf(ManifestError);
    expect((e as Error).message).toMatch(/^x\/manifest\.json: invalid manifest: /);
    return (e as ManifestError).problems;
  }
  throw new Error('the manifest was accepted');
}

describe('valid input.events', () => {
  it('the zoo gesture manifest passes, and its block is what the tokenizer uses', () => {
    const m = validateManifest(zoo);
    expect(zoo.input.events.grid).toEqual({ width: 32, height: 32 });
    expect(tokenSpecOf(m)).toEqual({ width: 128, height: 128, downsample: 4, decimate: 32 });
  });

  it('a sensor that the grid does not divide evenly rounds up (ceil), grid and prose optional', () => {
    const m = variant((m) => {
      m.input.size = 2 * 33 * 23;
      m.input.events = { sensor: { width: 130, height: 90 }, downsample: 4, decimate: 1, grid: { width: 33, height: 23 } };
    });
    expect(() => validateManifest(m)).not.toThrow();
    delete m.input.events.grid;
    expect(() => validateManifest(m)).not.toThrow();
    // the top-right pixel's ON event is the last token of the vocabulary
    const tk = new EventTokenizer(tokenSpecOf(validateManifest(m)));
    const [s] = tk.push({ length: 1, x: new Uint16Array([129]), y: new Uint16Array([89]), t: new Float64Array([5]), p: new Uint8Array([1]) });
    expect(s.token).toBe(m.input.size - 1);
  });

  it('the token formula may be written with other spacing', () => {
    expect(() => validateManifest(variant((m) => (m.input.events.token = ` p * grid.width  * grid.height +\n floor(y / downsample) * grid.width + floor(x / downsample)`)))).not.toThrow();
  });
});

describe('invalid input.events: one problem, named by its path', () => {
  const cases: Array<[string, (m: any) => void, string, RegExp]> = [
    ['not an object', (m) => (m.input.events = 'yes'), 'input.events', /must be an object/],
    ['on a dense model', (m) => (m.input.kind = 'dense'), 'input.events', /only for input\.kind "tokens" \(input\.kind is "dense"\)/],
    ['without dt', (m) => (m.input.dt = false), 'input.dt', /must be true when input\.events is given/],
    ['in milliseconds', (m) => (m.input.timeUnit = 'ms'), 'input.timeUnit', /must be "us" when input\.events is given \(is "ms"\)/],
    ['without a time unit', (m) => delete m.input.timeUnit, 'input.timeUnit', /must be "us"/],
    ['without a sensor', (m) => delete m.input.events.sensor, 'input.events.sensor', /missing/],
    ['a zero sensor width', (m) => (m.input.events.sensor.width = 0), 'input.events.sensor.width', /integer >= 1/],
    ['a string sensor height', (m) => (m.input.events.sensor.height = '128'), 'input.events.sensor.height', /integer >= 1/],
    ['a fractional downsample', (m) => (m.input.events.downsample = 2.5), 'input.events.downsample', /integer >= 1/],
    ['a negative decimate', (m) => (m.input.events.decimate = -1), 'input.events.decimate', /integer >= 1/],
    ['no decimate', (m) => delete m.input.events.decimate, 'input.events.decimate', /missing/],
    ['a grid that is not ceil(sensor / downsample)', (m) => (m.input.events.grid.width = 31), 'input.events.grid.width', /is 31, but ceil\(sensor\.width \/ downsample\) is 32/],
    ['a grid height off by one', (m) => (m.input.events.grid.height = 33), 'input.events.grid.height', /is 33, but .* is 32/],
    ['a vocabulary that is not input.size', (m) => (m.input.size = 1000), 'input.events', /gives 2 × 32 × 32 = 2048 tokens .* but input\.size is 1000/],
    ['a downsample that changes the vocabulary', (m) => ((m.input.events.downsample = 8), delete m.input.events.grid), 'input.events', /= 512 tokens/],
    ['another token formula', (m) => (m.input.events.token = 'floor(x / downsample)'), 'input.events.token', /not the formula the runtime implements/],
    ['a prose field that is not text', (m) => (m.input.events.keep = 5), 'input.events.keep', /non-empty string/],
  ];
  it.each(cases)('%s', (_name, edit, path, message) => {
    const found = problems(variant(edit));
    expect(found).toHaveLength(1);
    expect(found[0].path).toBe(path);
    expect(found[0].message).toMatch(message);
  });

  it('every problem in one error', () => {
    const found = problems(
      variant((m) => {
        m.input.timeUnit = 's';
        m.input.events.sensor.width = -3;
        m.input.events.decimate = 0;
      }),
    );
    expect(found.map((p) => p.path)).toEqual(['input.timeUnit', 'input.events.sensor.width', 'input.events.decimate']);
  });

  it('a grid that is not an object is named', () => {
    const found = problems(variant((m) => (m.input.events.grid = [32, 32])));
    expect(found).toEqual([{ path: 'input.events.grid', message: 'must be an object' }]);
  });
});

describe('loadModel', () => {
  const temps: string[] = [];
  afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('refuses a package with a bad input.events field, naming the file and the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 's7rt-events-'));
    temps.push(dir);
    cpSync(PACKAGE, dir, { recursive: true });
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(variant((m) => (m.input.events.decimate = 'often'))));
    await expect(loadModel(dir)).rejects.toThrow(new RegExp(`${dir}/manifest\\.json: invalid manifest: input\\.events\\.decimate: must be an integer >= 1`));
  });
});
