/**
 * Helpers for the workspace check tests (workspaceMeaning, coverage, examples): lint small
 * inline workspaces, find findings by code and span text, apply a fix and lint again.
 */
import { strict as assert } from 'node:assert';
import { parseAllDocuments } from 'yaml';
import {
  applyEdits,
  buildWorkspace,
  fixesOf,
  lintWorkspace,
  type Finding,
  type Fix,
  type Severity,
} from '../../../server/src/engine';
import { dedent } from '../../dedent';

export { dedent };

export type Files = Readonly<Record<string, string>>;

export interface Linted {
  readonly files: Files;
  readonly findings: readonly Finding[];
  /** The text a finding's span covers. */
  spanText(finding: Finding): string;
  /** Findings of one code. */
  of(code: string): Finding[];
}

/** Lints a workspace of inline files (dedented), with every check registered. */
export function lint(input: string | Files): Linted {
  const raw = typeof input === 'string' ? { 'test.yaml': input } : input;
  const files: Record<string, string> = {};
  for (const [uri, text] of Object.entries(raw)) files[uri] = dedent(text);
  const workspace = buildWorkspace(Object.entries(files).map(([uri, text]) => ({ uri, text })));
  const { findings } = lintWorkspace(workspace);
  return {
    files,
    findings,
    spanText: (f) => files[f.span.uri].slice(f.span.start, f.span.end),
    of: (code) => findings.filter((f) => f.code === code),
  };
}

function describe(linted: Linted, findings: readonly Finding[]): string {
  return (
    findings.map((f) => `${f.code} ${f.severity} ${JSON.stringify(linted.spanText(f))}: ${f.message}`).join('\n  ') ||
    '(none)'
  );
}

/** The one finding of `code` whose span text is `span`; fails listing what was found otherwise. */
export function expectFinding(linted: Linted, code: string, severity: Severity, span: string): Finding {
  const matching = linted.of(code).filter((f) => linted.spanText(f) === span);
  assert.equal(
    matching.length,
    1,
    `expected one ${code} on ${JSON.stringify(span)}; found:\n  ${describe(linted, linted.of(code))}`,
  );
  assert.equal(matching[0].severity, severity, `${code} severity`);
  assert.ok(
    matching[0].message.length > 20 && /[.?)]$/.test(matching[0].message.trim()),
    `a full message: ${matching[0].message}`,
  );
  return matching[0];
}

export function expectNone(linted: Linted, code: string): void {
  assert.deepEqual(
    linted.of(code).map((f) => `${f.code} ${JSON.stringify(linted.spanText(f))}`),
    [],
    `no ${code} expected:\n  ${describe(linted, linted.of(code))}`,
  );
}

export interface FixOutcome {
  readonly before: Linted;
  readonly after: Linted;
  /** The fixed text of the file the fix edits. */
  readonly text: string;
  readonly uri: string;
}

/**
 * Applies the fix titled like `title` (a substring; the first fix when undefined) and
 * lints again. Checks that every edited file still parses as YAML without errors and that
 * every comment line of the original files is still there (unless `commentsMayGo`).
 */
