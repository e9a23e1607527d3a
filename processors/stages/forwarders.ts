/**
 * Person-side work handed across the stage split (institution → person: visits and their
 * reversals; person → institution: readmissions). Classes rather than closures: they are part of
 * a stage's state graph, and a snapshot can carry a class instance (its hand-over is re-attached
 * by name, see snapshot.ts) but not a closure.
 */
import type {
  PersonHandOver,
  ReadmissionHandOver,
  ReadmissionSignal,
  VisitRecord,
  VisitReversal,
} from '../indicators/visits.ts';
import { institutionKey } from './keys.ts';
import type { HandOver } from './messages.ts';

/** Institution stage → person stage, keyed by person; tagged with the source partition being applied. */
export class VisitsToPersons implements PersonHandOver {
  /** The source partition of the record being applied (set by the institution stage). */
  partition = '';

  constructor(private readonly handOver: HandOver) {}

  visit(visit: VisitRecord): void {
    this.handOver.send('person', visit.person, { kind: 'visit', visit, partition: this.partition });
  }

  reversal(reversal: VisitReversal): void {
    this.handOver.send('person', reversal.person, {
      kind: 'visit_reversal',
      reversal,
      partition: this.partition,
    });
  }
}

/** Person stage → institution stage, keyed by the institution's prefecture. */
export class ReadmissionsToInstitutions implements ReadmissionHandOver {
  constructor(private readonly handOver: HandOver) {}

  readmission(signal: ReadmissionSignal): void {
    this.handOver.send('institution', institutionKey(signal.institution), { kind: 'readmission', signal });
  }
}
