// The state codec: round trips of the shapes stage state is made of, the project's own state
// classes through the registry, and clear errors for what must not be in a snapshot.
import { serialize } from 'node:v8';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventIdDedup } from '../../../processors/dedup.ts';
import { PersonState } from '../../../processors/indicators/person.ts';
import { BucketRing } from '../../../processors/indicators/ring.ts';
import { createStateCodec, StateCodecError } from '../../../processors/state/codec.ts';

const plain = createStateCodec({});
const roundTrip = <T>(v: T, codec = plain): T => codec.decode<T>(codec.encode(v));

class Holder {
  readonly onChange: () => void = () => {};
  constructor(
    readonly config: { threshold: number; notify: (n: number) => void },
    readonly ring: BucketRing,
    public count = 0,
  ) {}
  total(): number {
    return this.count + this.config.threshold;
  }
}

describe('state codec', () => {
  it('keeps Maps, Sets, arrays, typed arrays, Date, bigint, undefined and special numbers', () => {
    const value = {
      m: new Map<unknown, unknown>([
        ['a', 1],
        [2, [3, 4]],
        [Number.NaN, 'nan key'],
      ]),
      s: new Set([1, 'x', Number.POSITIVE_INFINITY]),
      f64: new Float64Array([1.5, Number.NaN, Number.NEGATIVE_INFINITY, -0]),
      u32: new Uint32Array([0, 2 ** 32 - 1]),
      buf: Buffer.from([0, 0xff, 0xfe]),
      nums: [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, Number.MAX_VALUE],
      at: new Date(Date.UTC(2025, 0, 2)),
      big: 2n ** 70n,
      missing: undefined,
      nil: null,
      text: '医保基金 \u0000 \ud83d\ude00',
    };
    const back = roundTrip(value);
    expect(back).toStrictEqual(value);
    expect(Object.is(back.nums[3], -0)).toBe(true);
    expect(back.f64).toBeInstanceOf(Float64Array);
    expect(Buffer.isBuffer(back.buf)).toBe(true);
  });

  it('keeps shared references and cycles', () => {
    const shared = { n: 1 };
    const cyclic: { self?: unknown; list: unknown[] } = { list: [] };
    cyclic.self = cyclic;
    cyclic.list.push(cyclic, shared);
    const back = roundTrip({ a: shared, b: shared, m: new Map([['k', shared]]), cyclic });
    expect(back.a).toBe(back.b);
    expect(back.m.get('k')).toBe(back.a);
    expect(back.cyclic.self).toBe(back.cyclic);
    expect(back.cyclic.list[0]).toBe(back.cyclic);
    expect(back.cyclic.list[1]).toBe(back.a);
  });

  it('keeps a __proto__ key as data, never as a prototype', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "x": 1}') as Record<string, unknown>;
    const back = roundTrip(value);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.keys(back)).toEqual(['__proto__', 'x']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('round-trips random nested Maps, Sets, arrays, objects and numbers', () => {
    const leaf = fc.oneof(
      fc.double(),
      fc.integer(),
      fc.bigInt(),
      fc.string(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
    );
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('node')),
      node: fc.oneof(
        fc.array(tie('tree'), { maxLength: 5 }),
        // Null-prototype objects come back as plain objects (documented in codec.ts).
        fc.dictionary(fc.string(), tie('tree'), { maxKeys: 5, noNullPrototype: true }),
        fc
          .array(fc.tuple(fc.oneof(fc.string(), fc.double()), tie('tree')), { maxLength: 5 })
          .map((e) => new Map(e)),
        fc.array(leaf, { maxLength: 5 }).map((e) => new Set(e)),
        fc.float64Array({ maxLength: 5 }),
      ),
    }));
    fc.assert(
      fc.property(tree, (v) => {
        expect(roundTrip(v)).toStrictEqual(v);
      }),
      { numRuns: 300 },
    );
  });

  it("restores the project's state classes through the registry, with working methods", () => {
    const codec = createStateCodec({ BucketRing, PersonState, EventIdDedup });
    const ring = new BucketRing(60_000, 5, 2, 8 * 3_600_000);
    ring.add(1_000, 0, 3);
    ring.add(61_000, 1, 4.5);
    const person = new PersonState();
    person.visits = [{ eventId: 'e1', setlId: 's1', institution: 'H1', pharmacy: false, t: 5 }];
    const dedup = new EventIdDedup(3);
    dedup.firstSeen('e1', 86_400_000);
    const state = { ring, persons: new Map([['ps_abc', person]]), dedup, rings: [ring] };

    const back = roundTrip(state, codec);
    expect(back).toStrictEqual(state);
    expect(back.ring).toBeInstanceOf(BucketRing);
    expect(back.rings[0]).toBe(back.ring);
    expect(back.ring.sumLast(0, 61_000, 2)).toBe(3);
    expect(back.ring.sumLast(1, 61_000, 1)).toBe(4.5);
    expect(back.ring.add(120_000, 0, 1)).toBe(true);
    const p = back.persons.get('ps_abc')!;
    expect(p).toBeInstanceOf(PersonState);
    expect(p.isEmpty()).toBe(false);
    expect(p.lastSeen).toBe(Number.NEGATIVE_INFINITY);
    expect(back.dedup.firstSeen('e1', 86_400_000)).toBe(false);
    expect(back.dedup.firstSeen('e2', 86_400_000)).toBe(true);
  });

  it('leaves excluded fields out, so config with callbacks can be re-attached by the caller', () => {
    const codec = createStateCodec({ Holder: { type: Holder, exclude: ['config', 'onChange'] }, BucketRing });
    const h = new Holder({ threshold: 2, notify: () => {} }, new BucketRing(1_000, 3, 1), 5);
    const back = roundTrip(h, codec);
    expect(back).toBeInstanceOf(Holder);
    expect(back.count).toBe(5);
    expect(back.ring).toBeInstanceOf(BucketRing);
    expect(Object.hasOwn(back, 'config')).toBe(false);
    Object.assign(back, { config: h.config });
    expect(back.total()).toBe(7);
  });

  it("writes shared objects and handles by name and resolves them against the decoder's own", () => {
    const compile = () => ({
      rules: [{ id: 'r1', evaluate: (n: number) => n + 1 }],
      limits: new Map([['a', { max: 3 }]]),
    });
    const handle = { send: (m: string) => m };
    const pack = compile();
    const state = { rule: pack.rules[0], limit: pack.limits.get('a'), to: handle, order: Math.max, n: 7 };
    const writer = createStateCodec(
      {},
      { shared: { pack, functions: { max: Math.max } }, handles: { handle } },
    );
    const bytes = writer.encode(state);
    // Another process: the pack compiled again, another handle, the same names.
    const pack2 = compile();
    const handle2 = { send: (m: string) => m.toUpperCase() };
    const reader = createStateCodec(
      {},
      { shared: { pack: pack2, functions: { max: Math.max } }, handles: { handle: handle2 } },
    );
    const back = reader.decode<typeof state>(bytes);
    expect(back.rule).toBe(pack2.rules[0]);
    expect(back.limit).toBe(pack2.limits.get('a'));
    expect(back.to).toBe(handle2);
    expect(back.order).toBe(Math.max);
    expect(back.n).toBe(7);
    // A reader without the name refuses, naming the reference and where it was.
    const other = createStateCodec(
      {},
      { shared: { functions: { max: Math.max } }, handles: { handle: handle2 } },
    );
    expect(() => other.decode(bytes)).toThrow(/refers to "pack\.rules\[0\]" at \$\.rule/);
  });

  it('refuses a function, naming where it is and how to exclude it', () => {
    const codec = createStateCodec({ Holder, BucketRing });
    const h = new Holder({ threshold: 2, notify: function notify() {} }, new BucketRing(1_000, 3, 1));
    expect(() => codec.encode({ stages: [h] })).toThrowError(StateCodecError);
    expect(() => codec.encode({ stages: [h] })).toThrowError(
      /function \(notify\) at \$\.stages\[0\]\(Holder\)\.config\.notify: .*exclude/,
    );
  });

  it('refuses an unregistered class on encode and on decode, naming it', () => {
    const ring = new BucketRing(1_000, 3, 1);
    expect(() => plain.encode({ m: new Map([['k', ring]]) })).toThrowError(
      /instance of class BucketRing at \$\.m\.get\("k"\): BucketRing is not in the class registry/,
    );
    const bytes = createStateCodec({ BucketRing }).encode({ ring });
    expect(() => createStateCodec({ PersonState }).decode(bytes)).toThrowError(
      /class "BucketRing" at \$\.ring, which the class registry does not have \(registered: PersonState\)/,
    );
  });

  it('refuses symbols, boxed primitives and unsupported built-ins', () => {
    expect(() => plain.encode({ s: Symbol('x') })).toThrowError(/symbol \(Symbol\(x\)\) at \$\.s/);
    expect(() => plain.encode([Object('boxed')])).toThrowError(/boxed String at \$\[0\]/);
    expect(() => plain.encode({ w: new WeakMap() })).toThrowError(/class WeakMap at \$\.w/);
  });

  it('refuses bytes that are not an encoded state', () => {
    expect(() => plain.decode(new Uint8Array([1, 2, 3]))).toThrowError(/not a v8-serialized state/);
    const other = createStateCodec({}).encode(1);
    expect(() => plain.decode(serialize({ format: 'else', version: 1 }))).toThrowError(
      /expected format yibao-state version 1, got "else"/,
    );
    expect(plain.decode(other)).toBe(1);
  });

  it('refuses a registry naming one class twice', () => {
    expect(() => createStateCodec({ A: BucketRing, B: BucketRing })).toThrowError(
      /BucketRing is registered twice, as "A" and "B"/,
    );
  });
});
