/**
 * State codec: an object graph of the stages' state classes to bytes and back.
 *
 * `node:v8` serialisation does the heavy lifting natively (Map, Set, arrays, typed arrays, Date,
 * bigint, NaN, ±Infinity, −0, shared references and cycles) but it restores class instances as
 * plain objects. So the graph is first turned into a tree v8 can carry: each class instance
 * becomes a marker `[String object with the class name, { own fields }]`, the class found through
 * an explicit registry (never by a name taken from the bytes alone). Boxed primitives are refused
 * in state, so a marker cannot be confused with the state's own arrays. The transform keeps object
 * identity (one copy per original object), so shared references and cycles survive both ways.
 *
 * Functions are refused with the path where they were found: config objects holding callbacks
 * are not state; the registry lets a class exclude such fields, and the caller re-attaches them
 * after decoding. Objects with a null prototype come back as plain objects, and typed arrays that
 * were views of one buffer come back as separate copies. Classes with ES `#private` fields cannot be restored (their fields are not
 * reachable from outside): keep them out of snapshotted state.
 */
import { deserialize, serialize } from 'node:v8';

/** Any class: only its prototype is used, the constructor is never called on restore. */
// biome-ignore lint/suspicious/noExplicitAny: constructors of any signature are accepted.
export type Constructor = abstract new (...args: any[]) => object;
export type ClassSpec = {
  readonly type: Constructor;
  /** Own fields left out of the snapshot (config, callbacks); absent after decoding. */
  readonly exclude?: readonly string[];
};
/** Stable names (they are written into snapshots) → classes. */
export type ClassRegistry = Readonly<Record<string, Constructor | ClassSpec>>;

export type StateCodecOptions = {
  /**
   * What the state refers to but does not own — compiled packs, thresholds, module-level
   * comparators — by a stable name. Each is walked (objects, arrays, Maps, Sets, class
   * instances; not into functions), and everything reachable is named by its path from the root,
   * so a pack's rule function is written as `packs[0].rules[2].evaluate`. The decoder resolves the
   * names against its own `shared`, which must be built the same way (same code, same config).
   */
  readonly shared?: Readonly<Record<string, unknown>>;
  /** Like `shared`, but only the object itself is named (I/O handles such as the hand-over). */
  readonly handles?: Readonly<Record<string, object>>;
};

export class StateCodecError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'StateCodecError';
  }
}

export type StateCodec = {
  encode(value: unknown): Uint8Array;
  decode<T = unknown>(bytes: Uint8Array): T;
};

/** Written around the tree so that bytes from anything else are refused, not misread. */
const FORMAT = 'yibao-state';
/** The class name of a reference marker `[String('#ref'), name]` (not a valid class name). */
const REF = '#ref';
const FORMAT_VERSION = 1;

type Entry = { readonly name: string; readonly proto: object; readonly exclude: ReadonlySet<string> };
type Path = (string | number | { readonly label: string })[];

