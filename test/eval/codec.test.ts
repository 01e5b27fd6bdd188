/** Values across worker threads: what arrives compares, describes and links exactly like what was sent. */
import { deserialize, serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { ValueDecoder, ValueEncoder } from '../../src/eval/codec.js';
import { Lambda, PartialString, Unknown, describeOrigins, newObject, valueKey, type Value } from '../../src/eval/value.js';

/** Encode, structured-clone as postMessage does, decode. */
function travel(v: Value): Value {
  return new ValueDecoder().decode(deserialize(serialize(new ValueEncoder().encode(v))));
}

describe('value codec', () => {
  it('keeps the keys, origins and resource references of unknowns', () => {
    const sub = Unknown.context('subscription().subscriptionId');
    const id = PartialString.of(['/subscriptions/', sub, '/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id']);
    const clientId = Unknown.resource(id, ['clientId']);
    const derived = Unknown.derived('guid', [id, Unknown.parameter('Seed'), 'x']);
    const member = Unknown.resource(id, [], true).member('identity').member('principalId');
    for (const v of [sub, id, clientId, derived, member, Unknown.error('boom'), Unknown.secret('pw')]) {
      const back = travel(v);
      expect(back).toBeInstanceOf(v instanceof PartialString ? PartialString : Unknown);
      expect(valueKey(back)).toBe(valueKey(v));
      expect(describeOrigins(back)).toBe(describeOrigins(v));
    }
    const back = travel(clientId) as Unknown;
    expect(valueKey(back.ref!.target)).toBe(valueKey(id));
    expect(back.ref!.path).toEqual(['properties', 'clientId']);
    expect((travel(member) as Unknown).ref!.path).toEqual(['identity', 'principalId']);
  });

  it('keeps plain data, hostile keys and sharing', () => {
    const shared = Unknown.parameter('p');
    const o = newObject();
    o['__proto__'] = 'data';
    o['\u0000u'] = ['not', 'a', 'tag'];
    o['list'] = [1, 'two', null, true, { a: shared }];
    o['again'] = shared;
    const back = travel(o) as Record<string, Value>;
    expect(Object.getPrototypeOf(back)).toBeNull();
    expect(back['__proto__']).toBe('data');
    expect(back['\u0000u']).toEqual(['not', 'a', 'tag']);
    expect(valueKey(back['list']!)).toBe(valueKey(o['list']!));
    expect(back['again']).toBe((back['list'] as Record<string, Value>[])[4]!['a']);
  });

  it('turns a lambda into an unknown rather than failing', () => {
    const back = travel(new Lambda(['x'], null));
    expect(back).toBeInstanceOf(Unknown);
  });
});
