/** Glob patterns as users write them in flags and config. */

const ANY_FOLDERS = '(?:.*/)?';
const ANY = '.*';
const IN_SEGMENT = '[^/]*';

/**
 * `**` any folders, `*` within one segment, `?` one character. `**` followed by a slash matches zero or more
 * whole folders: `**` + `/main.json` matches `main.json` and `infra/main.json` but not `xmain.json`. Stars that
 * follow each other count once, which also keeps the expression linear: each would add a backtracking `.*`,
 * and twenty of them took minutes to reject a path.
 */
export function glob(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      i++;
      const folders = pattern[i + 1] === '/';
      if (folders) i++;
      if (re.endsWith(ANY)) continue;
      if (re.endsWith(ANY_FOLDERS)) {
        if (!folders) re = re.slice(0, -ANY_FOLDERS.length) + ANY;
        continue;
      }
      re += folders ? ANY_FOLDERS : ANY;
    } else if (c === '*') {
      if (!re.endsWith(ANY) && !re.endsWith(IN_SEGMENT)) re += IN_SEGMENT;
    } else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'i');
}
