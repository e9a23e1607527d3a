// Alerts shaped like the topology's (processors/early-warning.ts, credit-alerts.ts), for the
// alerting tests.
import type { Alert } from '../../../processors/outputs.ts';

export function alert(over: Partial<Alert> = {}): Alert {
  return {
    kind: 'alert',
    alert_id: 'alert-AbC123_xyz-0000001',
    rule: 'split_admission',
    severity: 'general',
    title: '分解住院：出院后短期内再次入院',
    subject_kind: 'institution',
    subject_code: 'H51010400001',
    division: '510104',
    pack: 'sichuan',
    raised_at: '2025-03-04T10:00:00.000+08:00',
    status: 'firing',
    reasons: [
      {
        rule: 'split_admission',
        article: '第十九条',
        seed: '000_6ffbee0125ee8f6d.txt',
        detail: '15 日内再入院 3 人次',
      },
      { rule: 'split_admission.threshold', assumption: '阈值为监测经验值' },
    ],
    explanation: { indicator: 'readmission_15d', value: 3, threshold: 2, window: '30d', baseline: 0.8 },
    evidence: ['evt-1', 'evt-2'],
    ...over,
  };
}

/** n alerts with distinct ids, cycling severities key → general → info, one minute apart. */
export function burst(n: number, over: Partial<Alert> = {}): Alert[] {
  const severities = ['key', 'general', 'info'] as const;
  return Array.from({ length: n }, (_, i) =>
    alert({
      alert_id: `alert-burst-${String(i).padStart(4, '0')}`,
      severity: severities[i % 3]!,
      subject_code: `H510104${String(i).padStart(5, '0')}`,
      raised_at: new Date(Date.parse('2025-03-04T02:00:00Z') + i * 60_000).toISOString(),
      ...over,
    }),
  );
}
