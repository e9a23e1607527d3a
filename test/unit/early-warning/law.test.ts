/**
 * An early warning cites its own pack's early-warning article and seed (Pack.early_warning), and
 * so does the inspection task a key warning opens; a division no pack covers cites nothing and
 * says so (issue 17: every alert used to cite 四川 第十九条 and the Sichuan seed).
 */
import { describe, expect, it } from 'vitest';
import type { InspectionTask } from '../../../processors/outputs.ts';
import { PACKS } from '../../../rules/packs/index.ts';
import { registry, settlement } from '../../support/records.ts';
import { firing, run } from './harness.ts';

const t0 = Date.parse('2026-03-02T10:00:00+08:00');
const iso = (ms: number) =>
  new Date(ms + 8 * 3_600_000).toISOString().replace('Z', '+08:00').replace('.000', '');

/** 60 settlements in an hour by one physician of a hospital in `division`: twice the threshold, a key alert. */
function busyPhysician(division: string) {
  const inst = `H${division}00001`;
  const doc = `D${division}0000123`;
  return [
    registry(inst),
    ...Array.from({ length: 60 }, (_, i) =>
      settlement({
        inst,
        psn: `${division}1965010${String(i).padStart(4, '0')}`,
        practitioner: doc,
        time: iso(t0 + i * 50_000),
      }),
    ),
  ];
}

const COVERED = [
  ['guangdong', '440106'],
  ['jiangsu', '320102'],
  ['xinjiang', '650102'],
  ['chongqing-wushan', '500237'],
  ['sichuan', '510107'],
] as const;

describe('the law an early warning cites', () => {
  it.each(COVERED)(
    'an alert and its inspection task in a %s division (%s) cite that pack',
    (id, division) => {
      const pack = PACKS.find((p) => p.id === id)!;
      const { alerts, outputs } = run(busyPhysician(division));
      // Raised at 30 (general), raised again at 60 as key: both cite the same law.
      const raised = firing(alerts, 'practitioner_throughput');
      expect(raised.map((a) => a.severity)).toContain('key');
      const alert = raised.at(-1);
      expect(alert).toMatchObject({ division, pack: id, severity: 'key' });
      const law = (a: typeof alert) => a?.reasons.map(({ detail: _, ...r }) => r);
      expect(law(raised[0])).toEqual(law(alert));
      const cited = alert!.reasons.filter((r) => r.seed !== undefined || r.article !== undefined);
      expect(cited.map((r) => r.seed)).toEqual([pack.seed]);
      expect(cited).toEqual([
        expect.objectContaining({
          rule: 'practitioner_throughput',
          article: pack.early_warning.article,
          seed: pack.seed,
        }),
      ]);
      // Where the seed states no early-warning duty, the reading is labelled an assumption.
      expect(cited[0]?.assumption).toBe(pack.early_warning.assumption);
      const task = outputs.find(
        (o): o is InspectionTask => o.kind === 'inspection' && o.reason_rule === 'practitioner_throughput',
      );
      expect(task?.basis).toContain(`${id} ${pack.early_warning.article}`);
      expect(task?.basis).toContain(pack.seed);
      for (const other of PACKS.filter((p) => p.id !== id)) expect(task?.basis).not.toContain(other.seed);
    },
  );

  it('an alert in a division no pack covers (110105) cites no article or seed and says why', () => {
    const { alerts, outputs } = run(busyPhysician('110105'));
    const alert = firing(alerts, 'practitioner_throughput').at(-1);
    expect(alert).toMatchObject({ division: '110105', pack: null, severity: 'key' });
    for (const r of alert!.reasons) {
      expect(r.article).toBeUndefined();
      expect(r.seed).toBeUndefined();
    }
    expect(alert!.reasons).toContainEqual({
      rule: 'early_warning.no_pack',
      detail: 'no policy pack covers division 110105: this warning rests on no article of a seed',
    });
    const task = outputs.find((o): o is InspectionTask => o.kind === 'inspection');
    expect(task?.basis).toBe(
      'no policy pack covers division 110105: this warning rests on no article of a seed',
    );
  });
});
