/**
 * 3. Latency of the crossing-event rules (README "When each rule fires"): a steady 5,000
 * settlements/s produced to Kafka with event times at the wall clock, and 60 patterns among them —
 * 30 pharmacy_repeat_purchase (4 purchases, one person, one pharmacy) and 30
 * multi_institution_day (one person at 5 institutions) — whose last events fall 5–25 s into the
 * run, on no boundary. For each pattern, per rule: the time from its last (crossing) event being
 * produced to its alert arriving on the alert bus (a consumer of the benchmark's ALERTS stream).
 *
 * A crossing-event rule is read once the watermark (the slowest partition's newest event time −
 * allowed lateness) passes the crossing record, so the whole delay is the lateness plus the
 * pipeline. The benchmark reports both: the whole delay, and the pipeline's part (alert on the bus
 * − the moment records with event time crossing + lateness were produced). Run as `latency`
 * (YIBAO_ALLOWED_LATENESS_SECONDS=60, the default) and `latency-1s` (1 s).
 */
import { jetstream } from '@nats-io/jetstream';
import { logLevel, Partitioners } from 'kafkajs';
import { alignWith, type KafkaSource, kafkaSource } from '../../processors/io/sources/kafka.ts';
import { runMonitor } from '../../processors/run.ts';
import { createSimulation } from '../../processors/simulator/simulate.ts';
import { chinaDate } from '../../rules/engine/time.ts';
import { testKafkaClient } from '../support/kafka.ts';
import { type Bench, percentile, round } from './common.ts';
import { keyOf, startHarness, TOPIC } from './kafka-harness.ts';

const RATE = 5_000;
const TICK_MS = 20;
const HOUR = 3_600_000;
/** Patterns complete between these seconds of the run. */
const FIRST_S = 5;
const LAST_S = 25;

type Rec = Record<string, unknown>;
type Pattern = {
  id: string;
  rule: string;
  events: { at: number; rec: Rec }[];
  lastProducedAt?: number;
  /** When records with event time (crossing + lateness) were first produced. */
  passedAt?: number;
  alertAt?: number;
};

const iso = (t: number) => new Date(t + 8 * HOUR).toISOString().replace(/\.\d{3}Z$/, '+08:00');

function latencyBench(latenessS: number, name: string): Bench {
  return {
    name,
    description: `time from a pattern's last event produced to its alert on the bus, 5,000 events/s, allowed lateness ${latenessS} s`,
    async run(ctx) {
      const h = await startHarness({ YIBAO_ALLOWED_LATENESS_SECONDS: String(latenessS) });
      try {
        await measure(ctx, h, latenessS);
      } finally {
        await h.stop();
      }
    },
  };
}

