import { describe, expect, it } from 'vitest';
import { InstitutionWindows } from '../../../processors/indicators/institution.ts';
import { chinaDay } from '../../../processors/indicators/ring.ts';

const day0 = Date.parse('2026-03-02T10:00:00+08:00');

describe('distinct insured persons per institution (HyperLogLog)', () => {
  it.each([10, 1_000, 20_000])('estimates %i distinct persons within 30%%, repeats not counted', (n) => {
    const w = new InstitutionWindows();
    for (let i = 0; i < n; i++)
      for (let r = 0; r < 3; r++) w.addPerson(day0 + r * 60_000, `ps_${i.toString(36)}`);
    const est = w.distinctPersons(chinaDay(day0), chinaDay(day0));
    expect(Math.abs(est - n) / n).toBeLessThan(0.3);
  });

  it('the union over days counts a person seen on two days once, and a day older than 8 is gone', () => {
    const w = new InstitutionWindows();
    for (let i = 0; i < 500; i++) {
      w.addPerson(day0, `ps_${i}`);
      w.addPerson(day0 + 86_400_000, `ps_${i}`);
    }
    const d = chinaDay(day0);
    expect(Math.abs(w.distinctPersons(d, d + 1) - 500) / 500).toBeLessThan(0.3);
    w.addPerson(day0 + 8 * 86_400_000, 'ps_new');
    expect(w.distinctPersons(d, d)).toBe(0);
  });
});
