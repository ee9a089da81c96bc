/**
 * Findings as LSP diagnostics, pushed (`textDocument/publishDiagnostics`) to clients that
 * do not pull, and served to those that do (`textDocument/diagnostic`,
 * `workspace/diagnostic`). A diagnostic carries the key of its finding in `data`, so
 * code actions find the fixes recorded while linting.
 */
import {
  DiagnosticSeverity,
  DiagnosticTag,
  type Connection,
  type Diagnostic,
  type DocumentDiagnosticReport,
  type WorkspaceDocumentDiagnosticReport,
} from 'vscode-languageserver';
import { docsUrl, type Finding, type ParsedFile, type Span, type Workspace } from '../engine';
import type { FileFindings } from './analysis';
import { locationOf, rangeOf } from './positions';

const SEVERITY = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

export interface DiagnosticData {
  readonly key: string;
}

export function findingKey(finding: Finding): string {
  return `${finding.code}:${finding.span.start}:${finding.span.end}`;
}

export function toDiagnostic(workspace: Workspace, finding: Finding): Diagnostic | undefined {
  const file = workspace.files.get(finding.span.uri)?.file;
  if (!file) return undefined;
  const related = (finding.related ?? []).flatMap((r) => {
    const location = locationOf(workspace, r.span);
    return location ? [{ location, message: r.message }] : [];
  });
  const data: DiagnosticData = { key: findingKey(finding) };
  return {
    range: rangeOf(file, finding.span.start, finding.span.end),
    severity: SEVERITY[finding.severity],
    code: finding.code,
    codeDescription: { href: docsUrl(finding.code) },
    source: 'netreach',
    message: finding.message,
    ...(related.length ? { relatedInformation: related } : {}),
    ...(finding.code === 'NR026' || finding.code === 'NR034' ? { tags: [DiagnosticTag.Unnecessary] } : {}),
    data,
  };
}

/** Diagnostics of one file: netreach's findings plus extra ones (schema validation of open documents). */
export function diagnosticsFor(result: FileFindings, uri: string, extra: readonly Diagnostic[] = []): Diagnostic[] {
  const own = (result.findingsByUri.get(uri) ?? []).flatMap((f) => toDiagnostic(result.workspace, f) ?? []);
  return [...own, ...extra];
}

/**
 * The diagnostics of each file, built again only when its findings changed: after an edit
 * most files' findings are equal to the last ones (new objects, same content), and their
 * positions are the same while the files involved are the same parsed files. The same
 * array is then returned, so `DiagnosticsState` knows it unchanged without comparing.
 */
export class DiagnosticsMemo {
  private readonly byUri = new Map<
    string,
    {
      readonly findings: readonly Finding[];
      readonly files: readonly (ParsedFile | undefined)[];
      readonly diagnostics: Diagnostic[];
    }
  >();

  of(result: FileFindings, uri: string): Diagnostic[] {
    const findings = result.findingsByUri.get(uri) ?? [];
    const uris = [uri, ...new Set(findings.flatMap((f) => (f.related ?? []).map((r) => r.span.uri)))];
    const files = uris.map((u) => result.workspace.files.get(u)?.file);
    const previous = this.byUri.get(uri);
    if (
      previous &&
      previous.files.length === files.length &&
      previous.files.every((f, i) => f === files[i]) &&
      sameFindings(previous.findings, findings)
    ) {
      return previous.diagnostics;
    }
    const diagnostics = diagnosticsFor(result, uri);
    this.byUri.set(uri, { findings, files, diagnostics });
    return diagnostics;
  }
}

/** Equal in everything a diagnostic shows (positions aside, which the files decide). */
function sameFindings(a: readonly Finding[], b: readonly Finding[]): boolean {
  return (
    a.length === b.length &&
    a.every((x, i) => {
      const y = b[i];
      const rx = x.related ?? [];
      const ry = y.related ?? [];
      return (
        x.code === y.code &&
        x.severity === y.severity &&
        sameNote(x, y) &&
        rx.length === ry.length &&
        rx.every((r, j) => sameNote(r, ry[j]))
      );
    })
  );
}

/** The same message at the same place: a finding's or a related location's. */
function sameNote(
  a: { readonly message: string; readonly span: Span },
  b: { readonly message: string; readonly span: Span },
) {
  return (
    a.message === b.message && a.span.uri === b.span.uri && a.span.start === b.span.start && a.span.end === b.span.end
  );
}

/** Remembers what each file last showed, to push or report only what changed. */
export class DiagnosticsState {
  private readonly shown = new Map<string, string>();
  /** The array last pushed per file: the same array again is the same diagnostics. */
  private readonly pushed = new Map<string, Diagnostic[]>();

  constructor(private readonly connection: Connection) {}

  /** Push mode: publish every file whose diagnostics changed (and clear those that have none left). */
  push(
    uris: Iterable<string>,
    diagnosticsOf: (uri: string) => Diagnostic[],
    versionOf: (uri: string) => number | undefined,
  ): void {
    this.pushOnly(new Set([...uris, ...this.shown.keys()]), diagnosticsOf, versionOf);
  }

  /** Push mode: publish these files if their diagnostics changed, leaving the others as shown. */
  pushOnly(
    uris: Iterable<string>,
    diagnosticsOf: (uri: string) => Diagnostic[],
    versionOf: (uri: string) => number | undefined,
  ): void {
    for (const uri of uris) {
      const diagnostics = diagnosticsOf(uri);
      if (this.pushed.get(uri) === diagnostics) continue;
      this.pushed.set(uri, diagnostics);
      const text = JSON.stringify(diagnostics);
      if ((this.shown.get(uri) ?? '[]') === text) continue;
      if (diagnostics.length === 0) this.shown.delete(uri);
      else this.shown.set(uri, text);
      void this.connection.sendDiagnostics({ uri, version: versionOf(uri), diagnostics });
    }
  }

  /** Pull mode, one document. */
  document(diagnostics: Diagnostic[], previousResultId: string | undefined): DocumentDiagnosticReport {
    const resultId = hash(JSON.stringify(diagnostics));
    if (previousResultId === resultId) return { kind: 'unchanged', resultId };
    return { kind: 'full', resultId, items: diagnostics };
  }

  /** Pull mode, every file with findings (and those that had some before). */
  workspace(
    uris: Iterable<string>,
    diagnosticsOf: (uri: string) => Diagnostic[],
    previous: ReadonlyMap<string, string>,
    versionOf: (uri: string) => number | undefined,
  ): WorkspaceDocumentDiagnosticReport[] {
    const reports: WorkspaceDocumentDiagnosticReport[] = [];
    for (const uri of new Set([...uris, ...previous.keys()])) {
      const diagnostics = diagnosticsOf(uri);
      const resultId = hash(JSON.stringify(diagnostics));
      const version = versionOf(uri) ?? null;
      if (previous.get(uri) === resultId) reports.push({ kind: 'unchanged', uri, version, resultId });
      else reports.push({ kind: 'full', uri, version, resultId, items: diagnostics });
    }
    return reports;
  }
}

/** A short stable hash (FNV-1a) for result ids. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36) + text.length.toString(36);
}
