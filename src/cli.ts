/**
 * Command line: `cmkguard scan`, `cmkguard expand`, `cmkguard rules`.
 * Exit codes: 0 nothing at or above the fail level, 1 findings, 2 usage, config or internal error.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { DeploymentContextInput } from './eval/template.js';
import type { Rule } from './rule-api.js';
import type { LiveScanOptions } from './scan.js';
import type { FailLevel, Finding, ScanResult } from './types.js';
import { VERSION } from './version.js';

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;

class UsageError extends Error {}

/** A report file that cannot be written: exit code 2, without the usage hint. */
class OutputError extends Error {
  override name = 'OutputError';
}

const HELP = `cmkguard ${VERSION}: checks Azure Container Registry customer-managed-key deployments in ARM and Bicep JSON templates

Usage:
  cmkguard scan [paths...] [options]     scan templates (default path: .)
  cmkguard explain [paths...] [--format text|mermaid|dot]
                                         each CMK registry's chain with every rule's verdict
  cmkguard expand <template> [options]   print the evaluated template as JSON
  cmkguard rules [--format text|json|markdown]
  cmkguard --help | --version

Scan options:
  -f, --format <name>              text (default), json, sarif, github (workflow commands), azure-devops
                                   (logging commands), markdown (PR comments, step summary), junit
  -o, --output <file>              write the report to a file instead of stdout
      --sarif <file>               also write a SARIF report to this file, whatever --format prints (one scan
                                   for code scanning and for annotations or a summary)
      --fail-level <level>         error (default), warning, note or none: exit 1 when a finding is at or above it
      --ignore <glob>              skip matching files (repeatable); node_modules and .git are always skipped
  -p, --parameters <file>          parameter file to evaluate every scanned template with (repeatable)
      --subscription-id <id>       deployment context; unknown (not guessed) when absent
      --resource-group <name>
      --location <region>
      --tenant-id <id>
      --management-group <name>
  -c, --config <file>              configuration file (default: the nearest .cmkguard.yaml upwards, stopping at the repository root)
      --baseline <file>            report only findings that are not in this earlier JSON or SARIF report
      --write-baseline <file>      write the findings as a baseline (JSON report) for later --baseline runs
      --category <id>              SARIF automationDetails category (default cmkguard)
      --max-file-size <bytes>      larger files are reported instead of read (default 16 MiB)
  -j, --jobs <n>                   worker threads that evaluate templates (default: one per core, at most 8, for 48
                                   or more templates on 4 or more cores, else 1); the report is the same for any n
      --live                       also read from Azure Resource Manager what the templates only name (CMK vault
                                   and key, attached identities, the vault's role assignments and diagnostic
                                   settings, the deleted vault a createMode 'recover' vault brings back) and
                                   check it too; read-only, signs in with DefaultAzureCredential
      --arm-endpoint <url>         ARM endpoint for --live (default https://management.azure.com)
      --arm-ca <pem file>          extra CA certificates to trust for --arm-endpoint (Azure Stack Hub, test servers)
      --what-if                    with --live: also ask ARM's what-if to predict each template in --resource-group
                                   and check the values static evaluation cannot know
      --color / --no-color         force or disable colours (default: on for a terminal unless NO_COLOR is set)

Exit codes: 0 no finding at or above the fail level, 1 findings, 2 usage, configuration or internal error.
`;

const OPTIONS = {
  format: { type: 'string', short: 'f' },
  output: { type: 'string', short: 'o' },
  sarif: { type: 'string' },
  'fail-level': { type: 'string' },
  ignore: { type: 'string', multiple: true },
  parameters: { type: 'string', short: 'p', multiple: true },
  'subscription-id': { type: 'string' },
  'resource-group': { type: 'string' },
  location: { type: 'string' },
  'tenant-id': { type: 'string' },
  'management-group': { type: 'string' },
  category: { type: 'string' },
  config: { type: 'string', short: 'c' },
  baseline: { type: 'string' },
  'write-baseline': { type: 'string' },
  'max-file-size': { type: 'string' },
  jobs: { type: 'string', short: 'j' },
  live: { type: 'boolean' },
  'arm-endpoint': { type: 'string' },
  'arm-ca': { type: 'string' },
  'what-if': { type: 'boolean' },
  color: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const satisfies ParseArgsConfig['options'];

const LEVEL_RANK: Record<string, number> = { note: 1, warning: 2, error: 3 };

export function exitCodeFor(findings: Finding[], failLevel: FailLevel): number {
  if (failLevel === 'none') return EXIT_OK;
  const threshold = LEVEL_RANK[failLevel]!;
  return findings.some((f) => !f.suppression && LEVEL_RANK[f.level]! >= threshold) ? EXIT_FINDINGS : EXIT_OK;
}

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}; got '${value}'`);
  return value as T;
}

/** Writes a report file, creating its folder (CI artifact folders such as CodeAnalysisLogs/ often do not exist yet). */
function writeReport(file: string, text: string): void {
  try {
    makeFolders(path.dirname(file));
    writeFileSync(file, text);
  } catch (err) {
    throw new OutputError(`cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

