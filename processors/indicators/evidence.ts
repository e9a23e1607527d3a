/**
 * Up to N evidence event ids per indicator, chosen by (event time, id) so the choice does not
 * depend on arrival order: the newest N events win.
 */
export class Evidence {
  private readonly times: number[] = [];
  private readonly ids: string[] = [];

  constructor(private readonly max = 10) {}

  add(t: number, id: string): void {
    const n = this.ids.length;
    if (n === this.max) {
      const t0 = this.times[0]!;
      if (t < t0 || (t === t0 && id <= this.ids[0]!)) return;
      this.times.shift();
      this.ids.shift();
    }
    let i = this.ids.length;
    while (i > 0 && (this.times[i - 1]! > t || (this.times[i - 1] === t && this.ids[i - 1]! > id))) i--;
    if (this.ids[i] === id && this.times[i] === t) return;
    this.times.splice(i, 0, t);
    this.ids.splice(i, 0, id);
  }

  remove(id: string): void {
    const i = this.ids.indexOf(id);
    if (i >= 0) {
      this.ids.splice(i, 1);
      this.times.splice(i, 1);
    }
  }

  /** Ids of events before `until`, oldest first. */
  before(until: number): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.ids.length; i++) if (this.times[i]! < until) out.push(this.ids[i]!);
    return out;
  }
}
