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
