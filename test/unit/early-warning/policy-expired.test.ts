/**
 * 广东 第四十三条: 本办法自 2024 年 7 月 1 日起施行，有效期两年 (seed 002), so its last day is
 * 2026-06-30. When event time passes it with no later fact for any subject, the one
 * `policy_expired` alert of the pack is still raised (POLICY.md); it used to wait for a fact.
 */
import { describe, expect, it } from 'vitest';
import { at, registry, settlement } from '../../support/records.ts';
import { firing, run } from './harness.ts';

const H = 'H44010600001';
const penalty = {
  type: 'supervision',
  event_id: 'sup-gd-expiry-1',
  occurred_at: at('2026-03-02'),
  subject_kind: 'institution',
  subject_code: H,
  action: 'penalty',
  behavior: 'overcharge',
  decided_at: '2026-03-02',
  document_no: '粤医保决〔2026〕1号',
};

describe('policy_expired (广东 第四十三条)', () => {
  it('a settlement on 2 July 2026 moves event time past 30 June: one policy_expired alert, at the lapse', () => {
    const { alerts } = run([
      registry(H),
      penalty,
      settlement({ inst: H, psn: '440106199001010011', time: at('2026-07-02') }),
    ]);
    const expired = firing(alerts, 'policy_expired');
    expect(expired).toHaveLength(1);
    expect(expired[0]).toMatchObject({ subject_kind: 'pack', subject_code: 'guangdong', pack: 'guangdong' });
    expect(Date.parse(expired[0]!.raised_at)).toBe(Date.parse('2026-07-01T00:00:00+08:00'));
    expect(expired[0]?.reasons[0]).toMatchObject({ article: '第四十三条' });
  });

  it('with event time still on 30 June, none', () => {
    const { alerts } = run([
      registry(H),
      penalty,
      settlement({ inst: H, psn: '440106199001010011', time: at('2026-06-30', '23:00:00') }),
    ]);
    expect(firing(alerts, 'policy_expired')).toHaveLength(0);
  });
});
