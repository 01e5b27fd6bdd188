import { createHash } from 'node:crypto';
import { describe, it, expect } from 'vitest';
import { armGuid, armHash64, armUniqueString } from '../../src/eval/functions/hash.js';

describe('uniqueString', () => {
  it('matches the engine vector', () => {
    expect(armUniqueString(['asd', 'asdf', 'asdf'])).toBe('iizpqit7ih3cc');
  });

  it('matches the published third-party vectors', () => {
    expect(armUniqueString(['test'])).toBe('rbgf3xv4ufgzg');
    expect(armUniqueString(['hello', 'world'])).toBe('a7wkljktk6wne');
    expect(armUniqueString(['abc'])).toBe('cgtzqvhu4i23s');
  });

  it('joins the parts with a dash', () => {
    expect(armUniqueString(['hello', 'world'])).toBe(armUniqueString(['hello-world']));
    expect(armUniqueString(['a', 'b'])).not.toBe(armUniqueString(['b', 'a']));
  });

  it('always gives 13 base32 characters, for every tail length and for non-ASCII input', () => {
    for (let n = 0; n <= 40; n++) {
      const s = 'x'.repeat(n);
      expect(armUniqueString([s])).toMatch(/^[a-z2-7]{13}$/);
    }
    expect(armUniqueString(['é€😀'])).toMatch(/^[a-z2-7]{13}$/);
    expect(armUniqueString(['é'])).not.toBe(armUniqueString(['e']));
  });

  it('hashes UTF-8 bytes: the empty input gives the hash of zero bytes', () => {
    expect(armHash64(new Uint8Array())).toEqual(armHash64(Buffer.from('', 'utf8')));
    expect(armUniqueString([''])).toMatch(/^[a-z2-7]{13}$/);
  });
});

describe('guid', () => {
  it('matches the engine vector', () => {
    expect(armGuid(['asdf'])).toBe('228d27cc-6fdb-5934-b7ac-1efccebade04');
  });

  it('is a UUID v5 of the dash-joined parts in the ARM namespace', () => {
    expect(armGuid(['a', 'b'])).toBe(armGuid(['a-b']));
    const ns = Buffer.from('11fb06fb712d4ddd98c7e71bbd588830', 'hex');
    const h = createHash('sha1').update(ns).update('a-b').digest().subarray(0, 16);
    h[6] = (h[6]! & 0x0f) | 0x50;
    h[8] = (h[8]! & 0x3f) | 0x80;
    expect(armGuid(['a', 'b']).replace(/-/g, '')).toBe(h.toString('hex'));
  });

  it('prints lowercase 8-4-4-4-12 with version 5 and the RFC variant', () => {
    const g = armGuid(['/subscriptions/x/resourceGroups/rg', 'Reader']);
    expect(g).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('depends on the order of the parts', () => {
    expect(armGuid(['hello', 'world'])).not.toBe(armGuid(['world', 'hello']));
  });
});
