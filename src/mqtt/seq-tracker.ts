// Per-device sequence numbers: a redelivered sample (same or older seq) is a duplicate and never
// steps the state twice; a jump forward is a gap, counted and reported. A sample from inside a
// recorded gap that arrives after all (a broker or publisher resent it out of order) is late: the
// state has moved past it, so it cannot be applied, and unlike a duplicate it was never applied.

export type SeqVerdict = { kind: 'duplicate'; last: number } | { kind: 'late'; last: number } | { kind: 'next'; gap: number };

/** gaps remembered per device (the most recent ones); older late samples count as duplicates */
const GAPS_KEPT = 16;

export class SeqTracker {
  private readonly last = new Map<string, number>();
  /** device -> skipped ranges [from, to], oldest first */
  private readonly gaps = new Map<string, Array<[number, number]>>();

  constructor(initial?: Record<string, number>) {
    if (initial) for (const [device, seq] of Object.entries(initial)) this.restore(device, seq);
  }

  /** Classifies `seq` for `device` and, when it is new, records it as the device's last. */
  accept(device: string, seq: number): SeqVerdict {
    const last = this.last.get(device);
    if (last !== undefined && seq <= last) {
      const late = this.gaps.get(device)?.some(([from, to]) => seq >= from && seq <= to);
      return { kind: late ? 'late' : 'duplicate', last };
    }
    this.last.set(device, seq);
    // Devices number their samples from 0, so a first sample with seq n means n were never seen.
    const from = last === undefined ? 0 : last + 1;
    if (seq > from) {
      const ranges = this.gaps.get(device) ?? [];
      ranges.push([from, seq - 1]);
      if (ranges.length > GAPS_KEPT) ranges.shift();
      this.gaps.set(device, ranges);
    }
    return { kind: 'next', gap: seq - from };
  }

  /** Continues a device from a snapshot: `seq` was its last applied sample. */
  restore(device: string, seq: number): void {
    this.last.set(device, seq);
    this.gaps.delete(device);
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
