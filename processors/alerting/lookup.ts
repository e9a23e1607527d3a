/**
 * What the `alerts` commands check before they write (issue 16: silences for a rule that does not
 * exist and acks of an alert that does not exist were accepted): which rule ids alerts carry, and
 * whether an alert id is on the bus.
 */
import { DeliverPolicy, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { RULES } from '../../rules/early-warning/definitions.ts';
import { PACKS } from '../../rules/packs/index.ts';
import { MonitorError } from '../../schemas/errors.ts';
import { wrapNats } from './bus.ts';
import type { SilenceChecks } from './silences.ts';
import { ALERT_SUBJECT_PREFIX, subjectToken } from './subjects.ts';

/**
 * Rule ids alerts carry by construction: the early warnings (rules/early-warning/definitions.ts,
 * grade_boundary_proximity and chain_threshold_proximity among them), `policy_expired`
 * (processors/credit-alerts.ts) and the packs' chain triggers. A pack's notes and warnings carry
 * the pack's own rule ids (`jiangsu.…`); those count once alerts with them are on the bus.
 */
export const STATIC_ALERT_RULES: readonly string[] = [
  ...new Set([
    ...Object.keys(RULES),
    'policy_expired',
    ...PACKS.flatMap((p) => p.chain_triggers.map((t) => t.rule)),
  ]),
].sort();

function isNotFound(err: unknown): boolean {
  return err instanceof Error && err.name === 'StreamNotFoundError';
}

/** The rule tokens of the subjects the stream holds (`alerts.<division>.<severity>.<rule>`); none without a stream. */
export async function busRuleTokens(
  jsm: JetStreamManager,
  stream: string,
  prefix = ALERT_SUBJECT_PREFIX,
): Promise<Set<string>> {
  try {
    const info = await jsm.streams.info(stream, { subjects_filter: `${prefix}.>` });
    const tokens = new Set<string>();
    for (const subject of Object.keys(info.state.subjects ?? {})) {
      const rule = subject.slice(prefix.length + 1).split('.')[2];
      if (rule) tokens.add(rule);
    }
    return tokens;
  } catch (err) {
    if (isNotFound(err)) return new Set();
    throw wrapNats(err, `cannot read the subjects of the alert stream ${stream}`);
  }
}

/** A rule is known when alerts carry it by construction or alerts with it are on the bus. */
export function ruleChecks(busTokens: ReadonlySet<string>): Required<SilenceChecks> {
  const known = new Set(STATIC_ALERT_RULES);
  return {
    isKnownRule: (rule) => known.has(rule) || busTokens.has(subjectToken(rule)),
    knownRules: () => STATIC_ALERT_RULES,
  };
}

export type FoundAlert = { readonly seq: number; readonly subject: string; readonly status: string };

/** Messages read per step, newest first: the alert being acknowledged is usually recent. */
const CHUNK = 2_000;

/**
 * The newest message of `alertId` on the stream (its status: firing or resolved), or undefined.
 * Reads headers only (the message id is `alert_id:status`), from the end of the stream backwards.
 */
export async function findAlertOnBus(
  js: JetStreamClient,
  jsm: JetStreamManager,
  stream: string,
  alertId: string,
  opts: { prefix?: string; chunk?: number } = {},
): Promise<FoundAlert | undefined> {
  let state: { first_seq: number; last_seq: number; messages: number };
  try {
    state = (await jsm.streams.info(stream)).state;
  } catch (err) {
    if (isNotFound(err)) {
      throw new MonitorError(
        'CONFIG_INVALID',
        `the alert stream ${stream} does not exist on this server: there is no alert ${alertId} to acknowledge ` +
          '(is YIBAO_NATS_URL the server the monitor publishes to?)',
        { stream },
      );
    }
    throw wrapNats(err, `cannot read the alert stream ${stream}`);
  }
  if (state.messages === 0) return undefined;
  const chunk = opts.chunk ?? CHUNK;
  const wanted = `${alertId}:`;
  for (let end = state.last_seq; end >= state.first_seq; end -= chunk) {
    const start = Math.max(state.first_seq, end - chunk + 1);
    const consumer = await js.consumers.get(stream, {
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: start,
      headers_only: true,
      filter_subjects: `${opts.prefix ?? ALERT_SUBJECT_PREFIX}.>`,
    });
    let found: FoundAlert | undefined;
    try {
      const messages = await consumer.fetch({ max_messages: end - start + 1, expires: 5_000 });
      for await (const m of messages) {
        const id = m.headers?.get('Nats-Msg-Id') ?? '';
        if (id.startsWith(wanted) && m.seq <= end)
          found = { seq: m.seq, subject: m.subject, status: id.slice(wanted.length) };
        if (m.seq >= end) break;
      }
    } finally {
      await consumer.delete().catch(() => undefined);
    }
    if (found) return found;
  }
  return undefined;
}
