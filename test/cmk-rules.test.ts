import { describe, expect, it } from 'vitest';
import { registryNames } from '../src/cmk-rules.js';
import type { EvaluatedResource } from '../src/eval/template.js';
import type { CmkLink } from '../src/graph.js';

const link = (name: string): CmkLink => ({ registry: { name, type: 'Microsoft.ContainerRegistry/registries' } as EvaluatedResource }) as CmkLink;

describe('registryNames', () => {
  it('names each registry once, however many links (copy instances, parameter files) lead to it', () => {
    expect(registryNames([link('a')])).toBe("registry 'a'");
    expect(registryNames([link('a'), link('a'), link('b')])).toBe("registries 'a' and 'b'");
    expect(registryNames([link('a'), link('b'), link('c')])).toBe("registries 'a', 'b' and 'c'");
  });
});
