/** `cmkguard rules`: the rule catalogue as text, JSON or a markdown table. */
import type { RuleMeta } from '../types.js';

export function formatRules(rules: RuleMeta[], format: 'text' | 'json' | 'markdown'): string {
  if (format === 'json') {
    return JSON.stringify(
      rules.map((r) => ({ id: r.id, name: r.name, level: r.level, description: r.shortDescription, tags: r.tags, docsUrl: r.docsUrl, defaultOptions: r.defaultOptions ?? {} })),
      null,
      2,
    );
  }
  if (format === 'markdown') {
    const rows = rules.map((r) => `| [${r.id}](${r.docsUrl}) | ${r.name} | ${r.level} | ${r.shortDescription.replace(/\|/g, '\\|')} |`);
    return ['| id | name | level | description |', '|---|---|---|---|', ...rows].join('\n');
  }
  const width = Math.max(...rules.map((r) => r.name.length));
  return rules.map((r) => `${r.id.padEnd(7)} ${r.name.padEnd(width)}  ${r.level.padEnd(7)}  ${r.shortDescription}`).join('\n');
}
