/**
 * CIDR template functions (Bicep docs "CIDR functions"): parseCidr, cidrSubnet, cidrHost, for IPv4 and IPv6.
 *
 * Addresses are BigInts so IPv6 needs no special casing. Results follow the documented examples:
 * `parseCidr('10.144.0.0/20')` has network, netmask, broadcast, firstUsable, lastUsable and cidr; an IPv6
 * range has no broadcast and its whole range is usable. `cidrHost(net, 0)` is the first address after the
 * network address (`10.144.3.1`, `fdad:3236:5555:3000::1`).
 */
import { objectFrom, typeName, type Value } from '../value.js';
import { TemplateEvalError, type FunctionDef } from './types.js';

interface Network {
  v6: boolean;
  bits: number;
  /** The address as written (host bits may be set). */
  address: bigint;
  prefix: number;
}

function fail(fn: string, text: string, why: string): never {
  throw new TemplateEvalError(`${fn}: '${text}' is not a valid CIDR range (${why}); expected e.g. '10.0.0.0/16' or 'fd00::/48'`);
}

function parseIPv4(text: string): bigint | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  let v = 0n;
  for (const part of m.slice(1)) {
    if (part.length > 1 && part.startsWith('0')) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

function parseIPv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    for (let n = 0; n < parts.length; n++) {
      const p = parts[n]!;
      if (n === parts.length - 1 && p.includes('.')) {
        const v4 = parseIPv4(p);
        if (v4 === undefined) return undefined;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  let all: number[];
  if (halves.length === 2) {
    if (head.length + tail.length > 7) return undefined;
    all = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    if (head.length !== 8) return undefined;
    all = head;
  }
  return all.reduce((v, g) => (v << 16n) | BigInt(g), 0n);
}

function parseNetwork(fn: string, v: Value): Network {
  if (typeof v !== 'string') throw new TemplateEvalError(`${fn}: the network must be a string in CIDR notation, got ${typeName(v)}`);
  const slash = v.indexOf('/');
  if (slash < 0) fail(fn, v, "no '/prefix'");
  const addrText = v.slice(0, slash);
  const prefixText = v.slice(slash + 1);
  const v6 = addrText.includes(':');
  const address = v6 ? parseIPv6(addrText) : parseIPv4(addrText);
  if (address === undefined) fail(fn, v, `'${addrText}' is not an IPv${v6 ? 6 : 4} address`);
  const bits = v6 ? 128 : 32;
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) fail(fn, v, `the prefix must be 0 to ${bits}`);
  return { v6, bits, address: address!, prefix: Number(prefixText) };
}

function formatIPv4(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join('.');
}

/** RFC 5952: lowercase, no leading zeros, the longest run of two or more zero groups as '::'. */
function formatIPv6(v: bigint): string {
  const groups = Array.from({ length: 8 }, (_, n) => Number((v >> BigInt(112 - 16 * n)) & 0xffffn));
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return `::ffff:${formatIPv4(v & 0xffffffffn)}`;
  let bestStart = -1;
  let bestLen = 1;
  for (let n = 0; n < 8;) {
    if (groups[n] !== 0) {
      n++;
      continue;
    }
    let end = n;
    while (end < 8 && groups[end] === 0) end++;
    if (end - n > bestLen) {
      bestStart = n;
      bestLen = end - n;
    }
    n = end;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

function formatAddress(net: Network, v: bigint): string {
  return net.v6 ? formatIPv6(v) : formatIPv4(v);
}

function ones(count: number): bigint {
  return (1n << BigInt(count)) - 1n;
}

function range(net: Network): { network: bigint; last: bigint; mask: bigint } {
  const hostMask = ones(net.bits - net.prefix);
  const mask = ones(net.bits) ^ hostMask;
  const network = net.address & mask;
  return { network, last: network | hostMask, mask };
}

function parseCidr(v: Value): Value {
  const net = parseNetwork('parseCidr', v);
  const { network, last, mask } = range(net);
  const addr = (x: bigint): string => formatAddress(net, x);
  if (net.v6) {
    return objectFrom([
      ['network', addr(network)],
      ['netmask', addr(mask)],
      ['firstUsable', addr(network)],
      ['lastUsable', addr(last)],
      ['cidr', net.prefix],
    ]);
  }
  // /31 point-to-point links use both addresses (RFC 3021); /32 is a single host.
  const small = net.prefix >= 31;
  return objectFrom([
    ['network', addr(network)],
    ['netmask', addr(mask)],
    ['broadcast', addr(last)],
    ['firstUsable', addr(small ? network : network + 1n)],
    ['lastUsable', addr(small ? last : last - 1n)],
    ['cidr', net.prefix],
  ]);
}

function expectIndex(fn: string, v: Value, what: string): bigint {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TemplateEvalError(`${fn}: the ${what} must be an integer, got ${typeName(v)}`);
  if (v < 0) throw new TemplateEvalError(`${fn}: the ${what} must not be negative, got ${v}`);
  return BigInt(v);
}

function cidrSubnet(args: Value[]): string {
  const fn = 'cidrSubnet';
  const net = parseNetwork(fn, args[0]!);
  const newCidr = args[1]!;
  if (typeof newCidr !== 'number' || !Number.isInteger(newCidr))
    throw new TemplateEvalError(`${fn}: the new CIDR must be an integer, got ${typeName(newCidr)}`);
  if (newCidr < net.prefix || newCidr > net.bits) {
    throw new TemplateEvalError(`${fn}: the new CIDR ${newCidr} must be between the network's prefix ${net.prefix} and ${net.bits}`);
  }
  const index = expectIndex(fn, args[2]!, 'subnet index');
  const count = 1n << BigInt(newCidr - net.prefix);
  if (index >= count) {
    throw new TemplateEvalError(
      `${fn}: subnet index ${index} is out of range: '${String(args[0])}' has ${count} subnets of /${newCidr} (indexes 0 to ${count - 1n})`,
    );
  }
  const { network } = range(net);
  return `${formatAddress(net, network + (index << BigInt(net.bits - newCidr)))}/${newCidr}`;
}

function cidrHost(args: Value[]): string {
  const fn = 'cidrHost';
  const net = parseNetwork(fn, args[0]!);
  const index = expectIndex(fn, args[1]!, 'host index');
  const { network, last } = range(net);
  let first: bigint;
  let lastUsable: bigint;
  if (net.v6) {
    first = network + 1n;
    lastUsable = last;
  } else if (net.prefix >= 31) {
    first = network;
    lastUsable = last;
  } else {
    first = network + 1n;
    lastUsable = last - 1n;
  }
  const count = lastUsable - first + 1n;
  if (count <= 0n) throw new TemplateEvalError(`${fn}: '${String(args[0])}' has no usable host addresses`);
  if (index >= count) {
    throw new TemplateEvalError(`${fn}: host index ${index} is out of range: '${String(args[0])}' has ${count} usable addresses (indexes 0 to ${count - 1n})`);
  }
  return formatAddress(net, first + index);
}

export const cidrFunctions: FunctionDef[] = [
  { name: 'parseCidr', minArgs: 1, maxArgs: 1, impl: ([v]) => parseCidr(v!) },
  { name: 'cidrSubnet', minArgs: 3, maxArgs: 3, impl: cidrSubnet },
  { name: 'cidrHost', minArgs: 2, maxArgs: 2, impl: cidrHost },
];
