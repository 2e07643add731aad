import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SnapshotFormatError, SnapshotStore, decodeSnapshot, encodeSnapshot } from '../../src/mqtt/snapshot-store';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 's7rt-snap-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const snap = (n: number) => ({
  runtime: { modelId: 'sensor-activity', formatVersion: 1, bytes: new Uint8Array([1, 2, 3, n]) },
  lastSeq: { a: n, b: 2 * n },
  createdAt: '2026-12-04T20:00:00.000Z',
});

describe('SnapshotStore', () => {
  it('reads nothing before the first write, then exactly what was written last', async () => {
    const store = new SnapshotStore(join(dir, 'nested'));
    expect(await store.read()).toBeUndefined();
    await store.write(snap(1));
    await store.write(snap(2));
    expect(await store.read()).toEqual(snap(2));
    // temp files are renamed away, never left behind
    expect(await readdir(join(dir, 'nested'))).toEqual(['snapshot.s7sn']);
  });

  it('keeps the previous snapshot when a write dies before the rename', async () => {
    const store = new SnapshotStore(dir);
    await store.write(snap(1));
    // what a crash mid-write leaves: a partial temp file next to the good one
    await writeFile(`${store.file}.99999.tmp`, encodeSnapshot(snap(2)).subarray(0, 10));
    expect(await store.read()).toEqual(snap(1));
  });

  it('names a corrupt file', async () => {
    const store = new SnapshotStore(dir);
    await store.write(snap(1));
    const bytes = await readFile(store.file);
    await writeFile(store.file, bytes.subarray(0, 12));
    await expect(store.read()).rejects.toThrow(SnapshotFormatError);
    await writeFile(store.file, Buffer.from('not a snapshot'));
    await expect(store.read()).rejects.toThrow(/bad magic/);
  });

  it('encodes and decodes the runtime bytes unchanged', () => {
    const bytes = new Uint8Array(1000).map((_, i) => i % 251);
    const s = { ...snap(3), runtime: { modelId: 'm', formatVersion: 1, bytes } };
    expect(decodeSnapshot(encodeSnapshot(s)).runtime.bytes).toEqual(bytes);
  });
});
