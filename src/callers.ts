/**
 * Callers of a module that a scan was given without them. A pre-commit hook passes only the staged files:
 * a module staged alone would be evaluated on its own defaults, where every parameter its caller passes is
 * missing or defaulted, and its findings would not be those of the real deployment. The scan then looks for
 * the templates of the repository that deploy it, and evaluates the module through them.
 *
 * The search is cheap: it lists the JSON files of the link root (never leaving it, skipping `node_modules`,
 * `.git`, ignored and excluded files and files over the size limit) and reads their text, but parses none of
 * them. Only a file whose text says `templateLink` and names the module by a path that can lead to it is a
 * candidate; the evaluation of the candidates decides which of them deploy it.
 */
import path from 'node:path';
import { ALWAYS_IGNORED, jsonFilesUnder, matchesAny } from './discover.js';
import { decode, readRegularFile } from './load.js';

export interface CallerSearch {
  /** The folder the search never leaves (the scan's link root). */
  root: string;
  cwd: string;
  /** `--ignore` globs: matched relative to the working directory and to the root. */
  ignore: string[];
  /** Whether configuration (`include`, `exclude`) lets a file be read. */
  selected(file: string): boolean;
  maxBytes: number;
  /** Templates that are part of the scan already: they are never candidates. */
  scanned: ReadonlySet<string>;
  /** A candidate that is a root (it has parameter files of its own) ends the search upwards from it. */
  isRoot(file: string): boolean;
}

/**
 * Candidate callers of `modules`, and of those candidates in turn (a module deployed by a module), up to a
 * root or to a template that nothing names: sorted, without the scanned templates.
 */
export async function findCallerCandidates(modules: readonly string[], search: CallerSearch): Promise<string[]> {
  const linking = new Map<string, string>();
  const ignored = (file: string) => [search.cwd, search.root].some((dir) => matchesAny(path.relative(dir, file).split(path.sep).join('/'), search.ignore));
  for (const file of await jsonFilesUnder(search.root, [...ALWAYS_IGNORED, ...search.ignore])) {
    if (search.scanned.has(file) || ignored(file) || !search.selected(file)) continue;
    const bytes = readRegularFile(file, search.maxBytes);
    if (!Buffer.isBuffer(bytes)) continue;
    // Most files never say templateLink: the ASCII bytes of UTF-8 tell, without decoding (UTF-16 has zero bytes).
    if (!bytes.subarray(0, 4).includes(0) && !(bytes[0] === 0xff && bytes[1] === 0xfe) && !(bytes[0] === 0xfe && bytes[1] === 0xff) && !/templatelink/i.test(bytes.toString('latin1'))) continue;
    const text = decode(bytes);
    if (typeof text !== 'string') continue;
    const lower = text.toLowerCase();
    if (lower.includes('templatelink')) linking.set(file, lower);
  }
  const found = new Set<string>();
  for (let targets = [...modules]; targets.length > 0; ) {
    const next: string[] = [];
    for (const [file, text] of linking) {
      if (found.has(file) || !targets.some((t) => namesPathTo(text, t))) continue;
      found.add(file);
      if (!search.isRoot(file)) next.push(file);
    }
    targets = next;
  }
  return [...found].sort();
}

/** Characters that end a path written in JSON or in an expression: quotes, brackets, separators. */
const ENDS_PATH = /["'(),{}[\]<>|*?#=&;:\t\r\n]/;
const NAME_CHAR = /[a-z0-9_.-]/;

/**
 * Whether lower-cased `text` writes the file name of `file` at the end of a path that can lead to it: the
 * path as written (a `relativePath`, the relative part of a `uri()`, or the last literal of a `concat`),
 * with `.` and `..` segments dropped, is a tail of the file's path. A name built from parts (`concat(name,
 * '.json')`) is not found.
 */
export function namesPathTo(text: string, file: string): boolean {
  const name = path.basename(file).toLowerCase();
  const full = `/${file.split(path.sep).join('/').toLowerCase()}`;
  for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
    const end = at + name.length;
    if (end < text.length && NAME_CHAR.test(text[end]!)) continue;
    let start = at;
    while (start > 0 && !ENDS_PATH.test(text[start - 1]!)) start--;
    // `\/` and `\\` (JSON escapes, Windows separators) are separators too.
    const written = path.posix.normalize(`/${text.slice(start, end).replace(/\\+/g, '/')}`);
    if (full.endsWith(written)) return true;
  }
  return false;
}
