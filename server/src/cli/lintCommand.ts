/**
 * `netreach lint`: the editor's findings for CI, as text, JSON or SARIF 2.1.0, with
 * `--fix` applying every preferred fix. Exit 1 when findings at or above `--fail-on`
 * (default: error) remain.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  allChecks,
  applyEdits,
  buildWorkspace,
  CATALOG,
  docsUrl,
  fixesOf,
  lintWorkspace,
  positionAt,
  type CheckSetting,
  type Finding,
  type Fix,
  type Severity,
  type SourceFile,
  type Workspace,
} from '../engine';
import { choice, type ParsedCommand } from './args';
import { ipBlockOption } from './connlistCommand';
import { formatLocation, leftOutNotes, type Streams } from './context';
import { UsageError } from './errors';
import { collectManifestPaths, displayPath, readSources, STDIN_PATH } from './files';
import { VERSION } from './help';

const FORMATS = ['text', 'json', 'sarif'] as const;
const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

export function parseCheckOptions(values: readonly string[]): Record<string, CheckSetting> {
  const checks: Record<string, CheckSetting> = {};
  for (const value of values) {
    for (const item of value.split(',')) {
      const match = /^\s*(NR\d{3})\s*=\s*(off|error|warning|info)\s*$/i.exec(item);
      if (!match) throw new UsageError(`--check ${item}: expected CODE=off|error|warning|info, e.g. NR070=off`);
      if (!CATALOG.has(match[1].toUpperCase())) throw new UsageError(`--check ${item}: unknown check ${match[1]}`);
      checks[match[1].toUpperCase()] = match[2].toLowerCase() as CheckSetting;
    }
  }
  return checks;
}

export function runLint(command: ParsedCommand, streams: Streams): number {
  const format = choice('--format', command.options.format ?? 'text', FORMATS);
  const failOn = choice('--fail-on', command.options['fail-on'] ?? 'error', ['error', 'warning', 'info'] as const);
  const settings = {
    checks: parseCheckOptions(command.lists.check ?? []),
    analysis: { ipBlockMatchesPods: ipBlockOption(command.options['ipblock-pods']) },
  };
  const paths = collectManifestPaths(command.positionals);
  if (command.flags.has('fix') && paths.includes(STDIN_PATH)) {
    throw new UsageError('--fix writes the fixes into the files: it cannot write back to standard input');
  }
  let sources = readSources(paths);
  let workspace = buildWorkspace(sources);
  let findings = lintWorkspace(workspace, settings).findings;

  if (command.flags.has('fix')) {
    const fixedFiles = new Set<string>();
    // Fixes can reveal or unlock others; a few passes settle it.
    for (let pass = 0; pass < 5; pass++) {
      const applied = applyPreferredFixes(sources, findings);
      if (applied.changed.size === 0) break;
      for (const uri of applied.changed) fixedFiles.add(uri);
      sources = applied.sources;
      workspace = buildWorkspace(sources);
      findings = lintWorkspace(workspace, settings).findings;
    }
    for (const source of sources) {
      if (fixedFiles.has(source.uri)) writeFileSync(source.uri, source.text);
    }
    if (fixedFiles.size > 0 && format === 'text') {
      streams.err(
        `netreach: fixed ${fixedFiles.size} file${fixedFiles.size === 1 ? '' : 's'}: ${[...fixedFiles].map(displayPath).join(', ')}\n`,
      );
    }
  }

  if (format === 'json')
    streams.out(
      `${JSON.stringify(
        findings.map((f) => findingJson(workspace, f)),
        null,
        2,
      )}\n`,
    );
  else if (format === 'sarif') streams.out(`${JSON.stringify(sarif(workspace, findings), null, 2)}\n`);
  else streams.out(formatText(workspace, findings));
  for (const note of leftOutNotes(workspace)) streams.err(`netreach: note: ${note}\n`);
  return findings.some((f) => RANK[f.severity] >= RANK[failOn]) ? 1 : 0;
}

function applyPreferredFixes(sources: readonly SourceFile[], findings: readonly Finding[]) {
  const byFile = new Map<string, Fix[]>();
  for (const finding of findings) {
    const fix = fixesOf(finding).find((f) => f.preferred);
    if (!fix) continue;
    const uri = fix.edits[0]?.uri ?? finding.span.uri;
    (byFile.get(uri) ?? byFile.set(uri, []).get(uri)!).push(fix);
  }
  const changed = new Set<string>();
  const next = sources.map((source) => {
    const fixes = byFile.get(source.uri);
    if (!fixes) return source;
    const edits = [];
    for (const fix of fixes) {
      // One fix touching several files is left for the editor; keep --fix per file.
      if (fix.edits.every((e) => e.uri === source.uri)) edits.push(...fix.edits);
    }
    const text = applyEdits(source.text, edits);
    if (text === source.text) return source;
    changed.add(source.uri);
    return { uri: source.uri, text };
  });
  return { sources: next, changed };
}

function lineAndColumn(workspace: Workspace, uri: string, offset: number) {
  const file = workspace.files.get(uri)?.file;
  if (!file) return { line: 1, column: 1 };
  const position = positionAt(file, offset);
  return { line: position.line + 1, column: position.character + 1 };
}

function formatText(workspace: Workspace, findings: readonly Finding[]): string {
  if (findings.length === 0) return 'No problems found.\n';
  const lines: string[] = [];
  let currentFile = '';
  for (const finding of findings) {
    if (finding.span.uri !== currentFile) {
      if (currentFile) lines.push('');
      currentFile = finding.span.uri;
      lines.push(displayPath(currentFile));
    }
    const { line, column } = lineAndColumn(workspace, finding.span.uri, finding.span.start);
    lines.push(`  ${`${line}:${column}`.padEnd(8)} ${finding.severity.padEnd(8)} ${finding.code}  ${finding.message}`);
    for (const related of finding.related ?? []) {
      lines.push(
        `  ${''.padEnd(8)} ${''.padEnd(8)}        ↳ ${formatLocation(workspace, related.span)}: ${related.message}`,
      );
    }
  }
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
  const fixable = findings.filter((f) => fixesOf(f).some((x) => x.preferred)).length;
  lines.push('');
  lines.push(
    `${findings.length} problem${findings.length === 1 ? '' : 's'} (${count('error')} error${count('error') === 1 ? '' : 's'}, ${count('warning')} warning${count('warning') === 1 ? '' : 's'}, ${count('info')} info)` +
      (fixable ? `; ${fixable} fixable with --fix` : ''),
  );
  return `${lines.join('\n')}\n`;
}

function findingJson(workspace: Workspace, finding: Finding) {
  const start = lineAndColumn(workspace, finding.span.uri, finding.span.start);
  const end = lineAndColumn(workspace, finding.span.uri, finding.span.end);
  return {
    file: displayPath(finding.span.uri),
    line: start.line,
    column: start.column,
    endLine: end.line,
    endColumn: end.column,
    code: finding.code,
    severity: finding.severity,
    message: finding.message,
    docs: docsUrl(finding.code),
    related: (finding.related ?? []).map((r) => ({ location: formatLocation(workspace, r.span), message: r.message })),
    fixes: fixesOf(finding).map((f) => ({ title: f.title, preferred: f.preferred === true })),
  };
}

const SARIF_LEVEL: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'note' };

/** SARIF 2.1.0 as GitHub code scanning reads it: relative paths, one rule per check code. */
function sarif(workspace: Workspace, findings: readonly Finding[]) {
  const rules = allChecks().map((check) => ({
    id: check.code,
    name: check.title
      .replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))
      .replace(/^./, (c) => c.toUpperCase()),
    shortDescription: { text: check.title },
    fullDescription: {
      text: `${check.code}: ${check.title}. What it means for traffic, and how to fix it: ${docsUrl(check.code)}`,
    },
    help: {
      text: `See ${docsUrl(check.code)}. Silence one place with "# netreach-disable-next-line ${check.code}".`,
      markdown: `[${check.code} in the netreach check catalog](${docsUrl(check.code)}). Silence one place with \`# netreach-disable-next-line ${check.code}\`.`,
    },
    helpUri: docsUrl(check.code),
    defaultConfiguration: { level: SARIF_LEVEL[check.severity] },
    properties: { tags: ['kubernetes', 'networkpolicy', check.section] },
  }));
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const region = (uri: string, start: number, end: number) => {
    const a = lineAndColumn(workspace, uri, start);
    const b = lineAndColumn(workspace, uri, Math.max(end, start));
    return { startLine: a.line, startColumn: a.column, endLine: b.line, endColumn: b.column };
  };
  const artifact = (uri: string) => ({ uri: sarifPath(uri), uriBaseId: '%SRCROOT%' });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: { name: 'netreach', version: VERSION, informationUri: 'https://github.com/netreach/netreach', rules },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: `${pathToUri(process.cwd())}/` } },
        columnKind: 'utf16CodeUnits',
        results: findings.map((f) => ({
          ruleId: f.code,
          ruleIndex: ruleIndex.get(f.code) ?? -1,
          level: SARIF_LEVEL[f.severity],
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: artifact(f.span.uri),
                region: region(f.span.uri, f.span.start, f.span.end),
              },
            },
          ],
          ...(f.related?.length
            ? {
                relatedLocations: f.related.map((r, i) => ({
                  id: i,
                  message: { text: r.message },
                  physicalLocation: {
                    artifactLocation: artifact(r.span.uri),
                    region: region(r.span.uri, r.span.start, r.span.end),
                  },
                })),
              }
            : {}),
          partialFingerprints: { netreachFinding: `${f.code}:${sarifPath(f.span.uri)}:${f.message}` },
        })),
      },
    ],
  };
}

function sarifPath(file: string): string {
  return displayPath(path.resolve(file)).split(path.sep).join('/');
}

function pathToUri(folder: string): string {
  return `file://${folder.split(path.sep).map(encodeURIComponent).join('/')}`;
}
