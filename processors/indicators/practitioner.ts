/**
 * The settlements of one practitioner over the last hours: `recent` keeps every event within two
 * hours of the newest (evidence.ts), so the one-hour count before any instant the watermark has
 * just passed is exact — a sliding hour, not 5-minute buckets (issue 14 item 3).
 */

import { Evidence } from './evidence.ts';

export const FIVE_MIN_MS = 300_000;

export class PractitionerWindows {
  readonly recent = new Evidence(10);
  institution = '';
  lastSeen = Number.NEGATIVE_INFINITY;
}