/**
 * Creates the missing folders of `dir`, one level at a time: Node's recursive mkdir loops forever under
 * /proc (`-o /proc/self/x/report.json`), where a missing folder can never be created.
 */
function makeFolders(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; !existsSync(d); d = path.dirname(d)) {
    missing.push(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of missing.reverse()) mkdirSync(d);
}

function emit(text: string, output: string | undefined, cwd: string): void {
  if (output) writeReport(path.resolve(cwd, output), text.endsWith('\n') ? text : `${text}\n`);
  else process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export async function main(argv: string[], cwd = process.cwd()): Promise<number> {
  const command = argv[0] && !argv[0].startsWith('-') ? argv[0] : 'scan';
  const rest = argv[0] && !argv[0].startsWith('-') ? argv.slice(1) : argv;
  const { values, positionals } = parse(rest);
  if (values.help) {
    process.stdout.write(HELP);
    return EXIT_OK;
  }
  if (values.version) {
    process.stdout.write(`${VERSION}\n`);
    return EXIT_OK;
  }
  const context = {
    subscriptionId: values['subscription-id'],
    resourceGroup: values['resource-group'],
    location: values.location,
    tenantId: values['tenant-id'],
    managementGroup: values['management-group'],
  };
  switch (command) {
    case 'scan': {
      const format = oneOf('format', values.format, ['text', 'json', 'sarif', 'github', 'azure-devops', 'markdown', 'junit'] as const, 'text');
      let maxFileBytes: number | undefined;
      if (values['max-file-size'] !== undefined) {
        maxFileBytes = Number(values['max-file-size']);
        if (!Number.isInteger(maxFileBytes) || maxFileBytes <= 0) throw new UsageError(`--max-file-size takes a positive number of bytes; got '${values['max-file-size']}'`);
      }
      const [{ scan }, { rules }, { formatters }] = await Promise.all([import('./scan.js'), import('../rules/index.js'), import('./report/index.js')]);
      const config = await loadConfiguration(values.config, cwd, rules);
      const failLevel = oneOf('fail-level', values['fail-level'] ?? config.failLevel, ['error', 'warning', 'note', 'none'] as const, 'error');
      const result = await scan({
        ...scanInputs(values, positionals, cwd, context, config, rules),
        suppressions: config.suppressions,
        budgets: config.budgets,
        maxFileBytes,
        chains: format === 'markdown',
        onProgress: progressReporter(),
      });
      clearProgress();
      if (result.live) {
        const { calls, resources, problems, predicted } = result.live;
        const whatIf = predicted === undefined ? '' : `, ${predicted} resource${predicted === 1 ? '' : 's'} completed by what-if`;
        process.stderr.write(`cmkguard: live: ${calls} ARM call${calls === 1 ? '' : 's'}, ${resources.length} resource${resources.length === 1 ? '' : 's'} read${whatIf}${problems.length ? `; could not read: ${problems.join('; ')}` : ''}\n`);
      }
      // The old baseline is read before the new one is written: `--baseline b.json --write-baseline b.json` reports
      // what is new since b.json, then updates it.
      const baseline = values.baseline ? (await import('./baseline.js')).readBaseline(path.resolve(cwd, values.baseline)) : undefined;
      if (values['write-baseline']) {
        const { formatJson } = await import('./report/json.js');
        writeReport(path.resolve(cwd, values['write-baseline']), `${formatJson(result)}\n`);
      }
      if (baseline) result.findings = (await import('./baseline.js')).newFindings(result.findings, baseline);
      const color = values['no-color'] ? false : values.color ? true : !values.output && process.stdout.isTTY === true && !process.env['NO_COLOR'];
      emit(formatters[format](result as ScanResult, { color, category: values.category }), values.output, cwd);
      if (values.sarif) emit(formatters.sarif(result as ScanResult, { color: false, category: values.category }), values.sarif, cwd);
      // The text report on stdout already lists input and internal errors; other formats and files need them on stderr.
      if (format !== 'text' || values.output) for (const e of [...result.inputErrors, ...result.internalErrors]) process.stderr.write(`cmkguard: ${e}\n`);
      if (result.inputErrors.length || result.internalErrors.length) return EXIT_ERROR;
      return exitCodeFor(result.findings, failLevel);
    }
    case 'explain': {
      const format = oneOf('format', values.format, ['text', 'mermaid', 'dot'] as const, 'text');
      const [{ scan }, { rules }, explain] = await Promise.all([import('./scan.js'), import('../rules/index.js'), import('./report/explain.js')]);
      const config = await loadConfiguration(values.config, cwd, rules);
      const result = await scan({ ...scanInputs(values, positionals, cwd, context, config, rules), chains: true });
      for (const e of [...result.inputErrors, ...result.internalErrors]) process.stderr.write(`cmkguard: ${e}\n`);
      const chains = result.chains ?? [];
      const text = format === 'mermaid' ? explain.formatExplainMermaid(chains) : format === 'dot' ? explain.formatExplainDot(chains) : explain.formatExplainText(chains);
      emit(text, values.output, cwd);
      return result.inputErrors.length || result.internalErrors.length ? EXIT_ERROR : EXIT_OK;
    }
    case 'expand': {
      if (positionals.length !== 1) throw new UsageError('expand takes exactly one template file');
      const { expand } = await import('./expand.js');
      const out = expand(path.resolve(cwd, positionals[0]!), (values.parameters ?? []).map((p) => path.resolve(cwd, p)), context);
      emit(JSON.stringify(out.json, null, 2), values.output, cwd);
      return out.ok ? EXIT_OK : EXIT_ERROR;
    }
    case 'rules': {
      const format = oneOf('format', values.format, ['text', 'json', 'markdown'] as const, 'text');
      const { rules } = await import('../rules/index.js');
      const { formatRules } = await import('./report/rules.js');
      emit(formatRules(rules.map((r) => r.meta), format), values.output, cwd);
      return EXIT_OK;
    }
    default:
      throw new UsageError(`unknown command '${command}'; commands are scan, explain, expand and rules`);
  }
}

const PROGRESS_MIN_FILES = 50;
let progressShown = false;

/** A one-line counter on stderr for long scans in a terminal; silent in CI logs and pipes. */
function progressReporter(): ((done: number, total: number) => void) | undefined {
  if (!process.stderr.isTTY || process.env['CI']) return undefined;
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (total < PROGRESS_MIN_FILES || now - last < 100) return;
    last = now;
    progressShown = true;
    process.stderr.write(`\rcmkguard: ${done}/${total} templates`);
  };
}

