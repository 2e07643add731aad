// lz4js ships no types; these are the functions we call.
declare module 'lz4js' {
  /** Decompresses an LZ4 frame. */
  export function decompress(src: Uint8Array, maxSize?: number): Uint8Array;
  /** Upper bound of the decompressed size, from the frame descriptor. */
  export function decompressBound(src: Uint8Array): number;
}