function formatPath(path: Path): string {
  let out = '$';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'object') out += seg.label;
    else out += /^[A-Za-z_$][\w$]*$/.test(seg) ? `.${seg}` : `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** Sets an own field; plain assignment would turn a `__proto__` key into a prototype change. */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  } else target[key] = value;
}

function keyLabel(key: unknown): string {
  if (typeof key === 'string') return JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key);
  if (typeof key === 'object' && key !== null) return `<${key.constructor?.name ?? 'object'} key>`;
  return String(key);
}

function buildEntries(registry: ClassRegistry): { byProto: Map<object, Entry>; byName: Map<string, Entry> } {
  const byProto = new Map<object, Entry>();
  const byName = new Map<string, Entry>();
  for (const [name, spec] of Object.entries(registry)) {
    const type = typeof spec === 'function' ? spec : spec.type;
    if (typeof type !== 'function' || typeof type.prototype !== 'object') {
      throw new TypeError(`class registry entry "${name}": expected a class, got ${typeof type}`);
    }
    const other = byProto.get(type.prototype);
    if (other) {
      throw new TypeError(
        `class registry: ${type.name} is registered twice, as "${other.name}" and "${name}"; expected one name per class`,
      );
    }
    const entry = {
      name,
      proto: type.prototype as object,
      exclude: new Set(typeof spec === 'function' ? [] : (spec.exclude ?? [])),
    };
    byProto.set(entry.proto, entry);
    byName.set(name, entry);
  }
  return { byProto, byName };
}

/** Names everything reachable from the shared roots by its path; the handles by their own name. */
function nameExternals(options: StateCodecOptions): {
  byValue: Map<unknown, string>;
  byRef: Map<string, unknown>;
} {
  const byValue = new Map<unknown, string>();
  const byRef = new Map<string, unknown>();
  const name = (v: unknown, ref: string) => {
    byValue.set(v, ref);
    byRef.set(ref, v);
  };
  for (const [ref, v] of Object.entries(options.handles ?? {})) name(v, ref);
  function walk(v: unknown, ref: string): void {
    if ((typeof v !== 'object' && typeof v !== 'function') || v === null || byValue.has(v)) return;
    name(v, ref);
    if (typeof v === 'function' || ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return;
    if (Array.isArray(v)) for (let i = 0; i < v.length; i++) walk(v[i], `${ref}[${i}]`);
    else if (v instanceof Map) {
      let i = 0;
      for (const [k, x] of v) {
        walk(x, `${ref}.get(${typeof k === 'string' ? JSON.stringify(k) : `#${i}`})`);
        i++;
      }
    } else if (v instanceof Set) {
      let i = 0;
      for (const x of v) walk(x, `${ref}.values()[${i++}]`);
    } else for (const k of Object.keys(v)) walk((v as Record<string, unknown>)[k], `${ref}.${k}`);
  }
  for (const [ref, v] of Object.entries(options.shared ?? {})) walk(v, ref);
  return { byValue, byRef };
}

export function createStateCodec(registry: ClassRegistry, options: StateCodecOptions = {}): StateCodec {
  if (REF in registry) throw new TypeError(`class registry: "${REF}" is reserved for references`);
  const { byProto, byName } = buildEntries(registry);
  const registered = () => [...byName.keys()].join(', ') || 'none';
  const externals = nameExternals(options);

  function encode(root: unknown): Uint8Array {
    const memo = new Map<object, unknown>();
    const path: Path = [];
    const fail = (what: string, expected: string): never => {
      throw new StateCodecError(
        `cannot encode ${what} at ${formatPath(path)}: ${expected}`,
        formatPath(path),
      );
    };

    function enc(v: unknown): unknown {
      const ref = (typeof v === 'object' || typeof v === 'function') && externals.byValue.get(v);
      if (ref) return [boxed(REF), ref];
      if (typeof v === 'function') {
        return fail(
          `a function (${v.name || 'anonymous'})`,
          'state must hold data only; exclude the field in the class registry ({ type, exclude: [field] }) or name the function in `shared`',
        );
      }
      if (typeof v === 'symbol') return fail(`a symbol (${String(v)})`, 'state must hold data only');
      if (typeof v !== 'object' || v === null) return v;
      const seen = memo.get(v);
      if (seen !== undefined) return seen;
      if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer || v instanceof Date) {
        memo.set(v, v); // v8 carries these itself
        return v;
      }
      const proto = Object.getPrototypeOf(v) as object | null;
      if (proto === Array.prototype) {
        const arr = v as unknown[];
        const out: unknown[] = new Array(arr.length);
        memo.set(v, out);
        for (let i = 0; i < arr.length; i++) {
          path.push(i);
          out[i] = enc(arr[i]);
          path.pop();
        }
        return out;
      }
      if (proto === Map.prototype) {
        const out = new Map<unknown, unknown>();
        memo.set(v, out);
        for (const [k, val] of v as Map<unknown, unknown>) {
          path.push({ label: `.keys()<${keyLabel(k)}>` });
          const ek = enc(k);
          path.pop();
          path.push({ label: `.get(${keyLabel(k)})` });
          out.set(ek, enc(val));
          path.pop();
        }
        return out;
      }
      if (proto === Set.prototype) {
        const out = new Set<unknown>();
        memo.set(v, out);
        let i = 0;
        for (const e of v as Set<unknown>) {
          path.push({ label: `.values()[${i++}]` });
          out.add(enc(e));
          path.pop();
        }
        return out;
      }
      if (proto === Object.prototype || proto === null) {
        const out: Record<string, unknown> = {};
        memo.set(v, out);
        encodeFields(v, out, undefined);
        return out;
      }
      const entry = byProto.get(proto);
      if (!entry) {
        const name = (proto as { constructor?: { name?: string } }).constructor?.name ?? 'anonymous';
        if (v instanceof String || v instanceof Number || v instanceof Boolean) {
          return fail(
            `a boxed ${name}`,
            'a primitive (boxed primitives mark class instances in the encoding)',
          );
        }
        return fail(
          `an instance of class ${name}`,
          `${name} is not in the class registry (registered: ${registered()})`,
        );
      }
      // One String object per class per encoding: v8 writes the repeats as back-references.
      const fields: Record<string, unknown> = {};
      const marker = [boxed(entry.name), fields];
      memo.set(v, marker);
      encodeFields(v, fields, entry);
      return marker;
    }

    const boxes = new Map<string, object>();
    function boxed(name: string): object {
      let b = boxes.get(name);
      if (b === undefined) boxes.set(name, (b = new String(name)));
      return b;
    }

    function encodeFields(v: object, out: Record<string, unknown>, entry: Entry | undefined): void {
      if (Object.getOwnPropertySymbols(v).length > 0) {
        fail('an object with symbol-keyed fields', 'string keys only');
      }
      for (const key of Object.keys(v)) {
        if (entry?.exclude.has(key)) continue;
        path.push(entry ? { label: `(${entry.name}).${key}` } : key);
        put(out, key, enc((v as Record<string, unknown>)[key]));
        path.pop();
      }
    }

    try {
      return serialize({ format: FORMAT, version: FORMAT_VERSION, root: enc(root) });
    } catch (err) {
      if (err instanceof StateCodecError) throw err;
      throw new StateCodecError(`cannot encode state: ${(err as Error).message}`, '$');
    }
  }

  function decode<T>(bytes: Uint8Array): T {
    let tree: unknown;
    try {
      tree = deserialize(bytes);
    } catch (err) {
      throw new StateCodecError(
        `state bytes are not a v8-serialized state (${(err as Error).message}); expected bytes from encode()`,
        '$',
      );
    }
    const env = tree as { format?: unknown; version?: unknown; root?: unknown } | null;
    if (typeof env !== 'object' || env === null || env.format !== FORMAT || env.version !== FORMAT_VERSION) {
      throw new StateCodecError(
        `state bytes: expected format ${FORMAT} version ${FORMAT_VERSION}, got ${JSON.stringify(env?.format)} version ${JSON.stringify(env?.version)}`,
        '$',
      );
    }
    const memo = new Map<object, unknown>();
    const path: Path = [];

    function dec(v: unknown): unknown {
      if (typeof v !== 'object' || v === null) return v;
      const seen = memo.get(v);
      if (seen !== undefined) return seen;
      if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer || v instanceof Date) return v;
      if (Array.isArray(v)) {
        if (v.length === 2 && v[0] instanceof String) {
          return String(v[0]) === REF ? resolve(String(v[1])) : decodeInstance(v, String(v[0]));
        }
        memo.set(v, v); // the tree is ours: arrays and plain objects are reused in place
        for (let i = 0; i < v.length; i++) {
          path.push(i);
          v[i] = dec(v[i]);
          path.pop();
        }
        return v;
      }
      if (v instanceof Map) {
        const out = new Map<unknown, unknown>();
        memo.set(v, out);
        for (const [k, val] of v) {
          path.push({ label: `.get(${keyLabel(k)})` });
          out.set(dec(k), dec(val));
          path.pop();
        }
        return out;
      }
      if (v instanceof Set) {
        const out = new Set<unknown>();
        memo.set(v, out);
        for (const e of v) out.add(dec(e));
        return out;
      }
      memo.set(v, v);
      const obj = v as Record<string, unknown>;
      for (const key of Object.keys(obj)) {
        path.push(key);
        obj[key] = dec(obj[key]);
        path.pop();
      }
      return v;
    }

    function resolve(ref: string): unknown {
      if (externals.byRef.has(ref)) return externals.byRef.get(ref);
      const where = formatPath(path);
      throw new StateCodecError(
        `snapshot refers to ${JSON.stringify(ref)} at ${where}, which this build's shared objects do not have (a different pack or config?)`,
        where,
      );
    }

    function decodeInstance(marker: unknown[], name: string): object {
      const entry = byName.get(name);
      if (!entry) {
        const where = formatPath(path);
        throw new StateCodecError(
          `snapshot holds an instance of class "${name}" at ${where}, which the class registry does not have (registered: ${registered()})`,
          where,
        );
      }
      const out = Object.create(entry.proto) as Record<string, unknown>;
      memo.set(marker, out);
      const fields = marker[1] as Record<string, unknown>;
      for (const key of Object.keys(fields)) {
        path.push({ label: `(${name}).${key}` });
        put(out, key, dec(fields[key]));
        path.pop();
      }
      return out;
    }

    return dec(env.root) as T;
  }

  return { encode, decode };
}
