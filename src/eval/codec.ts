/**
 * Evaluated values across worker threads. Structured cloning keeps plain data but not classes, so unknowns
 * and strings with holes travel as tagged objects and are rebuilt on arrival with their keys, origins and
 * resource references: rules compare them exactly as if they had been evaluated in the main thread.
 */
import { Lambda, PartialString, Unknown, newObject, type UnknownOrigin, type Value } from './value.js';

const UNKNOWN = '\u0000u';
const PARTIAL = '\u0000p';
const LAMBDA = '\u0000l';

type Encoded = unknown;

/**
 * One encoder per message: an unknown used in many places (the subscription in every resource id) is
 * encoded once and referenced, and structured cloning keeps the sharing, so the message stays small.
 */
export class ValueEncoder {
  private readonly seen = new Map<Unknown | PartialString, Encoded>();

  encode(v: Value): Encoded {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map((x) => this.encode(x));
    if (v instanceof Unknown || v instanceof PartialString) {
      let e = this.seen.get(v);
      if (e === undefined) {
        e = v instanceof Unknown ? { [UNKNOWN]: this.unknown(v) } : { [PARTIAL]: v.parts.map((p) => (typeof p === 'string' ? p : this.encode(p))) };
        this.seen.set(v, e);
      }
      return e;
    }
    if (v instanceof Lambda) return { [LAMBDA]: v.key };
    const out = Object.create(null) as Record<string, Encoded>;
    // A template key that starts with NUL is escaped with one more, so it never reads as a tag.
    for (const k of Object.keys(v)) out[k.charCodeAt(0) === 0 ? `\u0000${k}` : k] = this.encode(v[k]!);
    return out;
  }

  /** A derived unknown travels as its recipe (its key can be long, and is rebuilt on demand), others as key and origins. */
  private unknown(v: Unknown): Encoded {
    const r = v.recipe;
    if (r && 'fn' in r) return ['d', r.fn, r.args.map((a) => this.encode(a))];
    if (r) return ['m', this.encode(r.of), r.name];
    return ['k', v.key, v.origins.map((o) => this.origin(o)), v.ref ? [this.encode(v.ref.target), v.ref.path] : null];
  }

  private origin(o: UnknownOrigin): Encoded {
    return o.kind === 'resource' || o.kind === 'list' ? { ...o, target: this.encode(o.target) } : o;
  }
}

/** One decoder per message: shared encodings become shared values again. */
export class ValueDecoder {
  private readonly seen = new Map<object, Value>();

  decode(e: Encoded): Value {
    if (e === null || typeof e !== 'object') return e as Value;
    if (Array.isArray(e)) return e.map((x) => this.decode(x));
    const o = e as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && (keys[0] === UNKNOWN || keys[0] === PARTIAL || keys[0] === LAMBDA)) {
      let v = this.seen.get(o);
      if (v === undefined) {
        v = this.special(keys[0], o[keys[0]]);
        this.seen.set(o, v);
      }
      return v;
    }
    const out = newObject();
    for (const k of keys) out[k.charCodeAt(0) === 0 ? k.slice(1) : k] = this.decode(o[k]);
    return out;
  }

  private special(tag: string, payload: unknown): Value {
    if (tag === UNKNOWN) {
      const p = payload as unknown[];
      if (p[0] === 'd') return Unknown.derived(p[1] as string, (p[2] as Encoded[]).map((a) => this.decode(a)));
      if (p[0] === 'm') return (this.decode(p[1]) as Unknown).member(p[2] as string | number);
      const [, key, origins, ref] = p as [string, string, Record<string, unknown>[], [Encoded, string[]] | null];
      return new Unknown(key, origins.map((o) => this.origin(o)), ref ? { target: this.decode(ref[0]), path: ref[1] } : undefined);
    }
    if (tag === PARTIAL) return PartialString.of((payload as Encoded[]).map((p) => (typeof p === 'string' ? p : (this.decode(p) as Unknown))));
    return new Unknown(String(payload), [{ kind: 'error', message: 'a lambda is not a value' }]);
  }

  private origin(o: Record<string, unknown>): UnknownOrigin {
    return (o['kind'] === 'resource' || o['kind'] === 'list' ? { ...o, target: this.decode(o['target']) } : o) as UnknownOrigin;
  }
}
