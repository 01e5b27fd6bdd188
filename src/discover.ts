/** Discovery: the JSON files under the given paths, in a stable order. */
import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { glob } from './glob.js';
import { isInside } from './paths.js';

export interface DiscoverOptions {
  cwd: string;
  /** Extra glob patterns to skip (relative to each scanned folder, or absolute). */
  ignore: string[];
}

export const ALWAYS_IGNORED = ['**/node_modules/**', '**/.git/**'];

export async function discover(paths: string[], options: DiscoverOptions): Promise<{ files: string[]; missing: string[] }> {
  const files = new Set<string>();
  /** Paths that give nothing to scan, each with the reason ("path not found: x"). */
  const missing: string[] = [];
  const ignore = [...ALWAYS_IGNORED, ...options.ignore];
  for (const p of paths.length ? paths : ['.']) {
    const abs = path.resolve(options.cwd, p);
    let stat;
    try {
      stat = statSync(abs);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      missing.push(code === 'ELOOP' ? `path is a symbolic link loop: ${p}` : code === 'ENOENT' || code === 'ENOTDIR' ? `path not found: ${p}` : `path cannot be read (${code}): ${p}`);
      continue;
    }
    if (!stat.isFile() && !stat.isDirectory()) {
      missing.push(`path is not a regular file or a folder (${stat.isFIFO() ? 'a named pipe' : stat.isSocket() ? 'a socket' : 'a device'}): ${p}`);
      continue;
    }
    if (stat.isFile()) {
      const rel = path.relative(options.cwd, abs).split(path.sep).join('/');
      if (/\.jsonc?$/i.test(abs) && !matchesAny(rel, options.ignore)) files.add(abs);
      continue;
    }
    for (const f of await jsonFilesUnder(abs, ignore)) files.add(f);
  }
  return { files: [...files].sort(), missing };
}

/**
 * The `*.json` and `*.jsonc` files under a folder, skipping `ignore` globs (relative to it). Folder links are
 * never followed, and a file link is kept only when it resolves inside the folder.
 */
export async function jsonFilesUnder(folder: string, ignore: string[]): Promise<string[]> {
  // fast-glob loads only when a folder is read: a pre-commit run on named files never pays for it.
  const { default: fg } = await import('fast-glob');
  const found = await fg(['**/*.json', '**/*.jsonc'], {
    cwd: folder,
    absolute: true,
    dot: true,
    ignore,
    followSymbolicLinks: false,
    onlyFiles: true,
    caseSensitiveMatch: false,
    suppressErrors: true,
    objectMode: true,
  });
  // Only links need resolving: a plain file reached without following any folder link is inside by construction.
  const files: string[] = [];
  let realRoot: string | undefined;
  for (const entry of found) {
    if (entry.dirent.isSymbolicLink()) {
      realRoot ??= realpathOr(folder);
      if (!staysInside(entry.path, realRoot)) continue;
    }
    files.push(path.normalize(entry.path));
  }
  return files;
}

/** Whether `file`, links resolved, is inside `folder` (links resolved too). */
export function resolvesInside(file: string, folder: string): boolean {
  try {
    return staysInside(file, realpathSync(folder));
  } catch {
    return false;
  }
}

function realpathOr(folder: string): string {
  try {
    return realpathSync(folder);
  } catch {
    return folder;
  }
}

function staysInside(file: string, realRoot: string): boolean {
  try {
    return isInside(realpathSync(file), realRoot);
  } catch {
    return false;
  }
}

export function matchesAny(rel: string, patterns: string[]): boolean {
  return patterns.some((p) => glob(p).test(rel) || glob(`**/${p}`).test(rel));
}
