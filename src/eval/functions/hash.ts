/**
 * The exact hashes behind guid() and uniqueString() (arm-evaluator.md §2.9).
 *
 * Both join their arguments with '-' and hash the UTF-8 bytes. guid() is an RFC 4122 version-5 UUID in
 * ARM's own namespace; uniqueString() is the 64-bit MurmurHash3 variant of Microsoft's ResourceStack,
 * printed as 13 base32 characters. Pure functions, so resource names built from them are reproducible.
 */
import { createHash } from 'node:crypto';

/** The namespace ARM's guid() hashes its input in. */
const GUID_NAMESPACE = '11fb06fb-712d-4ddd-98c7-e71bbd588830';

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

const namespaceBytes = uuidBytes(GUID_NAMESPACE);

/** `guid(parts...)`: UUID v5 (SHA-1) of the '-'-joined parts, lowercase 8-4-4-4-12. */
export function armGuid(parts: readonly string[]): string {
  const hash = createHash('sha1')
    .update(namespaceBytes)
    .update(Buffer.from(parts.join('-'), 'utf8'))
    .digest();
  const b = Buffer.from(hash.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x50; // version 5
  b[8] = (b[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function rotl(x: number, r: number): number {
  return ((x << r) | (x >>> (32 - r))) >>> 0;
}

function fmix(h: number): number {
  h = (h ^ (h >>> 16)) >>> 0;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h = (h ^ (h >>> 13)) >>> 0;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

function mixK1(k1: number): number {
  return Math.imul(rotl(Math.imul(k1, C1) >>> 0, 15), C2) >>> 0;
}

function mixK2(k2: number): number {
  return Math.imul(rotl(Math.imul(k2, C2) >>> 0, 17), C1) >>> 0;
}

/** Little-endian u32 of up to 4 bytes starting at `at` (missing bytes are 0). */
function readLe(bytes: Uint8Array, at: number, count: number): number {
  let v = 0;
  for (let n = count - 1; n >= 0; n--) v = ((v << 8) | bytes[at + n]!) >>> 0;
  return v;
}

/** The 64-bit hash of uniqueString() as [high, low] u32 halves. */
export function armHash64(data: Uint8Array): [number, number] {
  const len = data.length;
  let h1 = 0;
  let h2 = 0;
  const blocks = len - (len % 8);
  for (let i = 0; i < blocks; i += 8) {
    h1 = (h1 ^ mixK1(readLe(data, i, 4))) >>> 0;
    h1 = (rotl(h1, 19) + h2) >>> 0;
    h1 = (Math.imul(h1, 5) + 0x561ccd1b) >>> 0;
    h2 = (h2 ^ mixK2(readLe(data, i + 4, 4))) >>> 0;
    h2 = (rotl(h2, 13) + h1) >>> 0;
    h2 = (Math.imul(h2, 5) + 0x0bcaa747) >>> 0;
  }
  const rem = len - blocks;
  if (rem > 0) {
    h1 = (h1 ^ mixK1(readLe(data, blocks, Math.min(4, rem)))) >>> 0;
    if (rem > 4) h2 = (h2 ^ mixK2(readLe(data, blocks + 4, rem - 4))) >>> 0;
  }
  // The length is a 32-bit int here: inputs beyond 4 GiB never reach this code.
  h1 = (h1 ^ len) >>> 0;
  h2 = (h2 ^ len) >>> 0;
  h1 = (h1 + h2) >>> 0;
  h2 = (h2 + h1) >>> 0;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h1 = (h1 + h2) >>> 0;
  h2 = (h2 + h1) >>> 0;
  return [h2, h1];
}

/** `uniqueString(parts...)`: 13 base32 characters of the 64-bit hash of the '-'-joined parts. */
export function armUniqueString(parts: readonly string[]): string {
  const [high, low] = armHash64(Buffer.from(parts.join('-'), 'utf8'));
  let value = (BigInt(high) << 32n) | BigInt(low);
  const mask = (1n << 64n) - 1n;
  let out = '';
  for (let n = 0; n < 13; n++) {
    out += BASE32[Number(value >> 59n)];
    value = (value << 5n) & mask;
  }
  return out;
}
