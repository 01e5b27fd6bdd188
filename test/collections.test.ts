import { describe, expect, it } from 'vitest';
import { addTo, appendAll, maxOf } from '../src/collections.js';

describe('collections', () => {
  it('handle lists far longer than a spread into a call can take', () => {
    const many = Array.from({ length: 300_000 }, (_, i) => i);
    expect(() => Math.max(...many.concat(many, many, many))).toThrow(RangeError);
    expect(maxOf(many)).toBe(299_999);
    expect(maxOf([])).toBe(0);
    const target = [-1];
    appendAll(target, many);
    expect(target.length).toBe(300_001);
    expect(target.at(-1)).toBe(299_999);
  });

  it('group values by key in place', () => {
    const map = new Map<string, number[]>();
    addTo(map, 'a', 1);
    addTo(map, 'b', 2);
    addTo(map, 'a', 3);
    expect([...map]).toEqual([['a', [1, 3]], ['b', [2]]]);
  });
});
