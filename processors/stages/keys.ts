/**
 * The keys work is split by (ARCHITECTURE.md "Keys and stages"). The institution stage is keyed
 * by prefecture — the 4-digit division prefix (GB/T 2260) of the subject's code — rather than by
 * the single fixmedins_code, because two things in it read across institutions: the peer group
 * (same kind, level and prefecture: off-hours share and per-visit outliers compare against it)
 * and a village clinic's managing township hospital (巫山 judges the two together). Both stay
 * inside one prefecture, so one instance holds all of them; a province's 13–21 prefectures bound
 * the stage's parallelism. Insured persons' and employers' credit ledgers read nothing else and
 * are keyed by their own (pseudonymised) code. Pure.
 */
import type { MonitorEvent } from '../../schemas/events.ts';

const prefecture = (division: string) => `d:${division.slice(0, 4)}`;

/** An institution's prefecture from its fixmedins_code (`H`/`P` + 6-digit division + serial). */
export const institutionKey = (fixmedinsCode: string) => prefecture(fixmedinsCode.slice(1, 7));

/** A practitioner's prefecture from the division after its letter prefix (EVENTS.md codes). */
export const practitionerKey = (practitionerCode: string) =>
  prefecture(practitionerCode.replace(/^[A-Z]+/, '').slice(0, 6));

/** The institution-stage key of an input event. */
export function institutionStageKey(e: MonitorEvent): string {
  switch (e.type) {
    case 'practitioner':
      return practitionerKey(e.practitioner_code);
    case 'supervision':
      switch (e.subject_kind) {
        case 'institution':
          return institutionKey(e.subject_code);
        case 'practitioner':
          return practitionerKey(e.subject_code);
        default:
          return `${e.subject_kind}:${e.subject_code}`;
      }
    default:
      return institutionKey(e.fixmedins_code);
  }
}

/** FNV-1a: a stable key → instance spread for the in-memory exchange (Kafka uses its partitioner). */
export function instanceOf(key: string, instances: number): number {
  if (instances <= 1) return 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % instances;
}
