import { describe, it, expect } from 'vitest';
import { cidrFunctions } from '../../src/eval/functions/cidr.js';
import { TemplateEvalError, type FunctionDef } from '../../src/eval/functions/types.js';
import { Unknown, containsUnknown, type Value } from '../../src/eval/value.js';

const noLambdas = {
  callLambda(): Value {
    throw new Error('no lambdas here');
  },
};

/** Calls a CIDR function the way the evaluator does, including the strict-unknown rule and arity. */
function call(name: string, ...args: Value[]): Value {
  const def = cidrFunctions.find((d: FunctionDef) => d.name.toLowerCase() === name.toLowerCase());
  if (!def) throw new Error(`no function ${name}`);
  if (args.length < def.minArgs || args.length > def.maxArgs) throw new TemplateEvalError(`${name}: wrong number of arguments`);
  if (def.unknowns !== 'custom' && args.some(containsUnknown)) return Unknown.derived(def.name, args);
  return def.impl!(args, noLambdas);
}

const plain = (v: Value): unknown => JSON.parse(JSON.stringify(v));

describe('parseCidr', () => {
  it('parses the IPv4 docs example', () => {
    expect(plain(call('parseCidr', '10.144.0.0/20'))).toEqual({
      network: '10.144.0.0',
      netmask: '255.255.240.0',
      broadcast: '10.144.15.255',
      firstUsable: '10.144.0.1',
      lastUsable: '10.144.15.254',
      cidr: 20,
    });
  });

  it('parses the IPv6 docs example', () => {
    expect(plain(call('parseCidr', 'fdad:3236:5555::/48'))).toEqual({
      network: 'fdad:3236:5555::',
      netmask: 'ffff:ffff:ffff::',
      firstUsable: 'fdad:3236:5555::',
      lastUsable: 'fdad:3236:5555:ffff:ffff:ffff:ffff:ffff',
      cidr: 48,
    });
  });

  it('clears host bits and handles the edges', () => {
    expect(plain(call('parseCidr', '192.168.1.100/24'))).toMatchObject({ network: '192.168.1.0', broadcast: '192.168.1.255' });
    expect(plain(call('parseCidr', '10.0.0.7/32'))).toMatchObject({
      network: '10.0.0.7',
      broadcast: '10.0.0.7',
      firstUsable: '10.0.0.7',
      lastUsable: '10.0.0.7',
      netmask: '255.255.255.255',
    });
    expect(plain(call('parseCidr', '10.0.0.0/31'))).toMatchObject({ firstUsable: '10.0.0.0', lastUsable: '10.0.0.1' });
    expect(plain(call('parseCidr', '0.0.0.0/0'))).toMatchObject({ netmask: '0.0.0.0', broadcast: '255.255.255.255', lastUsable: '255.255.255.254' });
    expect(plain(call('parseCidr', '::/0'))).toMatchObject({ network: '::', netmask: '::', lastUsable: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff' });
    expect(plain(call('parseCidr', 'fe80::1/64'))).toMatchObject({ network: 'fe80::', netmask: 'ffff:ffff:ffff:ffff::' });
    expect(plain(call('parseCidr', '2001:0DB8:0:0:1:0:0:1/128'))).toMatchObject({ network: '2001:db8::1:0:0:1' });
    expect(plain(call('parseCidr', '2001:db8:0:1:1:1:1:1/128'))).toMatchObject({ network: '2001:db8:0:1:1:1:1:1' });
    expect(plain(call('parseCidr', '::ffff:10.0.0.0/120'))).toMatchObject({ network: '::ffff:10.0.0.0' });
  });

  it('rejects what is not CIDR', () => {
    expect(() => call('parseCidr', '10.0.0.0')).toThrow(/prefix/);
    expect(() => call('parseCidr', '10.0.0.0/33')).toThrow(/0 to 32/);
    expect(() => call('parseCidr', '10.0.0.256/8')).toThrow(/not an IPv4 address/);
    expect(() => call('parseCidr', '10.0.0/8')).toThrow(TemplateEvalError);
    expect(() => call('parseCidr', 'fd00::1::/64')).toThrow(/not an IPv6 address/);
    expect(() => call('parseCidr', 'fd00::/129')).toThrow(/0 to 128/);
    expect(() => call('parseCidr', 42)).toThrow(/must be a string/);
  });

  it('is unknown for an unknown network', () => {
    expect(call('parseCidr', Unknown.parameter('vnetPrefix'))).toBeInstanceOf(Unknown);
  });
});

describe('cidrSubnet', () => {
  it('splits the IPv4 docs example', () => {
    expect([0, 1, 2, 3, 4].map((i) => call('cidrSubnet', '10.144.0.0/20', 24, i))).toEqual([
      '10.144.0.0/24',
      '10.144.1.0/24',
      '10.144.2.0/24',
      '10.144.3.0/24',
      '10.144.4.0/24',
    ]);
  });

  it('splits the IPv6 docs example', () => {
    expect([0, 1, 2, 3, 4].map((i) => call('cidrSubnet', 'fdad:3236:5555::/48', 52, i))).toEqual([
      'fdad:3236:5555::/52',
      'fdad:3236:5555:1000::/52',
      'fdad:3236:5555:2000::/52',
      'fdad:3236:5555:3000::/52',
      'fdad:3236:5555:4000::/52',
    ]);
  });

  it('handles the same prefix and the last subnet', () => {
    expect(call('cidrSubnet', '10.0.0.5/24', 24, 0)).toBe('10.0.0.0/24');
    expect(call('cidrSubnet', '10.0.0.0/16', 24, 255)).toBe('10.0.255.0/24');
    expect(call('cidrSubnet', '10.0.0.0/8', 32, 16777215)).toBe('10.255.255.255/32');
  });

  it('rejects out-of-range arguments', () => {
    expect(() => call('cidrSubnet', '10.0.0.0/16', 24, 256)).toThrow(/out of range.*256 subnets/);
    expect(() => call('cidrSubnet', '10.0.0.0/16', 8, 0)).toThrow(/between/);
    expect(() => call('cidrSubnet', '10.0.0.0/16', 33, 0)).toThrow(/between/);
    expect(() => call('cidrSubnet', '10.0.0.0/16', 24, -1)).toThrow(/negative/);
    expect(() => call('cidrSubnet', '10.0.0.0/16', '24', 0)).toThrow(/integer/);
  });
});

describe('cidrHost', () => {
  it('gives the usable hosts of the IPv4 docs example', () => {
    expect([0, 1, 2, 3, 4].map((i) => call('cidrHost', '10.144.3.0/24', i))).toEqual(['10.144.3.1', '10.144.3.2', '10.144.3.3', '10.144.3.4', '10.144.3.5']);
  });

  it('gives the hosts of the IPv6 docs example', () => {
    expect([0, 1, 2, 3, 4].map((i) => call('cidrHost', 'fdad:3236:5555:3000::/52', i))).toEqual([
      'fdad:3236:5555:3000::1',
      'fdad:3236:5555:3000::2',
      'fdad:3236:5555:3000::3',
      'fdad:3236:5555:3000::4',
      'fdad:3236:5555:3000::5',
    ]);
  });

  it('stops at the last usable address', () => {
    expect(call('cidrHost', '192.168.1.0/24', 253)).toBe('192.168.1.254');
    expect(() => call('cidrHost', '192.168.1.0/24', 254)).toThrow(/out of range.*254 usable/);
    expect(call('cidrHost', '192.168.1.0/31', 1)).toBe('192.168.1.1');
    expect(call('cidrHost', '192.168.1.9/32', 0)).toBe('192.168.1.9');
    expect(() => call('cidrHost', '192.168.1.9/32', 1)).toThrow(/out of range/);
    expect(call('cidrHost', 'fd00::/127', 0)).toBe('fd00::1');
    expect(() => call('cidrHost', 'fd00::/128', 0)).toThrow(/no usable host/);
    expect(() => call('cidrHost', '10.0.0.0/24', -1)).toThrow(/negative/);
  });
});
