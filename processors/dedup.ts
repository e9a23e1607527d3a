/**
 * Dedup by event_id with bounded memory: ids are remembered with their event-time day and
 * forgotten once the day is older than the horizon. A duplicate arriving within the horizon
 * changes nothing; supervision facts are also deduplicated for good by the credit ledger itself.
 */
import { DAY_MS } from '../rules/engine/time.ts';

export class EventIdDedup {
  private readonly seen = new Map<string, number>();
  private readonly byDay = new Map<number, string[]>();
  private newestDay = Number.NEGATIVE_INFINITY;

  constructor(private readonly horizonDays: number) {}

  /** True when the id is new (and remembers it); false for a duplicate. */
  firstSeen(eventId: string, eventTime: number): boolean {
    if (this.seen.has(eventId)) return false;
    const day = Math.floor(eventTime / DAY_MS);
    this.seen.set(eventId, day);
    const ids = this.byDay.get(day);
    if (ids) ids.push(eventId);
    else this.byDay.set(day, [eventId]);
    if (day > this.newestDay) {
      this.newestDay = day;
      for (const [d, list] of this.byDay) {
        if (d >= day - this.horizonDays) continue;
        for (const id of list) if (this.seen.get(id) === d) this.seen.delete(id);
        this.byDay.delete(d);
      }
    }
    return true;
  }

  get size(): number {
    return this.seen.size;
  }
}
