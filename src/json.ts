/** Reading raw JSON as templates write it: plain objects, and property names matched as ARM matches them. */

/**
 * Sets an own enumerable property, as JSON.parse does: a key `__proto__` stays a key instead of replacing the
 * object's prototype, as plain assignment would.
 */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `obj[name]` matched case-insensitively; undefined when `obj` is no object or has no such key. */
export function fieldOf(obj: unknown, name: string): unknown {
  if (!isRecord(obj)) return undefined;
  const key = findKey(obj, name);
  return key === undefined ? undefined : obj[key];
}

/** The key of `obj` that is `name` case-insensitively (ARM's property names are), the exact one first. */
export function findKey(obj: Record<string, unknown>, name: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(obj, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(obj).find((k) => k.toLowerCase() === lower);
}
