// Valid `settlement` records for integration tests, built from the settlement example of
// shared/design/examples.ndjson (EVENTS.md) with unique ids, varied amounts, times and institutions.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const EXAMPLES = join(process.env.YIBAO_DESIGN_DIR ?? join(REPO_ROOT, '../shared/design'), 'examples.ndjson');

/**
 * Copy of the first settlement of examples.ndjson, used only when shared/ is not beside the
 * repository (a clone on its own); when the file is there it is read instead.
 */
const FALLBACK_EXAMPLE = {
  type: 'settlement',
  event_id: 'set-0001',
  occurred_at: '2026-11-20T10:42:13+08:00',
  setl_id: '510000S20261120000001',
  mdtrt_id: '510000M20261120000001',
  psn_no: '51000019800101000001',
  fixmedins_code: 'H51010700003',
  practitioner_code: 'D5101070000123',
  med_type: '11',
  insutype: '310',
  begntime: '2026-11-20T10:05:00+08:00',
  setl_time: '2026-11-20T10:42:13+08:00',
  medfee_sumamt: 286.4,
  fund_pay_sumamt: 171.84,
  psn_cash_pay: 114.56,
  dise_codg: 'J06.9',
};

export type SettlementRecord = typeof FALLBACK_EXAMPLE & Record<string, unknown>;

export interface GeneratedSettlement {
  /** Position in generation order; also encoded in event_id. */
  seq: number;
  record: SettlementRecord;
  /** The record as one JSON line (no newline). */
  json: string;
  /** fund_pay_sumamt in fen (分), exact. */
  fundFen: number;
  medfeeFen: number;
}

export function settlementExample(): SettlementRecord {
  if (existsSync(EXAMPLES)) {
    for (const line of readFileSync(EXAMPLES, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const rec = JSON.parse(line) as { type?: string };
      if (rec.type === 'settlement') return rec as SettlementRecord;
    }
    throw new Error(`${EXAMPLES} has no settlement record`);
  }
  return { ...FALLBACK_EXAMPLE };
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** `fixmedins_code` of institution `k`: H + 510107 (成都市武侯区) + serial 000NN. */
export function institutionCode(k: number): string {
  return `H510107${pad(k, 5)}`;
}

/** Epoch ms as RFC 3339 in China time (+08:00). */
export function chinaTime(ms: number): string {
  return `${new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`;
}

/** The clear psn_no of record `seq` (unique per record; never expected after decode). */
export function clearPsnNo(seq: number): string {
  return `5100001980${pad(seq, 10)}`;
}

/**
 * `count` settlements spread round-robin-ish over `institutions` codes (H51010700000…),
 * settled 7 s apart from 2026-11-20T08:00:00+08:00, with amounts that vary but stay valid.
 */
export function generateSettlements(count: number, institutions = 24): GeneratedSettlement[] {
  const base = settlementExample();
  const start = Date.parse('2026-11-20T08:00:00+08:00');
  const out: GeneratedSettlement[] = [];
  for (let seq = 0; seq < count; seq++) {
    const medfeeFen = 1_000 + ((seq * 7_919) % 900_000);
    const fundFen = Math.floor((medfeeFen * (40 + (seq % 51))) / 100);
    const setl = start + seq * 7_000;
    const record: SettlementRecord = {
      ...base,
      event_id: `set-it-${pad(seq, 7)}`,
      occurred_at: chinaTime(setl),
      setl_id: `510000S20261120${pad(seq, 6)}`,
      mdtrt_id: `510000M20261120${pad(seq, 6)}`,
      psn_no: clearPsnNo(seq),
      fixmedins_code: institutionCode((seq * 13) % institutions),
      begntime: chinaTime(setl - 37 * 60_000),
      setl_time: chinaTime(setl),
      medfee_sumamt: medfeeFen / 100,
      fund_pay_sumamt: fundFen / 100,
      psn_cash_pay: (medfeeFen - fundFen) / 100,
    };
    out.push({ seq, record, json: JSON.stringify(record), fundFen, medfeeFen });
  }
  return out;
}

/** Sequence number back from an event_id made by generateSettlements. */
export function seqOf(eventId: string): number {
  const m = /^set-it-(\d{7})$/.exec(eventId);
  if (!m) throw new Error(`event_id ${JSON.stringify(eventId)} was not made by generateSettlements`);
  return Number(m[1]);
}

/** Yuan → fen, exact for amounts with at most 2 decimals. */
export function toFen(yuan: number): number {
  return Math.round(yuan * 100);
}
