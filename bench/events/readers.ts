// Reader throughput in events/s per format, against a plain sequential read of the same bytes (the
// limit: what reading the file costs with no decoding), measured in the same run.
//   npx vite-node bench/events/readers.ts            20 M synthetic events per written format
//   npx vite-node bench/events/readers.ts --events 2000000 --repeat 3 --no-fixtures
// Reported: best of --repeat runs (default 5), with the machine's load average.
// Synthetic files are made by our writers (AEDAT 3.1, EVT 2.0) in a temp dir and removed afterwards;
// the shared fixtures are read too (small: repeated from memory). Prints a markdown table.

import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Aedat31Encoder } from '../../devices/events/formats/aedat31-writer.js';
import type { EventEncoder } from '../../devices/events/formats/encoder.js';
import { Evt2Encoder } from '../../devices/events/formats/evt2-writer.js';
import { createEventFileWriter } from '../../devices/events/io/file-writer.js';
import { byteChunks, type ByteSource } from '../../devices/events/io/byte-source.js';
import { openEvents, type RecordingFormat } from '../../devices/events/open-events.js';
import type { EventBatch, SensorSize } from '../../devices/events/types.js';

const { values } = parseArgs({
  options: { events: { type: 'string', default: '20000000' }, repeat: { type: 'string', default: '5' }, 'no-fixtures': { type: 'boolean' } },
});
const TOTAL = Number(values.events);
const REPEAT = Number(values.repeat);
const FIXTURES = new URL('../../../shared/fixtures/events/', import.meta.url).pathname;

/**
 * Best wall time (s) of `repeat` runs of `run`: on a shared machine the fastest run is the one least
 * disturbed by other processes (the first run also pays for JIT warm-up).
 */
async function best1(run: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await run();
  return (performance.now() - t0) / 1000;
}

async function best(run: () => Promise<unknown>): Promise<number> {
  let min = Infinity;
  for (let r = 0; r < REPEAT; r++) {
    const t0 = performance.now();
    await run();
    min = Math.min(min, (performance.now() - t0) / 1000);
  }
  return min;
}

/** The limit: read every byte of the source in the readers' block size, touching each chunk. */
async function plainRead(source: ByteSource): Promise<number> {
  let sum = 0;
  for await (const chunk of byteChunks(source)) sum += chunk[0] + chunk[chunk.length - 1];
  return sum;
}

async function decodeAll(source: ByteSource, format: RecordingFormat, sensor?: SensorSize): Promise<number> {
  let n = 0;
  for await (const batch of await openEvents(source, { format, sensor })) n += batch.length;
  return n;
}

/** Synthetic events made in 1 M chunks (bounded memory): ~1 µs apart, uniform pixels. */
function* synthetic(total: number, sensor: SensorSize): Generator<EventBatch> {
  let seed = 12345;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
  let t = 0;
  for (let done = 0; done < total; ) {
    const n = Math.min(1 << 20, total - done);
    const b = { length: n, x: new Uint16Array(n), y: new Uint16Array(n), t: new Float64Array(n), p: new Uint8Array(n) };
    for (let i = 0; i < n; i++) {
      t += rand() < 0.5 ? 1 : 0;
      b.x[i] = (rand() * sensor.width) | 0;
      b.y[i] = (rand() * sensor.height) | 0;
      b.t[i] = t;
      b.p[i] = rand() < 0.5 ? 1 : 0;
    }
    done += n;
    yield b;
  }
}

interface Row {
  name: string;
  events: number;
  bytes: number;
  readerEps: number;
  memoryEps?: number;
  bareEps?: number;
  plainEps: number;
  rssMiB?: number;
}

/**
 * Second peer: the bare decode loop of the same bytes in memory (one plain for-loop over a DataView
 * into reused arrays, no streaming, batching or checks): the least any JS decoder can do. On a
 * shared machine it moves with the available CPU exactly as the reader does, so reader / bare is
 * the overhead of our streaming reader, independent of the load.
 */
function bareLoop(format: RecordingFormat, bytes: Uint8Array): number {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const x = new Uint16Array(65536);
  const y = new Uint16Array(65536);
  const t = new Float64Array(65536);
  const p = new Uint8Array(65536);
  let k = 0;
  let total = 0;
  const text = new TextDecoder('latin1').decode(bytes.subarray(0, 4096));
  if (format === 'aedat31') {
    for (let at = text.indexOf('#!END-HEADER\r\n') + 14; at + 28 <= bytes.length; ) {
      const number = v.getInt32(at + 20, true);
      const base = v.getInt32(at + 12, true) * 2 ** 31;
      const stop = at + 28 + 8 * number;
      for (let i = at + 28; i < stop; i += 8) {
        const d = v.getUint32(i, true);
        x[k] = d >>> 17;
        y[k] = (d >>> 2) & 0x7fff;
        p[k] = (d >>> 1) & 1;
        t[k] = base + v.getInt32(i + 4, true);
        if (++k === 65536) (k = 0), (total += 65536);
      }
      at = stop;
    }
  } else if (format === 'evt2') {
    let high = 0;
    for (let i = text.indexOf('% end\n') + 6; i + 4 <= bytes.length; i += 4) {
      const w = v.getUint32(i, true);
      const type = w >>> 28;
      if (type <= 1) {
        x[k] = (w >>> 11) & 0x7ff;
        y[k] = w & 0x7ff;
        p[k] = type;
        t[k] = high + ((w >>> 22) & 0x3f);
        if (++k === 65536) (k = 0), (total += 65536);
      } else if (type === 8) high = (w & 0xfffffff) * 64;
    }
  }
  return total + k;
}