async function measure(
  ctx: Parameters<Bench['run']>[0],
  h: Awaited<ReturnType<typeof startHarness>>,
  latenessS: number,
): Promise<void> {
  // The registry and a settlement template from a simulation of today.
  const sim = createSimulation({ seed: 3, days: 1, institutions: 400, start: chinaDate(Date.now()) });
  const registry: string[] = [];
  let template: Rec | undefined;
  for (const l of sim.lines()) {
    const r = JSON.parse(l) as Rec;
    if (r.type === 'settlement') {
      if (r.med_type === '11') template = r;
      if (template) break;
      continue;
    }
    registry.push(l);
  }
  if (!template) throw new Error('no outpatient settlement in the simulation');
  const insts = registry.map((l) => JSON.parse(l) as Rec).filter((r) => r.type === 'institution');
  const pharmacies = insts.filter((r) => r.kind === 'pharmacy').map((r) => r.fixmedins_code as string);
  const others = insts.filter((r) => r.kind !== 'pharmacy').map((r) => r.fixmedins_code as string);
  if (pharmacies.length < 30 || others.length < 5)
    throw new Error(`too few pharmacies (${pharmacies.length})`);

  let seq = 0;
  const settlement = (t: number, inst: string, psn: string, pharmacy: boolean): Rec => {
    const id = `lat-${++seq}`;
    const { items: _items, ...rest } = template as Rec & { items?: unknown };
    return {
      ...rest,
      event_id: id,
      setl_id: `S${id}`,
      mdtrt_id: `M${id}`,
      psn_no: psn,
      fixmedins_code: inst,
      med_type: pharmacy ? '41' : '11',
      occurred_at: iso(t),
      begntime: iso(t - 60_000),
      setl_time: iso(t),
      medfee_sumamt: 100,
      fund_pay_sumamt: 60,
      psn_cash_pay: 40,
    };
  };

  let source: KafkaSource | undefined;
  const monitor = runMonitor({
    config: h.config,
    source: (t) =>
      (source = kafkaSource({
        kafka: testKafkaClient(h.kafka.brokers, 'bench-latency', { logLevel: logLevel.NOTHING }),
        groupId: `bench-latency-${latenessS}`,
        topics: [TOPIC],
        fromStart: true,
        maxQueued: 2_000,
        ...(process.env.BENCH_SOURCE_ALIGNMENT && { alignment: alignWith(t) }), // off as deployed: the topology aligns
      })),
    json: true,
    print: () => {},
    statusEveryMs: 60_000,
    durationMs: (LAST_S + latenessS + 60) * 1000,
  });

  const producer = testKafkaClient(h.kafka.brokers, 'bench-latency-producer').producer({
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  await producer.send({ topic: TOPIC, messages: registry.map((v) => ({ key: keyOf(v), value: v })) });
  while (!source || (source.partitions?.() ?? []).length === 0) await new Promise((r) => setTimeout(r, 100));

  // Event time = wall clock.
  const start = Date.now();
  const clock = () => Date.now();

  const patterns: Pattern[] = [];
  for (let i = 0; i < 60; i++) {
    const last = start + FIRST_S * 1000 + Math.floor((i / 60) * (LAST_S - FIRST_S) * 1000) + 137;
    const psn = `510104${String(90_000_000_000_000 + i).padStart(14, '0')}`;
    const events =
      i % 2 === 0
        ? [3, 2, 1, 0].map((k) => ({
            at: last - k * 1000,
            rec: settlement(last - k * 1000, pharmacies[i / 2]!, psn, true),
          }))
        : [4, 3, 2, 1, 0].map((k) => ({
            at: last - k * 1000,
            rec: settlement(last - k * 1000, others[(i + k * 7) % others.length]!, psn, false),
          }));
    patterns.push({
      id: `p${i}`,
      rule: i % 2 === 0 ? 'pharmacy_repeat_purchase' : 'multi_institution_day',
      events,
    });
  }
  const byEvidence = new Map<string, Pattern>();
  for (const p of patterns) byEvidence.set(p.events.at(-1)!.rec.event_id as string, p);
  const pending = patterns.flatMap((p) => p.events.map((e) => ({ ...e, p }))).sort((a, b) => a.at - b.at);

  // The alert bus: an ordered consumer of the benchmark's stream.
  const consumer = await jetstream(h.nats.nc).consumers.get(h.stream);
  const messages = await consumer.consume();
  let alertsSeen = 0;
  const reading = (async () => {
    for await (const m of messages) {
      const at = Date.now();
      alertsSeen++;
      const a = m.json<{ status: string; evidence?: string[] }>();
      if (a.status !== 'firing') continue;
      for (const id of a.evidence ?? []) {
        const p = byEvidence.get(id);
        if (p && p.alertAt === undefined) p.alertAt = at;
      }
    }
  })();

  // Produce: RATE filler settlements a second plus the patterns' events when their time comes.
  const lagSamples: number[] = [];
  const t0 = Date.now();
  let produced = 0;
  const deadline = t0 + (LAST_S + latenessS + 30) * 1000;
  while (Date.now() < deadline && patterns.some((p) => p.alertAt === undefined)) {
    const due = Math.floor(((Date.now() - t0) / 1000) * RATE) - produced;
    const msgs: { key: string; value: string }[] = [];
    const sentPatterns: Pattern[] = [];
    for (let k = 0; k < due; k++) {
      const t = clock();
      const inst = others[(seq * 7) % others.length]!;
      const psn = `510104${String(10_000_000 + ((seq * 7919) % 5_000_000)).padStart(14, '0')}`;
      const v = JSON.stringify(settlement(t, inst, psn, false));
      msgs.push({ key: inst, value: v });
    }
    while (pending.length > 0 && pending[0]!.at <= clock()) {
      const e = pending.shift()!;
      msgs.push({ key: e.rec.fixmedins_code as string, value: JSON.stringify(e.rec) });
      if (e.rec.event_id === e.p.events.at(-1)!.rec.event_id) sentPatterns.push(e.p);
    }
    if (msgs.length > 0) await producer.send({ topic: TOPIC, messages: msgs });
    const sentAt = Date.now();
    for (const p of sentPatterns) p.lastProducedAt = sentAt;
    produced += due;
    for (const p of patterns)
      if (p.passedAt === undefined && clock() >= p.events.at(-1)!.at + latenessS * 1000) p.passedAt = sentAt;
    if (lagSamples.length < (Date.now() - t0) / 1000) lagSamples.push(source.lag());
    await new Promise((r) => setTimeout(r, TICK_MS));
  }
  const wallRate = produced / ((Date.now() - t0) / 1000);
  // Keep the stream going until the monitor's own stop (it stops on the next record).
  const keepAlive = setInterval(() => {
    const t = clock();
    const inst = others[0]!;
    void producer
      .send({
        topic: TOPIC,
        messages: [{ key: inst, value: JSON.stringify(settlement(t, inst, '51010400000000000001', false)) }],
      })
      .catch(() => undefined);
  }, 200);
  await monitor;
  clearInterval(keepAlive);
  await messages.close();
  await reading;
  await producer.disconnect();

  ctx.log(`consumer lag each second: ${lagSamples.join(' ')}`);
  for (const rule of ['pharmacy_repeat_purchase', 'multi_institution_day']) {
    const ps = patterns.filter((p) => p.rule === rule);
    ctx.log(`  ${rule}: ${ps.filter((p) => p.alertAt !== undefined).length}/${ps.length} alerted`);
  }
  const note = `${process.env.BENCH_SOURCE_ALIGNMENT ? 'source-side alignment ON; ' : ''}${alertsSeen} bus messages, producing ${round(wallRate)} events/s, lateness ${latenessS} s, crossing events 5–25 s into the run`;
  for (const rule of ['pharmacy_repeat_purchase', 'multi_institution_day']) {
    const got = patterns.filter(
      (p) => p.rule === rule && p.alertAt !== undefined && p.lastProducedAt !== undefined,
    );
    const lat = got.map((p) => (p.alertAt! - p.lastProducedAt!) / 1000).sort((a, b) => a - b);
    const pipeline = got
      .filter((p) => p.passedAt !== undefined)
      .map((p) => (p.alertAt! - p.passedAt!) / 1000)
      .sort((a, b) => a - b);
    ctx.report({
      name: `${rule}: crossing event produced → alert on the bus, p50 / p99 / max (lateness ${latenessS} s)`,
      value: `${round(percentile(lat, 50), 2)} / ${round(percentile(lat, 99), 2)} / ${round(lat.at(-1) ?? Number.NaN, 2)}`,
      unit: 's',
      target: '≤ 1 s p99',
      met: percentile(lat, 99) <= 1 && got.length === 30,
      note: `${got.length}/30 alerted; ${note}`,
    });
    if (pipeline.length > 0)
      ctx.report({
        name: `${rule}: pipeline part p50 / p99 / max (lateness ${latenessS} s)`,
        value: `${round(percentile(pipeline, 50), 3)} / ${round(percentile(pipeline, 99), 3)} / ${round(pipeline.at(-1)!, 3)}`,
        unit: 's',
        note: 'alert on the bus − the moment records at (crossing + lateness) were produced',
      });
  }
}

export const latencyDefault = latencyBench(60, 'latency');
export const latencyFast = latencyBench(1, 'latency-1s');
