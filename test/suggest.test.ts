import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance, nearest } from '../src/suggest.js';

describe('suggestions', () => {
  it('counts inserts, deletes, replacements and swapped neighbours as one edit each, ignoring case', () => {
    expect(editDistance('length', 'length')).toBe(0);
    expect(editDistance('Premium', 'premium')).toBe(0);
    expect(editDistance('lenght', 'length')).toBe(1);
    expect(editDistance('subscriptions', 'subscription')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests the closest candidate within the allowed distance, never the word itself', () => {
    expect(nearest('lenght', ['last', 'length', 'left'])).toBe('length');
    expect(nearest('frobnicate', ['format', 'first'])).toBeUndefined();
    expect(nearest('if', ['if'])).toBeUndefined();
    // A value that differs only in case from an allowed one points to it (where case matters).
    expect(nearest('servicePrincipal', ['ServicePrincipal', 'User'])).toBe('ServicePrincipal');
    expect(nearest('unwrap', ['wrapKey', 'unwrapKey'], (c) => Math.ceil(c.length / 3))).toBe('unwrapKey');
    expect(didYouMean('Standrd', ['Basic', 'Standard', 'Premium'])).toBe(" Did you mean 'Standard'?");
    expect(didYouMean('Gold', ['Basic', 'Standard', 'Premium'])).toBe('');
  });
});
