/** ARM API versions: `YYYY-MM-DD`, optionally with a pre-release suffix (`2019-12-01-preview`). */

export interface ApiVersion {
  /** `YYYY-MM-DD`. */
  date: string;
  /** The suffix after the date (`preview`, `alpha`, ...), lower-cased; undefined for a stable version. */
  prerelease?: string;
}

/** Parses `YYYY-MM-DD[-suffix]`; undefined when the text is not an API version. */
export function parseApiVersion(text: string): ApiVersion | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:-([a-z][a-z0-9]*))?$/i.exec(text.trim());
  if (!m) return undefined;
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  return { date: `${m[1]}-${m[2]}-${m[3]}`, prerelease: m[4]?.toLowerCase() };
}

/**
 * Orders API versions: by date, and on the same date a pre-release (`-preview`) before the stable version.
 * Negative when `a` is older than `b`.
 */
export function compareApiVersions(a: ApiVersion, b: ApiVersion): number {
  if (a.date !== b.date) return a.date < b.date ? -1 : 1;
  if ((a.prerelease === undefined) === (b.prerelease === undefined)) return 0;
  return a.prerelease === undefined ? 1 : -1;
}

/**
 * Three-valued: is `text` an API version of `date` (`YYYY-MM-DD`) or later? For defaults that changed with an
 * API version. Only the leading date is read, so a pre-release of that day counts as from it; undefined when
 * the text does not start with a date.
 */
export function apiVersionIsFrom(text: string, date: string): boolean | undefined {
  const m = /^\d{4}-\d{2}-\d{2}/.exec(text);
  return m ? m[0] >= date : undefined;
}

/**
 * The first API versions that know a property: `stable` for stable versions, `preview` for pre-release ones
 * (the same date when absent). A property that shipped in previews first is known to a preview from that day
 * on but to a stable version only from the first stable that has it.
 */
interface Since {
  stable: string;
  preview?: string;
}

/** domain.md §3.2, by lower-cased resource type and property under `properties` (lower-cased). */
const PROPERTY_SINCE: Record<string, Record<string, Since>> = {
  'microsoft.keyvault/vaults': {
    enablepurgeprotection: { stable: '2016-10-01' },
    createmode: { stable: '2016-10-01' },
    networkacls: { stable: '2018-02-14' },
    enablerbacauthorization: { stable: '2019-09-01' },
    softdeleteretentionindays: { stable: '2019-09-01' },
    publicnetworkaccess: { stable: '2021-10-01', preview: '2021-06-01' },
  },
  'microsoft.keyvault/vaults/keys': {
    rotationpolicy: { stable: '2022-07-01', preview: '2021-04-01' },
  },
};

/**
 * Three-valued: does `apiVersion` of `type` know `properties.<property>`? ARM ignores a property that the
 * request's API version does not define. True for properties the table does not list; undefined when the API
 * version is not known before deployment (or is not a version).
 */
export function knowsProperty(type: string, apiVersion: string, property: string): boolean | undefined {
  const since = PROPERTY_SINCE[type.toLowerCase()]?.[property.toLowerCase()];
  if (!since) return true;
  const v = parseApiVersion(apiVersion);
  if (!v) return undefined;
  return v.date >= (v.prerelease === undefined ? since.stable : (since.preview ?? since.stable));
}

/** "2021-10-01, and in previews from 2021-06-01-preview", for messages: the first versions that know the property. */
export function propertySince(type: string, property: string): string {
  const since = PROPERTY_SINCE[type.toLowerCase()]?.[property.toLowerCase()];
  if (!since) return 'the first version';
  return since.preview && since.preview !== since.stable ? `${since.stable}, and in previews from ${since.preview}-preview` : since.stable;
}
