import { describe, expect, it } from 'vitest';
import { template } from '../helpers/scan.js';
import { findingsOf, expectOneAt } from './expect.js';
import { text } from './stack.js';

const linking = (link: object) =>
  template({ resources: [{ type: 'Microsoft.Resources/deployments', apiVersion: '2022-09-01', name: 'child', properties: { mode: 'Incremental', templateLink: link } }] });

describe('TPL004 template-link-unresolved', () => {
  it('follows a relative path inside the scan root', async () => {
    const child = template({ resources: [] });
    expect(await findingsOf('TPL004', linking({ relativePath: 'modules/child.json' }), { 'modules/child.json': text(child) })).toEqual([]);
  });

  it('never fetches a remote URI', async () => {
    const t = linking({ uri: 'https://example.com/child.json' });
    const f = expectOneAt(await findingsOf('TPL004', t), t, '"templateLink"');
    expect(f.message).toMatch(/never fetches/);
  });

  it('reports a missing file and a path that leaves the scan root', async () => {
    expect((await findingsOf('TPL004', linking({ relativePath: 'nope.json' })))[0]?.message).toMatch(/does not exist/);
    expect((await findingsOf('TPL004', linking({ relativePath: '../../etc/passwd' })))[0]?.message).toMatch(/outside the scan root/);
  });
});
