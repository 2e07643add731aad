// The few FlatBuffers reads AEDAT 4 needs (tables, scalars, strings, vectors), done over a DataView so
// that no generated code or schema is needed. Offsets are checked against the buffer so that corrupt
// input throws a RangeError that the caller turns into a typed error.

export class FlatTable {
  private readonly vtable: number;
  private readonly vtableSize: number;

  constructor(
    readonly view: DataView,
    readonly pos: number,
  ) {
    this.vtable = pos - view.getInt32(pos, true);
    this.vtableSize = view.getUint16(this.vtable, true);
  }

  /** Absolute position of field `index`, or 0 when the field is absent (default value). */
  field(index: number): number {
    const slot = 4 + 2 * index;
    if (slot + 2 > this.vtableSize) return 0;
    const off = this.view.getUint16(this.vtable + slot, true);
    return off === 0 ? 0 : this.pos + off;
  }

  int32(index: number, fallback: number): number {
    const at = this.field(index);
    return at === 0 ? fallback : this.view.getInt32(at, true);
  }

  int64(index: number, fallback: number): number {
    const at = this.field(index);
    return at === 0 ? fallback : this.view.getUint32(at, true) + this.view.getInt32(at + 4, true) * 2 ** 32;
  }

  /** Position of the first element and the length of a vector field (length 0 when absent). */
  vector(index: number): { start: number; length: number } {
    const at = this.field(index);
    if (at === 0) return { start: 0, length: 0 };
    const vec = at + this.view.getUint32(at, true);
    return { start: vec + 4, length: this.view.getUint32(vec, true) };
  }

  string(index: number): string | undefined {
    const { start, length } = this.vector(index);
    if (start === 0) return undefined;
    if (start + length > this.view.byteLength) throw new RangeError('string past the end of the buffer');
    return new TextDecoder().decode(new Uint8Array(this.view.buffer, this.view.byteOffset + start, length));
  }
}

/** The root table of a buffer, optionally size-prefixed; checks the 4-character file identifier. */
export function rootTable(bytes: Uint8Array, identifier: string): FlatTable | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const base of [0, 4]) {
    if (bytes.length >= base + 8 && identifierAt(bytes, base + 4) === identifier) {
      const sub = new DataView(bytes.buffer, bytes.byteOffset + base, bytes.byteLength - base);
      return new FlatTable(sub, view.getUint32(base, true));
    }
  }
  return undefined;
}

function identifierAt(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
}
