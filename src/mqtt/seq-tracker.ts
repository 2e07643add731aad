// Per-device sequence numbers: a redelivered sample (same or older seq) is a duplicate and never
// steps the state twice; a jump forward is a gap, counted and reported.

export type SeqVerdict = { kind: 'duplicate'; last: number } | { kind: 'next'; gap: number };

export class SeqTracker {
  private readonly last = new Map<string, number>();

  constructor(initial?: Record<string, number>) {
    if (initial) for (const [device, seq] of Object.entries(initial)) this.last.set(device, seq);
  }

  /** Classifies `seq` for `device` and, when it is new, records it as the device's last. */
  accept(device: string, seq: number): SeqVerdict {
    const last = this.last.get(device);
    if (last !== undefined && seq <= last) return { kind: 'duplicate', last };
    this.last.set(device, seq);
    // Devices number their samples from 0, so a first sample with seq n means n were never seen.
    return { kind: 'next', gap: last === undefined ? seq : seq - last - 1 };
  }

  get(device: string): number | undefined {
    return this.last.get(device);
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries(this.last);
  }

  get size(): number {
    return this.last.size;
  }
}
