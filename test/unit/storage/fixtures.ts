/** One record of each kind the ClickHouse sink stores, shared by the storage tests. */

import type { Alert, InspectionTask, Rejected } from '../../../processors/outputs.ts';
import type {
  DeadLetter,
  IndicatorSnapshot,
  PipelineMetric,
  StandingRecord,
} from '../../../processors/storage/rows.ts';
import type { ChainStatus } from '../../../rules/chains.ts';
import type { LevelChange, Standing } from '../../../rules/engine/standing.ts';

export const ALERT: Alert = {
  kind: 'alert',
  alert_id: 'alert-abc',
  rule: 'jiangsu.general_warning',
  severity: 'general',
  title: '信用风险预警：未达失信认定标准的违规行为',
  subject_kind: 'institution',
  subject_code: 'H32010200001',
  division: '320102',
  pack: 'jiangsu',
  raised_at: '2025-03-04T09:15:30.250+08:00',
  status: 'firing',
  reasons: [{ rule: 'jiangsu.general_warning', article: '第三条', event_id: 'ev-1' }],
  explanation: { indicator: 'fund_pay_30d', value: 120_000.5, threshold: 100_000, window: '30d' },
  evidence: ['ev-1', 'ev-2'],
};

export const LEVEL_CHANGE: LevelChange = {
  kind: 'level_change',
  subject_kind: 'institution',
  subject_code: 'H32010200001',
  pack: 'jiangsu',
  division: '320102',
  at: '2025-03-04T01:15:30Z',
  from: 'none',
  to: 'severe',
  scale: 'dishonesty',
  reasons: [{ rule: 'jiangsu.severe', article: '第十三条(一)', event_id: 'ev-9' }],
  event_id: 'ev-9',
  consequences: [],
};

export const STANDING: Standing = {
  subject_kind: 'practitioner',
  subject_code: 'D51010200000123',
  pack: 'sichuan',
  division: '510102',
  period: 2025,
  evaluated: true,
  scale: 'level',
  level: 'minor',
  score: 92.5,
  policy_in_force: true,
  as_of: '2025-06-30T23:59:59.999+08:00',
  reasons: [{ rule: 'sichuan.minor', article: '第二十六条' }],
  consequences: [],
};
export const STANDING_RECORD: StandingRecord = { kind: 'standing', standing: STANDING };

export const CHAIN: ChainStatus = {
  chain_id: 'chain-7',
  pack: 'sichuan',
  branches: 25,
  evaluated_branches: 20,
  at_or_below_d: 4,
  share: 0.2,
  triggers: ['sichuan.chain_20pct'],
  trigger_articles: ['第三十四条(七)'],
  branches_to_trigger: {},
  branch_codes: ['P51010200007'],
};

export const INSPECTION: InspectionTask = {
  kind: 'inspection',
  task_id: 'task-1',
  subject_kind: 'institution',
  subject_code: 'P51010200007',
  reason_rule: 'sichuan.chain_20pct',
  basis: '四川 第三十四条(七)',
  created_at: '2025-05-01T08:00:00+08:00',
  division: '510102',
  pack: 'sichuan',
};

export const REJECTED: Rejected = {
  kind: 'rejected',
  line: 17,
  raw: '{"type":"settlement"',
  error: 'line 17: not JSON',
  path: '',
  origin: 'file:feed.ndjson',
};

export const DEAD_LETTER: DeadLetter = {
  kind: 'dead_letter',
  received_at: '2025-05-01T00:00:00Z',
  source: 'kafka',
  topic: 'settlements',
  partition: 3,
  offset: '9007199254740993',
  raw: '{}',
  error: 'type: expected one of …',
  path: 'type',
};

export const SNAPSHOT: IndicatorSnapshot = {
  kind: 'indicator_snapshot',
  at: '2025-05-01T10:00:00+08:00',
  subject_kind: 'institution',
  subject_code: 'H32010200001',
  division: '320102',
  institution_kind: 'hospital',
  indicator: 'fund_pay_sum',
  window: '30d',
  value: 1234.56,
};

export const METRIC: PipelineMetric = {
  kind: 'pipeline_metric',
  at: '2025-05-01T10:00:00+08:00',
  stage: 'institution',
  metric: 'records_per_second',
  value: 850,
};