export function applyFix(linted: Linted, finding: Finding, title?: string, commentsMayGo = false): FixOutcome {
  const fixes = fixesOf(finding);
  const fix: Fix | undefined = title === undefined ? fixes[0] : fixes.find((f) => f.title.includes(title));
  assert.ok(
    fix,
    `no fix ${title ?? ''} on ${finding.code}; have: ${fixes.map((f) => f.title).join(' | ') || '(none)'}`,
  );
  const files: Record<string, string> = { ...linted.files };
  const uris = [...new Set(fix.edits.map((e) => e.uri))];
  for (const uri of uris) {
    assert.ok(uri in files, `fix edits an unknown file ${uri}`);
    files[uri] = applyEdits(
      files[uri],
      fix.edits.filter((e) => e.uri === uri),
    );
    const documents = parseAllDocuments(files[uri]);
    const errors = (Array.isArray(documents) ? documents : [documents]).flatMap((d) => d.errors.map((e) => e.message));
    assert.deepEqual(errors, [], `the fixed file does not parse:\n${files[uri]}`);
    if (!commentsMayGo) {
      for (const line of linted.files[uri].split('\n')) {
        if (line.trim().startsWith('#'))
          assert.ok(files[uri].includes(line), `comment line lost: ${line}\n${files[uri]}`);
      }
    }
  }
  // Lint the fixed text as is (no dedent: it is already flush).
  const workspace = buildWorkspace(Object.entries(files).map(([uri, text]) => ({ uri, text })));
  const { findings } = lintWorkspace(workspace);
  const after: Linted = {
    files,
    findings,
    spanText: (f) => files[f.span.uri].slice(f.span.start, f.span.end),
    of: (code) => findings.filter((f) => f.code === code),
  };
  assert.deepEqual(
    after.findings.filter((f) => f.code === 'NR014').map((f) => f.message),
    [],
    'the fixed workspace reads without errors',
  );
  return { before: linted, after, text: files[uris[0]], uri: uris[0] };
}

/** A report case: the check reports `code` with `severity` on the node whose text is `span`. */
export interface ReportCase {
  readonly name: string;
  readonly files: string | Files;
  readonly code: string;
  readonly severity: Severity;
  readonly span: string;
  /** Words the message must contain. */
  readonly message?: readonly (string | RegExp)[];
}

/** A near miss: `code` is not reported. */
export interface QuietCase {
  readonly name: string;
  readonly files: string | Files;
  readonly code: string;
}

export function runReportCases(cases: readonly ReportCase[]): void {
  for (const c of cases) {
    it(`reports ${c.code}: ${c.name}`, () => {
      const linted = lint(c.files);
      const finding = expectFinding(linted, c.code, c.severity, c.span);
      for (const word of c.message ?? []) {
        if (typeof word === 'string')
          assert.ok(finding.message.includes(word), `message should mention ${word}: ${finding.message}`);
        else assert.match(finding.message, word);
      }
    });
  }
}

export function runQuietCases(cases: readonly QuietCase[]): void {
  for (const c of cases) {
    it(`no ${c.code}: ${c.name}`, () => expectNone(lint(c.files), c.code));
  }
}

/** A Deployment in block style. `ports`: `8080` or `http:8080`; `spec` lines go into the pod spec (e.g. `hostNetwork: true`). */
export function deployment(
  namespace: string,
  name: string,
  labels: Readonly<Record<string, string>>,
  ports: readonly string[] = [],
  spec: readonly string[] = [],
): string {
  const lines = (indent: string) => Object.entries(labels).map(([k, v]) => `${indent}${k}: ${v}`);
  const portLines = ports.flatMap((p) => {
    const [portName, number] = p.includes(':') ? p.split(':') : [undefined, p];
    return portName
      ? [`            - name: ${portName}`, `              containerPort: ${number}`]
      : [`            - containerPort: ${number}`];
  });
  return (
    [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      `  name: ${name}`,
      `  namespace: ${namespace}`,
      'spec:',
      '  selector:',
      '    matchLabels:',
      ...lines('      '),
      '  template:',
      '    metadata:',
      '      labels:',
      ...lines('        '),
      '    spec:',
      ...spec.map((l) => `      ${l}`),
      '      containers:',
      `        - name: ${name}`,
      `          image: example/${name}`,
      ...(portLines.length ? ['          ports:', ...portLines] : []),
    ].join('\n') + '\n'
  );
}

export function namespaceManifest(name: string, labels: Readonly<Record<string, string>> = {}): string {
  const entries = Object.entries(labels);
  return `apiVersion: v1
kind: Namespace
metadata:
  name: ${name}${entries.length ? `\n  labels:\n${entries.map(([k, v]) => `    ${k}: ${v}`).join('\n')}` : ''}
`;
}

export function docs(...parts: string[]): string {
  return parts.map((p) => p.replace(/\n+$/, '')).join('\n---\n') + '\n';
}
