/**
 * The pre-commit round trip with the real `pre-commit` (Debian package): a temporary repository whose
 * .pre-commit-config.yaml points at a clone of this project commits a violating template (the hook fails
 * with the rule id), then the fixed template (the hook passes). Run by `npm run test:integration`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cmkStack, findResource, REGISTRY, text } from '../rules/stack.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.invalid' } });
}

describe('pre-commit hook', () => {
  it('fails a commit of a violating template with the rule id, then passes the fixed one', () => {
    // The hook repository: a clone of this project at its current commit (what users pin with `rev`).
    const hookRepo = mkdtempSync(path.join(tmpdir(), 'cmkguard-hook-'));
    execFileSync('git', ['clone', '-q', ROOT, hookRepo]);
    const rev = git(hookRepo, 'rev-parse', 'HEAD').trim();

    const repo = mkdtempSync(path.join(tmpdir(), 'cmkguard-user-'));
    git(repo, 'init', '-q');
    writeFileSync(path.join(repo, '.pre-commit-config.yaml'), `repos:\n  - repo: ${hookRepo}\n    rev: ${rev}\n    hooks:\n      - id: cmkguard\n`);
    const bad = cmkStack();
    findResource(bad, REGISTRY)['sku']['name'] = 'Standard';
    writeFileSync(path.join(repo, 'main.json'), text(bad));
    writeFileSync(path.join(repo, 'package.json'), '{ "name": "not-a-template" }\n');
    const env = { ...process.env, PRE_COMMIT_HOME: mkdtempSync(path.join(tmpdir(), 'cmkguard-pre-commit-home-')) };
    git(repo, 'add', '.');
    const failing = spawnSync('pre-commit', ['run', '--files', 'main.json', 'package.json', '.pre-commit-config.yaml'], { cwd: repo, encoding: 'utf8', env });
    expect(failing.status, failing.stdout + failing.stderr).toBe(1);
    expect(failing.stdout).toMatch(/ACR002/);
    expect(failing.stdout).toMatch(/main\.json/);

    writeFileSync(path.join(repo, 'main.json'), text(cmkStack()));
    git(repo, 'add', '.');
    const passing = spawnSync('pre-commit', ['run', '--files', 'main.json', 'package.json'], { cwd: repo, encoding: 'utf8', env });
    expect(passing.status, passing.stdout + passing.stderr).toBe(0);
    expect(passing.stdout).toMatch(/cmkguard.*Passed/);
  }, 600_000);
});
