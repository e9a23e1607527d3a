/** Rolling settlements of one practitioner in 5-minute buckets: the last hour and the one in progress. */

import { Evidence } from './evidence.ts';
import { BucketRing } from './ring.ts';

export const FIVE_MIN_MS = 300_000;

export class PractitionerWindows {
  // 20 buckets: the hour, 15 minutes of alignment (InstitutionStage.alignMs), lateness, the bucket in progress.
  readonly ring = new BucketRing(FIVE_MIN_MS, 20, 1);
  readonly recent = new Evidence(10);
  institution = '';
  lastSeen = Number.NEGATIVE_INFINITY;
}
