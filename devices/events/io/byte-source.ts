// Where recording bytes come from. The decode core only sees chunks of bytes, so the same readers run
// on a file in Node, a dropped File/Blob in a browser, a fetch() body or bytes already in memory.

/** A file path (Node only), bytes in memory, a web stream, a Blob/File, or any async iterable of chunks. */
export type ByteSource =
  | string
  | Uint8Array
  | ArrayBuffer
  | Blob
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>
  | Iterable<Uint8Array>;

export const DEFAULT_BLOCK_SIZE = 1 << 20;

/** True for sources that can be read a second time (used to infer a sensor size by a first pass). */
export function isReReadable(source: ByteSource): boolean {
  return typeof source === 'string' || source instanceof Uint8Array || source instanceof ArrayBuffer || isBlob(source);
}

function isBlob(source: unknown): source is Blob {
  return typeof Blob !== 'undefined' && source instanceof Blob;
}

/** Yields the source's bytes in chunks of at most `blockSize` bytes (memory-resident sources are not copied). */
export async function* byteChunks(source: ByteSource, blockSize = DEFAULT_BLOCK_SIZE): AsyncGenerator<Uint8Array> {
  if (typeof source === 'string') {
    yield* fileChunks(source, blockSize);
  } else if (source instanceof Uint8Array || source instanceof ArrayBuffer) {
    const bytes = source instanceof Uint8Array ? source : new Uint8Array(source);
    for (let i = 0; i < bytes.length; i += blockSize) yield bytes.subarray(i, Math.min(bytes.length, i + blockSize));
  } else if (isBlob(source)) {
    for (let i = 0; i < source.size; i += blockSize) {
      yield new Uint8Array(await source.slice(i, Math.min(source.size, i + blockSize)).arrayBuffer());
    }
  } else if (typeof (source as ReadableStream).getReader === 'function') {
    // getReader() rather than for-await: not every browser makes web streams async-iterable.
    const reader = (source as ReadableStream<Uint8Array>).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        if (value.length > 0) yield value;
      }
    } finally {
      reader.releaseLock();
    }
  } else {
    for await (const chunk of source as AsyncIterable<Uint8Array>) if (chunk.length > 0) yield chunk;
  }
}

// The specifier is a variable so that browser bundlers leave this Node-only import alone.
const NODE_FS = 'node:fs';

async function* fileChunks(path: string, blockSize: number): AsyncGenerator<Uint8Array> {
  const fs = (await import(/* @vite-ignore */ NODE_FS)) as typeof import('node:fs');
  const stream = fs.createReadStream(path, { highWaterMark: blockSize });
  try {
    for await (const chunk of stream) yield chunk as Uint8Array;
  } finally {
    stream.destroy();
  }
}