const rows: Row[] = [];
const dir = await mkdtemp(join(tmpdir(), 's7rt-bench-events-'));
try {
  const written: [string, RecordingFormat, SensorSize, (s: SensorSize) => EventEncoder][] = [
    ['synthetic.aedat', 'aedat31', { width: 128, height: 128 }, (s) => new Aedat31Encoder({ ...s, packetEvents: 8192 })],
    ['synthetic.raw', 'evt2', { width: 1280, height: 720 }, (s) => new Evt2Encoder(s)],
  ];
  for (const [name, format, sensor, encoder] of written) {
    const path = join(dir, name);
    const t0 = performance.now();
    const writer = await createEventFileWriter(path, encoder(sensor));
    for (const b of synthetic(TOTAL, sensor)) await writer.write(b);
    await writer.close();
    const writeS = (performance.now() - t0) / 1000;
    const bytes = (await stat(path)).size;
    const plain = await best(() => plainRead(path));
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const read = await best(async () => {
      let n = 0;
      for await (const batch of await openEvents(path, { format })) {
        n += batch.length;
        if ((n & 0xfffff) < batch.length) peak = Math.max(peak, process.memoryUsage().rss);
      }
      if (n !== TOTAL) throw new Error(`${name}: read ${n} events, wrote ${TOTAL}`);
    });
    const inMemory = new Uint8Array(await readFile(path));
    // reader and bare loop alternate, so that both see the same share of a busy machine
    let mem = Infinity;
    let bare = Infinity;
    for (let r = 0; r < REPEAT; r++) {
      mem = Math.min(mem, await best1(() => decodeAll(inMemory, format)));
      bare = Math.min(bare, await best1(async () => {
        if (bareLoop(format, inMemory) !== TOTAL) throw new Error(`${name}: bare loop miscounted`);
      }));
    }
    rows.push({
      name: `${format} (written, ${(TOTAL / 1e6).toFixed(0)} M events)`,
      events: TOTAL,
      bytes,
      readerEps: TOTAL / read,
      memoryEps: TOTAL / mem,
      bareEps: TOTAL / bare,
      plainEps: TOTAL / plain,
      rssMiB: (peak - rssBefore) / 2 ** 20,
    });
    console.error(`${name}: wrote ${TOTAL} events in ${writeS.toFixed(2)} s (${(TOTAL / writeS / 1e6).toFixed(1)} M ev/s)`);
  }
  const fixtures: [string, RecordingFormat, SensorSize?][] = [
    ['pyaedat-IMU_translBoxes.aedat', 'aedat2'],
    ['tonic-sample.aedat4', 'aedat4'],
    ['expelliarmus-evt3_sample.raw', 'evt3'],
    ['tonic-sample_ncars.dat', 'dat'],
    ['tonic-sample_nmnist.bin', 'nmnist', { width: 34, height: 34 }],
  ];
  for (const [name, format, sensor] of values['no-fixtures'] ? [] : fixtures) {
    const bytes = new Uint8Array(await readFile(FIXTURES + name));
    const events = await decodeAll(bytes, format, sensor);
    // small files: repeat each pass so that a measurement lasts long enough to mean something
    const passes = Math.max(1, Math.ceil(5e6 / bytes.length));
    const plain = await best(async () => {
      for (let k = 0; k < passes; k++) await plainRead(FIXTURES + name);
    });
    const read = await best(async () => {
      for (let k = 0; k < passes; k++) await decodeAll(FIXTURES + name, format, sensor);
    });
    const mem = await best(async () => {
      for (let k = 0; k < passes; k++) await decodeAll(bytes, format, sensor);
    });
    rows.push({ name: `${format} (${name})`, events, bytes: bytes.length, readerEps: (events * passes) / read, memoryEps: (events * passes) / mem, plainEps: (events * passes) / plain });
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

const m = (eps: number) => (eps / 1e6).toFixed(1);
console.log(`Node ${process.version}, ${TOTAL} synthetic events per written format, best of ${REPEAT}, load average ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs`);
console.log('| recording | events | MB | reader M ev/s (file) | plain read M ev/s (file) | reader / plain | reader M ev/s (memory) | bare loop M ev/s (memory) | reader / bare | RSS growth MiB |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.name} | ${r.events} | ${(r.bytes / 1e6).toFixed(1)} | ${m(r.readerEps)} | ${m(r.plainEps)} | ${(r.readerEps / r.plainEps).toFixed(2)} | ${r.memoryEps ? m(r.memoryEps) : '—'} | ${r.bareEps ? m(r.bareEps) : '—'} | ${r.bareEps && r.memoryEps ? (r.memoryEps / r.bareEps).toFixed(2) : '—'} | ${r.rssMiB === undefined ? '—' : r.rssMiB.toFixed(0)} |`,
  );
}
