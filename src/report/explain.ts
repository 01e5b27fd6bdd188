/** `cmkguard explain`: each CMK chain as a terminal tree, a Mermaid flowchart or a Graphviz graph. */
import type { ChainLink, ChainView } from '../chains.js';

const MARK: Record<ChainLink['verdict'], string> = { pass: '✓ pass', note: '• note', fail: '✗ fail', undetermined: '? undetermined', none: '- not checked' };

export function formatExplainText(chains: ChainView[]): string {
  if (chains.length === 0) return 'No registry in the scan enables a customer-managed key.';
  const out: string[] = [];
  for (const chain of chains) {
    out.push(`${chain.registry} (${chain.file})`);
    chain.links.forEach((link, i) => {
      const last = i === chain.links.length - 1;
      out.push(`${last ? '└─' : '├─'} ${link.role}: ${link.label}  [${MARK[link.verdict]}]`);
      for (const v of link.verdicts) out.push(`${last ? '   ' : '│  '}   ${v.ruleId} ${v.verdict}: ${v.message}`);
    });
    out.push('');
  }
  return out.join('\n').trimEnd();
}

const CLASS: Record<ChainLink['verdict'], string> = { pass: 'pass', note: 'note', fail: 'fail', undetermined: 'open', none: 'none' };

function mermaidLabel(s: string): string {
  return s.replace(/"/g, '#quot;').replace(/[[\]{}<>]/g, ' ');
}

/** One flowchart per chain: registry → identity → grant → vault → key, and the network beside the vault. */
export function formatExplainMermaid(chains: ChainView[]): string {
  return chains.map((chain, n) => mermaidChain(chain, `c${n}`)).join('\n\n');
}

export function mermaidChain(chain: ChainView, prefix: string): string {
  const id = (role: string) => `${prefix}_${role}`;
  const lines = ['flowchart LR'];
  for (const link of chain.links) {
    const rules = link.verdicts.map((v) => `${v.ruleId} ${v.verdict}`).join(', ');
    lines.push(`  ${id(link.role)}["${mermaidLabel(`${link.role}: ${link.label}`)}${rules ? `<br/>${mermaidLabel(rules)}` : ''}"]:::${CLASS[link.verdict]}`);
  }
  lines.push(`  ${id('registry')} --> ${id('identity')} --> ${id('grant')} --> ${id('vault')} --> ${id('key')}`, `  ${id('vault')} -.- ${id('network')}`);
  lines.push('  classDef pass fill:#d4edda,stroke:#28a745', '  classDef fail fill:#f8d7da,stroke:#dc3545', '  classDef open fill:#fff3cd,stroke:#ffc107', '  classDef note fill:#d1ecf1,stroke:#17a2b8', '  classDef none fill:#eeeeee,stroke:#999999');
  return lines.join('\n');
}

export function formatExplainDot(chains: ChainView[]): string {
  const color: Record<ChainLink['verdict'], string> = { pass: 'palegreen', note: 'lightblue', fail: 'lightpink', undetermined: 'lightyellow', none: 'lightgrey' };
  const out = ['digraph cmk {', '  rankdir=LR;', '  node [shape=box, style=filled];'];
  chains.forEach((chain, n) => {
    out.push(`  subgraph cluster_${n} {`, `    label=${JSON.stringify(`${chain.registry} (${chain.file})`)};`);
    for (const link of chain.links) {
      const rules = link.verdicts.map((v) => `${v.ruleId} ${v.verdict}`).join('\\n');
      out.push(`    c${n}_${link.role} [label=${JSON.stringify(`${link.role}: ${link.label}${rules ? `\n${rules}` : ''}`)}, fillcolor=${color[link.verdict]}];`);
    }
    out.push(`    c${n}_registry -> c${n}_identity -> c${n}_grant -> c${n}_vault -> c${n}_key;`, `    c${n}_vault -> c${n}_network [style=dashed, arrowhead=none];`, '  }');
  });
  out.push('}');
  return out.join('\n');
}
