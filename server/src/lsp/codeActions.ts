/**
 * Code actions from the fixes recorded while linting: each fix of a diagnostic as a
 * `quickfix`, "fix all of this kind in the file", `source.fixAll.netreach`, and a comment
 * that silences one occurrence. Dispatch is on the finding key in `Diagnostic.data`,
 * never on message text.
 */
import {
  CodeActionKind,
  type CodeAction,
  type CodeActionParams,
  type Diagnostic,
  type TextEdit as LspTextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import {
  applyEdits,
  fixesOf,
  indentOfLine,
  lineStartOf,
  offsetAt,
  parseFile,
  type Finding,
  type Fix,
  type TextEdit,
  type Workspace,
} from '../engine';
import type { FileFindings } from './analysis';
import { findingKey, type DiagnosticData } from './diagnostics';
import { rangeOf } from './positions';

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.netreach`;

export function codeActions(result: FileFindings, params: CodeActionParams): CodeAction[] {
  const uri = params.textDocument.uri;
  const file = result.workspace.files.get(uri)?.file;
  if (!file) return [];
  const findings = result.findingsByUri.get(uri) ?? [];
  const byKey = new Map(findings.map((f) => [findingKey(f), f]));
  const only = params.context.only;
  const wants = (kind: string) => !only || only.some((o) => kind === o || kind.startsWith(`${o}.`));
  const actions: CodeAction[] = [];

  if (wants(CodeActionKind.QuickFix)) {
    const seenKinds = new Set<string>();
    for (const diagnostic of params.context.diagnostics) {
      if (diagnostic.source !== 'netreach') continue;
      const key = (diagnostic.data as DiagnosticData | undefined)?.key;
      const finding = key ? byKey.get(key) : undefined;
      if (!finding) continue;
      for (const fix of fixesOf(finding)) {
        actions.push({
          title: fix.title,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          isPreferred: fix.preferred === true,
          edit: workspaceEdit(result.workspace, fix.edits),
        });
      }
      const sameKind = findings.filter((f) => f.code === finding.code && preferredFix(f));
      if (sameKind.length > 1 && !seenKinds.has(finding.code)) {
        seenKinds.add(finding.code);
        // Fixes that would break the YAML are left out: offer nothing rather than an action that does nothing.
        const edits = combine(
          sameKind.map((f) => preferredFix(f)!),
          textOf(result.workspace),
        );
        if (edits.length > 0) {
          actions.push({
            title: `Fix all ${finding.code} problems in this file`,
            kind: CodeActionKind.QuickFix,
            diagnostics: [diagnostic],
            edit: workspaceEdit(result.workspace, edits),
          });
        }
      }
      actions.push(suppressAction(result.workspace, finding, diagnostic));
    }
  }

  if (wants(FIX_ALL_KIND)) {
    const edits = combine(
      findings.flatMap((f) => preferredFix(f) ?? []),
      textOf(result.workspace),
    );
    if (edits.length > 0) {
      actions.push({
        title: 'Fix all netreach problems that have a safe fix',
        kind: FIX_ALL_KIND,
        edit: workspaceEdit(result.workspace, edits),
      });
    }
  }
  return actions;
}

export function preferredFix(finding: Finding): Fix | undefined {
  return fixesOf(finding).find((f) => f.preferred);
}

/**
 * Edits of several fixes, dropping any that overlaps one already taken, or that would
 * break the YAML together with them (when `textOf` gives the files' text): two fixes can
 * touch different places yet add the same key to one mapping, e.g. merging two peers
 * while another fix adds a namespaceSelector to the second.
 */
export function combine(
  fixes: readonly Fix[],
  textOf: (uri: string) => string | undefined = () => undefined,
): TextEdit[] {
  const taken: TextEdit[] = [];
  for (const fix of fixes) {
    const overlaps = fix.edits.some((e) =>
      taken.some(
        (t) => t.uri === e.uri && e.start < Math.max(t.end, t.start + 1) && t.start < Math.max(e.end, e.start + 1),
      ),
    );
    if (!overlaps && !breaksYaml(taken, fix.edits, textOf)) taken.push(...fix.edits);
  }
  return taken;
}

function breaksYaml(
  taken: readonly TextEdit[],
  edits: readonly TextEdit[],
  textOf: (uri: string) => string | undefined,
): boolean {
  const errors = (text: string) => parseFile({ uri: '', text }).syntaxFindings.length;
  for (const uri of new Set(edits.map((e) => e.uri))) {
    const text = textOf(uri);
    if (text === undefined) continue;
    const before = taken.filter((t) => t.uri === uri);
    if (errors(applyEdits(text, [...before, ...edits.filter((e) => e.uri === uri)])) > errors(applyEdits(text, before)))
      return true;
  }
  return false;
}

function textOf(workspace: Workspace): (uri: string) => string | undefined {
  return (uri) => workspace.files.get(uri)?.file.text;
}

function suppressAction(workspace: Workspace, finding: Finding, diagnostic: Diagnostic): CodeAction {
  const file = workspace.files.get(finding.span.uri)!.file;
  const start = offsetAt(file, diagnostic.range.start);
  const lineStart = lineStartOf(file.text, start);
  const indent = indentOfLine(file.text, start);
  const edit: TextEdit = {
    uri: finding.span.uri,
    start: lineStart,
    end: lineStart,
    text: `${indent}# netreach-disable-next-line ${finding.code}\n`,
  };
  return {
    title: `Silence ${finding.code} for this line`,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    edit: workspaceEdit(workspace, [edit]),
  };
}

export function workspaceEdit(workspace: Workspace, edits: readonly TextEdit[]): WorkspaceEdit {
  const changes: Record<string, LspTextEdit[]> = {};
  for (const edit of edits) {
    const file = workspace.files.get(edit.uri)?.file;
    if (!file) continue;
    (changes[edit.uri] ??= []).push({ range: rangeOf(file, edit.start, edit.end), newText: edit.text });
  }
  return { changes };
}
