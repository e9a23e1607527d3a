import { describe, expect, it } from 'vitest';
import { byPriority, planNotifications } from '../../../processors/alerting/fold.ts';
import { alert, burst } from './fixtures.ts';

const items = (n: number) => burst(n).map((a) => ({ alert: a }));

describe('folding bursts', () => {
  it('alerts that fit the budget go out one by one, in the order they were raised', () => {
    const plan = planNotifications(items(5), 20);
    expect(plan.send.map((n) => n.kind)).toEqual(['single', 'single', 'single', 'single', 'single']);
    expect(plan.send.map((n) => n.items[0]!.alert.alert_id)).toEqual(burst(5).map((a) => a.alert_id));
    expect(plan.held).toEqual([]);
  });

  it('25 alerts against 20 messages: the 19 most important one by one, one summary of the other 6', () => {
    const plan = planNotifications(items(25), 20);
    expect(plan.send).toHaveLength(20);
    const singles = plan.send.filter((n) => n.kind === 'single');
    const [summary] = plan.send.filter((n) => n.kind === 'summary');
    expect(singles).toHaveLength(19);
    expect(summary!.items).toHaveLength(6);
    expect(plan.send.at(-1)!.kind).toBe('summary');
    // 9 key + 8 general + 8 info: every key and general alert alone, 2 info alone, 6 info folded.
    expect(singles.filter((n) => n.items[0]!.alert.severity === 'info')).toHaveLength(2);
    expect(summary!.items.every((i) => i.alert.severity === 'info')).toBe(true);
    const ids = plan.send.flatMap((n) => n.items.map((i) => i.alert.alert_id));
    expect(new Set(ids).size).toBe(25);
  });

  it('one token left folds everything into one summary; none left holds everything', () => {
    expect(planNotifications(items(7), 1).send).toMatchObject([{ kind: 'summary', items: { length: 7 } }]);
    expect(planNotifications(items(7), 0)).toMatchObject({ send: [], held: { length: 7 } });
    expect(planNotifications([], 5)).toEqual({ send: [], held: [] });
  });

  it('priority: severity, then firing before resolved, then oldest', () => {
    const k = alert({ alert_id: 'k', severity: 'key', raised_at: '2025-03-04T03:00:00Z' });
    const g = alert({ alert_id: 'g', severity: 'general', raised_at: '2025-03-04T01:00:00Z' });
    const gr = alert({
      alert_id: 'gr',
      severity: 'general',
      status: 'resolved',
      raised_at: '2025-03-04T00:00:00Z',
    });
    const g2 = alert({ alert_id: 'g2', severity: 'general', raised_at: '2025-03-04T08:00:00+08:00' });
    expect([gr, g, k, g2].sort(byPriority).map((a) => a.alert_id)).toEqual(['k', 'g2', 'g', 'gr']);
  });
});
