// The last `capacity` rows of a time series with a fixed number of columns, kept in a ring so that
// a 50 Hz stream costs no allocation per sample; charts read it oldest-first with pack().

/** A chart's columns (x first), each `rows` long, one after the other in `data`. */
export interface ChartData {
  columns: number;
  rows: number;
  data: Float64Array;
}

/** Column views of packed chart data, as uPlot takes them (typed arrays, no copy). */
export function unpack({ columns, rows, data }: ChartData): Float64Array[] {
  return Array.from({ length: columns }, (_, c) => data.subarray(c * rows, (c + 1) * rows));
}

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

  /**
   * Every column, oldest row first, packed column after column into one fresh Float64Array
   * (`columns * rows` values): one transferable buffer per chart for postMessage.
   */
  pack(): ChartData {
    const start = (this.next - this.size + this.capacity) % this.capacity;
    const data = new Float64Array(this.columnCount * this.size);
    const head = this.capacity - start; // rows before the ring wraps
    for (let c = 0; c < this.columnCount; c++) {
      const col = this.data[c];
      if (head >= this.size) data.set(col.subarray(start, start + this.size), c * this.size);
      else {
        data.set(col.subarray(start), c * this.size);
        data.set(col.subarray(0, this.size - head), c * this.size + head);
      }
    }
    return { columns: this.columnCount, rows: this.size, data };
  }

  /** The newest row, or undefined when empty. */
  last(): number[] | undefined {
    if (this.size === 0) return undefined;
    const i = (this.next - 1 + this.capacity) % this.capacity;
    return this.data.map((col) => col[i]);
  }
}
