/** A clock tests move by hand; production code takes `() => number` (epoch milliseconds). */
export class FakeClock {
  constructor(private ms = Date.UTC(2026, 0, 1)) {}
  now = () => this.ms;
  advance(seconds: number) {
    this.ms += seconds * 1000;
  }
}
