// Messages per second over a sliding window, from arrival times in milliseconds.

export class RateMeter {
  private readonly times: number[] = [];

  constructor(private readonly windowMs = 1000) {}

  add(now: number): void {
    this.times.push(now);
    this.prune(now);
  }

  /** messages per second in the window ending at `now` */
  rate(now: number): number {
    this.prune(now);
    return (this.times.length * 1000) / this.windowMs;
  }

  private prune(now: number): void {
    let drop = 0;
    while (drop < this.times.length && this.times[drop] <= now - this.windowMs) drop++;
    if (drop > 0) this.times.splice(0, drop);
  }
}
