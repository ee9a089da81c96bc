/**
 * Fixtures for the check tests: inline YAML with «» around the span a finding must have,
 * linted with every check; fixes applied to the text, re-linted and re-parsed; and the
 * same fixture in other indentation styles (2 or 4 spaces, lists indented under their
 * key or not), so fixes are checked to write YAML in the file's own style.
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

/** Strips «» markers, returning the clean text and the marked spans. */
export function unmark(input: string): { text: string; spans: { start: number; end: number }[] } {
  let text = '';
  const spans: { start: number; end: number }[] = [];
  const open: number[] = [];
  for (const ch of input) {
    if (ch === '«') open.push(spans.push({ start: text.length, end: -1 }) - 1);
    else if (ch === '»') spans[open.pop()!].end = text.length;
    else text += ch;
  }
  assert.equal(open.length, 0, 'unbalanced « in fixture');
  return { text, spans };
}

export type Files = string | Readonly<Record<string, string>>;

/** The files of a fixture: `test.yaml` for a single string; dedented, markers kept. */
export function filesOf(files: Files): Record<string, string> {
  const raw = typeof files === 'string' ? { 'test.yaml': files } : files;
  return Object.fromEntries(Object.entries(raw).map(([uri, text]) => [uri, dedent(text)]));
}

export function lint(texts: Readonly<Record<string, string>>): readonly Finding[] {
  const workspace = buildWorkspace(Object.entries(texts).map(([uri, text]) => ({ uri, text })));
  return lintWorkspace(workspace).findings;
}

/**
 * Lints a fixture and checks the findings of `code`: exactly one per «» span of the first
 * file (none when the fixture has no markers), with that severity.
 */
export function expectFindings(files: Files, code: string, severity: Severity): Finding[] {
  const marked = filesOf(files);
  const texts: Record<string, string> = {};
  const expected: { uri: string; text: string; start: number; end: number }[] = [];
  for (const [uri, raw] of Object.entries(marked)) {
    const { text, spans } = unmark(raw);
    texts[uri] = text;
    for (const s of spans) expected.push({ uri, text: text.slice(s.start, s.end), ...s });
  }
  const findings = lint(texts).filter((f) => f.code === code);
  const describe = (f: Finding) =>
    `${f.span.uri}:${f.span.start}-${f.span.end} ${JSON.stringify(texts[f.span.uri]?.slice(f.span.start, f.span.end))}: ${f.message}`;
  assert.deepEqual(
    findings.map((f) => ({
      uri: f.span.uri,
      start: f.span.start,
      end: f.span.end,
      text: texts[f.span.uri].slice(f.span.start, f.span.end),
    })),
    expected.map((e) => ({ uri: e.uri, start: e.start, end: e.end, text: e.text })),
    `${code} findings:\n${findings.map(describe).join('\n') || '(none)'}`,
  );
  for (const f of findings) {
    assert.equal(f.severity, severity, describe(f));
    assert.ok(f.message.length > 20 && !f.message.includes('undefined'), `message: ${f.message}`);
  }
  return findings;
}

export interface Style {
  readonly name: string;
  readonly indent: 2 | 4;
  readonly indentSeq: boolean;
}

export const STYLES: readonly Style[] = [
  { name: '2 spaces, lists indented', indent: 2, indentSeq: true },
  { name: '2 spaces, lists not indented', indent: 2, indentSeq: false },
  { name: '4 spaces, lists indented', indent: 4, indentSeq: true },
];

/** The text rewritten in a style by the yaml package (comments kept). */
export function restyle(text: string, style: Style): string {
  const documents = parseAllDocuments(text);
  assert.ok(Array.isArray(documents), 'fixture does not parse');
  return documents
    .map((d, i) => {
      const out = d.toString({
        indent: style.indent,
        indentSeq: style.indentSeq,
        lineWidth: 0,
        flowCollectionPadding: false,
      });
      return i > 0 && !out.startsWith('---') ? `---\n${out}` : out;
    })
    .join('');
}

