/**
 * "Did you mean" for names a template or a value misspells: functions, parameters, variables, enum values.
 */

/** Edits (insert, delete, replace, swap of two neighbours) between two strings, ignoring case. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  // Three rows suffice: the swap of neighbours looks two rows back.
  let before = new Array<number>(t.length + 1).fill(0);
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const row = [i];
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      row.push(d);
    }
    [before, prev] = [prev, row];
  }
  return prev[t.length]!;
}

/**
 * The candidate closest to `word` when it is a plausible misspelling of it (at most `maxDistance(candidate)` edits;
 * by default one edit per four characters of `word`, at least one), else undefined. Case counts as no edit, so a value
 * that only differs in case from an allowed one (where case matters) is still pointed to it.
 */
export function nearest(word: string, candidates: Iterable<string>, maxDistance: (candidate: string) => number = () => Math.max(1, Math.ceil(word.length / 4))): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const max = maxDistance(candidate);
    if (candidate === word || Math.abs(candidate.length - word.length) > max) continue;
    const d = editDistance(word, candidate);
    if (d <= max && d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

/** " Did you mean 'x'?" when a candidate is close to `word`, else ''. */
export function didYouMean(word: string, candidates: Iterable<string>, maxDistance?: (candidate: string) => number): string {
  const hit = nearest(word, candidates, maxDistance);
  return hit === undefined ? '' : ` Did you mean '${hit}'?`;
}
