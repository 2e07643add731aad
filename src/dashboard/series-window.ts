// The last `capacity` rows of a time series with a fixed number of columns, kept in a ring so that
// a 50 Hz stream costs no allocation per sample; charts read it oldest-first with columns().

export class SeriesWindow {
  private readonly data: Float64Array[];
  private next = 0;
  private size = 0;

  constructor(readonly columnCount: number, readonly capacity: number) {
    this.data = Array.from({ length: columnCount }, () => new Float64Array(capacity));
  }

  get length(): number {
    return this.size;
  }

  push(row: ArrayLike<number>): void {
    for (let c = 0; c < this.columnCount; c++) this.data[c][this.next] = row[c] ?? NaN;
    this.next = (this.next + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
  }

  /** One array per column, oldest row first (a fresh copy: uPlot keeps what it is given). */
  columns(): number[][] {
    const start = (this.next - this.size + this.capacity) % this.capacity;
    return this.data.map((col) => {
      const out = new Array<number>(this.size);
      for (let i = 0; i < this.size; i++) out[i] = col[(start + i) % this.capacity];
      return out;
    });
  }

  /** The newest row, or undefined when empty. */
  last(): number[] | undefined {
    if (this.size === 0) return undefined;
    const i = (this.next - 1 + this.capacity) % this.capacity;
    return this.data.map((col) => col[i]);
  }
}