function clearProgress(): void {
  if (progressShown) process.stderr.write('\r\x1b[K');
  progressShown = false;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

type Configuration = Awaited<ReturnType<typeof loadConfiguration>>;

/** What scan and explain take alike from the command line and the configuration (flags win). */
function scanInputs(values: ReturnType<typeof parse>['values'], positionals: string[], cwd: string, context: DeploymentContextInput, config: Configuration, rules: readonly Rule[]) {
  return {
    paths: positionals,
    cwd,
    ignore: values.ignore ?? [],
    include: config.include,
    exclude: config.exclude,
    parameters: values.parameters,
    parameterMap: config.parameterMap,
    context: { ...config.context, ...definedOnly(context) },
    rules,
    settings: config.settings,
    live: liveOptions(values, cwd, { ...config.context, ...definedOnly(context) }),
    jobs: jobsOption(values.jobs),
  };
}

function jobsOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new UsageError(`--jobs takes a number of threads from 1 to 64; got '${value}'`);
  return n;
}

/** Live mode from --live and its flags; the token comes from CMKGUARD_ARM_TOKEN when set. */
function liveOptions(values: ReturnType<typeof parse>['values'], cwd: string, context: DeploymentContextInput): LiveScanOptions | undefined {
  const endpoint = values['arm-endpoint'];
  if (!values.live) {
    if (endpoint !== undefined || values['arm-ca'] !== undefined || values['what-if']) throw new UsageError('--arm-endpoint, --arm-ca and --what-if only apply with --live');
    return undefined;
  }
  if (values['what-if'] && (!context.resourceGroup || !context.subscriptionId)) {
    throw new UsageError('--what-if needs --subscription-id and --resource-group: the deployment ARM predicts goes there');
  }
  if (endpoint !== undefined && !/^https:\/\/[^/]+/i.test(endpoint)) {
    throw new UsageError(`--arm-endpoint must be an https:// URL (tokens are only sent over TLS); got '${endpoint}'`);
  }
  const settings = {
    subscriptionId: context.subscriptionId,
    endpoint,
    token: process.env['CMKGUARD_ARM_TOKEN'] || undefined,
    caFile: values['arm-ca'] === undefined ? undefined : path.resolve(cwd, values['arm-ca']),
  };
  return {
    subscriptionId: context.subscriptionId,
    whatIfResourceGroup: values['what-if'] ? context.resourceGroup : undefined,
    connect: async () => (await import('./live/arm.js')).connectArm(settings),
  };
}

/** The configuration from --config or the nearest .cmkguard.yaml; none is fine. */
async function loadConfiguration(explicit: string | undefined, cwd: string, rules: readonly Rule[]) {
  const { emptyConfig, findConfig, loadConfig } = await import('./config.js');
  const file = explicit ? path.resolve(cwd, explicit) : findConfig(cwd);
  if (!file) return { ...emptyConfig(), parameterMap: new Map<string, string[]>() };
  const config = await loadConfig(file, rules);
  return { ...config, parameterMap: config.parameters };
}

/** Entry point of the `cmkguard` executable (dist/cli.js). */
export function run(): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      if (err instanceof UsageError) {
        process.stderr.write(`cmkguard: ${err.message}\nRun 'cmkguard --help' for usage.\n`);
      } else if (err instanceof Error && (err.name === 'ConfigError' || err.name === 'BaselineError' || err.name === 'OutputError')) {
        process.stderr.write(`cmkguard: ${err.message}\n`);
      } else {
        process.stderr.write(`cmkguard: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
      }
      process.exitCode = EXIT_ERROR;
    },
  );
}
