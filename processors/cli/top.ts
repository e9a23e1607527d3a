/**
 * `yibao-monitor top`: the riskiest institutions, open alerts by severity and chain status. Asks
 * the running monitor over its status port first (chDB locks ./data while `run` holds it), and
 * opens the store itself only when no monitor answers.
 */
import type { Config } from '../config.ts';
import { createStorageClient } from '../storage/client.ts';
import { chainStatuses, openAlertsBySeverity, riskiestInstitutions } from '../storage/queries.ts';

type Top = {
  riskiest_institutions: Awaited<ReturnType<typeof riskiestInstitutions>>;
  open_alerts: Awaited<ReturnType<typeof openAlertsBySeverity>>;
  chains: Awaited<ReturnType<typeof chainStatuses>>;
};

async function fromRunningMonitor(port: number, limit: number): Promise<Top | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/top?limit=${limit}`, {
      signal: AbortSignal.timeout(2_000),
    });
    return res.ok ? ((await res.json()) as Top) : undefined;
  } catch {
    return undefined;
  }
}

export async function topCommand(config: Config, limit: number, print: (l: string) => void): Promise<void> {
  let top = await fromRunningMonitor(config.YIBAO_STATUS_PORT, limit);
  let where = `the running monitor (port ${config.YIBAO_STATUS_PORT})`;
  if (!top) {
    const store = await createStorageClient(config);
    try {
      const db = config.YIBAO_CLICKHOUSE_DATABASE;
      top = {
        riskiest_institutions: await riskiestInstitutions(store.client, db, { limit }),
        open_alerts: await openAlertsBySeverity(store.client, db),
        chains: await chainStatuses(store.client, db),
      };
      where = store.location;
    } finally {
      await store.close();
    }
  }
  print(`From ${where}:`);
  print('Riskiest institutions (worst level, then most open alerts):');
  for (const r of top.riskiest_institutions)
    print(
      `  ${r.subject_code}  ${r.pack || '—'}  ${r.level || '—'}${r.score !== null ? ` (${r.score})` : ''}  open alerts ${r.open_alerts}${r.worst_open_severity ? ` (worst ${r.worst_open_severity})` : ''}`,
    );
  print('Open alerts by severity:');
  for (const a of top.open_alerts)
    print(`  ${a.severity}: ${a.open_alerts} alerts on ${a.subjects} subjects`);
  print('Pharmacy chains:');
  for (const c of top.chains)
    print(
      `  ${c.chain_id} (${c.pack}): ${c.at_or_below_d}/${c.evaluated_branches} at D or below = ${(c.share * 100).toFixed(1)}%${c.triggers.length ? `  TRIGGERED ${c.triggers.join(', ')}` : ''}`,
    );
}