function comments(text: string): string[] {
  return text
    .split('\n')
    .map((l) => /#.*$/.exec(l)?.[0].trim())
    .filter((c): c is string => c !== undefined);
}

export interface FixExpectation {
  /** The fix to apply: by title (a substring or a pattern); the only or the preferred one by default. */
  readonly title?: string | RegExp;
  /** The fix must (not) be the preferred one. */
  readonly preferred?: boolean;
  /** The whole first file after the fix, when checked exactly. */
  readonly expected?: string;
  /** Text the fixed file must contain. */
  readonly contains?: string;
  /** Findings of `code` left after the fix (default none). */
  readonly remaining?: number;
}

/** The fix of the first finding of `code` in the first file, matched as asked. */
export function pickFix(
  findings: readonly Finding[],
  code: string,
  expectation: FixExpectation,
): { finding: Finding; fix: Fix } {
  const finding = findings.find((f) => f.code === code);
  assert.ok(finding, `no ${code} finding; have ${findings.map((f) => f.code).join(', ')}`);
  const fixes = fixesOf(finding);
  const titles = fixes.map((f) => `${f.title}${f.preferred ? ' (preferred)' : ''}`).join('\n  ');
  let fix: Fix | undefined;
  if (expectation.title !== undefined) {
    const t = expectation.title;
    fix = fixes.find((f) => (typeof t === 'string' ? f.title.includes(t) : t.test(f.title)));
  } else {
    fix = fixes.length === 1 ? fixes[0] : fixes.find((f) => f.preferred);
  }
  assert.ok(
    fix,
    `${code}: no fix matching ${String(expectation.title ?? 'the preferred one')}; fixes:\n  ${titles || '(none)'}`,
  );
  if (expectation.preferred !== undefined)
    assert.equal(!!fix.preferred, expectation.preferred, `${code} fix "${fix.title}" preferred`);
  return { finding, fix };
}

/**
 * Applies a fix of the first `code` finding and checks: the finding is gone, every file
 * still parses without errors, comments are kept, and (when given) the exact result.
 * Returns the fixed first file.
 */
export function expectFix(files: Files, code: string, expectation: FixExpectation = {}): string {
  const texts = Object.fromEntries(Object.entries(filesOf(files)).map(([uri, t]) => [uri, unmark(t).text]));
  const before = lint(texts);
  const { fix } = pickFix(before, code, expectation);
  const fixed: Record<string, string> = { ...texts };
  for (const uri of new Set(fix.edits.map((e) => e.uri))) {
    fixed[uri] = applyEdits(
      texts[uri],
      fix.edits.filter((e) => e.uri === uri),
    );
  }
  const first = Object.keys(texts)[0];
  for (const [uri, text] of Object.entries(fixed)) {
    const documents = parseAllDocuments(text);
    const errors = Array.isArray(documents) ? documents.flatMap((d) => d.errors.map((e) => e.message)) : ['not parsed'];
    assert.deepEqual(errors, [], `${uri} does not parse after "${fix.title}":\n${text}`);
    for (const comment of comments(texts[uri])) {
      assert.ok(text.includes(comment), `comment ${comment} lost by "${fix.title}":\n${text}`);
    }
  }
  const after = lint(fixed);
  const left = after.filter((f) => f.code === code);
  const countBefore = before.filter((f) => f.code === code).length;
  assert.equal(
    left.length,
    expectation.remaining ?? countBefore - 1,
    `${code} after "${fix.title}":\n${left.map((f) => f.message).join('\n')}\n${fixed[first]}`,
  );
  // A fix must not introduce API errors.
  const errorsBefore = before.filter((f) => f.severity === 'error' && f.code !== code).length;
  const errorsAfter = after.filter((f) => f.severity === 'error' && f.code !== code);
  assert.ok(
    errorsAfter.length <= errorsBefore,
    `"${fix.title}" introduced errors: ${errorsAfter.map((f) => `${f.code} ${f.message}`).join('\n')}\n${fixed[first]}`,
  );
  if (expectation.expected !== undefined) assert.equal(fixed[first], dedent(expectation.expected), `"${fix.title}"`);
  if (expectation.contains !== undefined) {
    assert.ok(
      containsBlock(fixed[first], expectation.contains),
      `"${fix.title}" result lacks:\n${dedent(expectation.contains)}---\n${fixed[first]}`,
    );
  }
  return fixed[first];
}

/** Whether `text` has the lines of `block` (dedented), at any common indentation. */
export function containsBlock(text: string, block: string): boolean {
  const wanted = dedent(block).trimEnd().split('\n');
  if (wanted.length === 1) return text.includes(wanted[0].trim());
  const lines = text.split('\n');
  return lines.some((line, i) => {
    if (!line.endsWith(wanted[0])) return false;
    const base = line.slice(0, line.length - wanted[0].length);
    return /^ *$/.test(base) && wanted.every((w, k) => lines[i + k] === base + w);
  });
}

/**
 * The same fix in every style: the fixture is restyled, fixed, and the result must be
 * what the yaml package writes in that style (the fix wrote YAML in the file's style).
 */
export function expectFixInEveryStyle(files: Files, code: string, expectation: FixExpectation = {}): void {
  const plain = Object.fromEntries(Object.entries(filesOf(files)).map(([uri, t]) => [uri, unmark(t).text]));
  for (const style of STYLES) {
    const styled = Object.fromEntries(Object.entries(plain).map(([uri, t]) => [uri, restyle(t, style)]));
    const first = Object.keys(styled)[0];
    assert.equal(restyle(styled[first], style), styled[first], `fixture not stable in style ${style.name}`);
    const fixed = expectFix(styled, code, { ...expectation, expected: undefined, contains: undefined });
    assert.equal(
      fixed,
      restyle(fixed, style),
      `${code} fix in style "${style.name}" does not follow the file's style:\n${fixed}`,
    );
  }
}
