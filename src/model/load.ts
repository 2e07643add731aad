// loadModel: read a package (Node: folder path or file:// URL; browsers: any fetchable URL),
// validate its manifest, check every file's sha256 and parse the golden vectors. The golden
// check itself needs sessions, so it runs in the worker when the runtime starts.
import { HashMismatchError, ManifestError, PackageFileError } from '../errors.js';
import { isNode } from '../runtime/env.js';
import { validateGolden, type Golden } from './golden.js';
import { sha256Hex } from './hash.js';
import { validateManifest, type Manifest } from './manifest.js';

export interface LoadedModel {
  /** where it was loaded from (folder or URL). */
  source: string;
  manifest: Manifest;
  graphs: { step: Uint8Array; chunk: Uint8Array };
  golden: Golden;
}

type Reader = (file: string) => Promise<Uint8Array>;

async function nodeReader(location: string): Promise<Reader> {
  const { readFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const dir = location.startsWith('file:') ? fileURLToPath(location) : location;
  return async (file) => {
    try {
      return new Uint8Array(await readFile(join(dir, file)));
    } catch (e) {
      throw new PackageFileError(join(dir, file), (e as Error).message);
    }
  };
}

function fetchReader(location: string): Reader {
  const base = new URL(location.endsWith('/') ? location : `${location}/`, globalThis.location?.href);
  return async (file) => {
    const url = new URL(file, base).href;
    let res: Response;
    try {
      res = await fetch(url);
    } catch (e) {
      throw new PackageFileError(url, (e as Error).message);
    }
    if (!res.ok) throw new PackageFileError(url, `HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  };
}

function parseJson(bytes: Uint8Array, file: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new PackageFileError(file, `not valid JSON: ${(e as Error).message}`);
  }
}

async function verified(read: Reader, entry: { file: string; sha256: string }): Promise<Uint8Array> {
  const bytes = await read(entry.file);
  const actual = await sha256Hex(bytes);
  if (actual !== entry.sha256) throw new HashMismatchError(entry.file, entry.sha256, actual);
  return bytes;
}

export async function loadModel(pathOrUrl: string | URL): Promise<LoadedModel> {
  const location = String(pathOrUrl);
  const remote = /^(https?|blob|data):/.test(location);
  const read = isNode() && !remote ? await nodeReader(location) : fetchReader(location);
  const manifest = validateManifest(parseJson(await read('manifest.json'), 'manifest.json'), `${location}/manifest.json`);
  const [step, chunk, goldenBytes] = await Promise.all([
    verified(read, manifest.graphs.step),
    verified(read, manifest.graphs.chunk),
    verified(read, manifest.golden),
  ]);
  const golden = validateGolden(parseJson(goldenBytes, manifest.golden.file), manifest, manifest.golden.file);
  return { source: location, manifest, graphs: { step, chunk }, golden };
}

export { ManifestError };
