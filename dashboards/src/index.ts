/** Every dashboard, built: the JSON Grafana loads and the checks the panel-query test runs. */
import { type BuiltDashboard, buildDashboard } from './builder.ts';
import { chains } from './chains.ts';
import { divisions } from './divisions.ts';
import { institutionDashboard } from './institution.ts';
import { oncall } from './oncall.ts';
import { overview } from './overview.ts';
import { pipeline } from './pipeline.ts';
import { queue } from './queue.ts';

export const DASHBOARDS: readonly BuiltDashboard[] = [
  divisions,
  overview,
  institutionDashboard,
  oncall,
  queue,
  chains,
  pipeline,
].map(buildDashboard);

/** The file text written to dashboards/json (biome then formats it; compare parsed, not as text). */
export const renderJson = (d: BuiltDashboard) => `${JSON.stringify(d.json, null, 2)}\n`;
