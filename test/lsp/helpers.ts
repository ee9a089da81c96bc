/**
 * Helpers for the language-server tests: fixture workspaces copied to temporary folders,
 * positions found by text or by a caret marker, an applier for the WorkspaceEdits the
 * server returns, and small wrappers over the requests the tests send.
 */
import { strict as assert } from 'node:assert';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type {
  CodeAction,
  CompletionItem,
  CompletionList,
  Diagnostic,
  Hover,
  Position,
  Range,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver-protocol';
import { fileUri, LspClient, ROOT, type StartOptions } from './lspClient';

export const EXAMPLES = path.join(ROOT, 'examples');
export const LSP_FIXTURES = path.join(ROOT, 'test', 'fixtures', 'lsp');

/** A workspace folder in the temporary directory, removed by `dispose`. */
export class TempWorkspace {
  readonly dir: string;

  /**
   * `from`: folders or files to copy in (a folder's content lands at the root, unless a
   * target name is given as `[source, target]`), and files to write (`{ 'a.yaml': text }`).
   */
  constructor(...from: (string | [string, string] | Readonly<Record<string, string>>)[]) {
    this.dir = mkdtempSync(path.join(tmpdir(), 'netreach-lsp-'));
    for (const item of from) {
      if (typeof item === 'string') cpSync(item, this.dir, { recursive: true });
      else if (Array.isArray(item)) cpSync(item[0], path.join(this.dir, item[1]), { recursive: true });
      else for (const [name, text] of Object.entries(item)) this.write(name, text);
    }
  }

  path(relative: string): string {
    return path.join(this.dir, relative);
  }

  uri(relative: string): string {
    return fileUri(this.path(relative));
  }

  read(relative: string): string {
    return readFileSync(this.path(relative), 'utf8');
  }

  write(relative: string, text: string): string {
    mkdirSync(path.dirname(this.path(relative)), { recursive: true });
    writeFileSync(this.path(relative), text);
    return this.uri(relative);
  }

  remove(relative: string): string {
    unlinkSync(this.path(relative));
    return this.uri(relative);
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Starts the server on a workspace; `stop` ends both. */
export async function startOn(
  workspace: TempWorkspace,
  options: Omit<StartOptions, 'folder'> = {},
): Promise<LspClient> {
  return LspClient.start({ folder: workspace.dir, ...options });
}

/** The LSP position (UTF-16) of an offset. */
export function positionAt(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

export function offsetAt(text: string, position: Position): number {
  let offset = 0;
  for (let line = 0; line < position.line; line++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  const lineEnd = text.indexOf('\n', offset);
  return Math.min(offset + position.character, lineEnd < 0 ? text.length : lineEnd);
}

/**
 * The position of the `occurrence`th (0-based) match of `needle`, moved `delta` characters
 * from its start. A `‸` inside the needle marks the place instead: `find(t, 'app: ‸web')`.
 */
export function find(text: string, needle: string, occurrence = 0, delta = 0): Position {
  const caret = needle.indexOf('‸');
  const plain = needle.replace('‸', '');
  let at = -1;
  for (let i = 0; i <= occurrence; i++) {
    at = text.indexOf(plain, at + 1);
    assert.ok(at >= 0, `"${plain}" (occurrence ${occurrence}) not found in:\n${text}`);
  }
  return positionAt(text, at + (caret >= 0 ? caret : 0) + delta);
}

/** The text a range covers. */
export function textOf(text: string, range: Range): string {
  return text.slice(offsetAt(text, range.start), offsetAt(text, range.end));
}

/** Applies LSP text edits (all against the original text, as the protocol says). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const located = edits.map((e, i) => ({
    start: offsetAt(text, e.range.start),
    end: offsetAt(text, e.range.end),
    text: e.newText,
    i,
  }));
  located.sort((a, b) => a.start - b.start || a.i - b.i);
  for (let i = 1; i < located.length; i++) {
    assert.ok(located[i].start >= located[i - 1].end, `overlapping edits: ${JSON.stringify(edits)}`);
  }
  let result = text;
  for (const edit of [...located].reverse()) result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
  return result;
}

/** The text of `uri` after a WorkspaceEdit; asserts the edit touches no other file. */
export function applyWorkspaceEdit(edit: WorkspaceEdit | undefined, uri: string, text: string): string {
  assert.ok(edit, 'the code action has no edit');
  const changes = edit.changes ?? {};
  const documentChanges = (edit.documentChanges ?? []) as { textDocument: { uri: string }; edits: TextEdit[] }[];
  const uris = new Set([...Object.keys(changes), ...documentChanges.map((c) => c.textDocument.uri)]);
  assert.deepEqual([...uris], [uri], 'the edit should change this file only');
  const edits = [...(changes[uri] ?? []), ...documentChanges.flatMap((c) => c.edits)];
  return applyEdits(text, edits);
}

/** The texts of every file a WorkspaceEdit changes; `textOf` gives the current text of a file. */
export function applyWorkspaceEditAll(
  edit: WorkspaceEdit | undefined,
  textOf: (uri: string) => string,
): Map<string, string> {
  assert.ok(edit, 'the code action has no edit');
  const byUri = new Map<string, TextEdit[]>();
  for (const [uri, edits] of Object.entries(edit.changes ?? {})) byUri.set(uri, [...edits]);
  for (const change of (edit.documentChanges ?? []) as { textDocument?: { uri: string }; edits?: TextEdit[] }[]) {
    assert.ok(change.textDocument && change.edits, `unsupported document change ${JSON.stringify(change)}`);
    byUri.set(change.textDocument.uri, [...(byUri.get(change.textDocument.uri) ?? []), ...change.edits]);
  }
  return new Map([...byUri].map(([uri, edits]) => [uri, applyEdits(textOf(uri), edits)]));
}

/** Asserts that every document of the text parses as YAML. */
export function assertParses(text: string): void {
  for (const document of parseAllDocuments(text)) {
    if (!('errors' in document)) continue;
    assert.deepEqual(
      document.errors.map((e) => e.message),
      [],
      `the YAML does not parse any more:\n${text}`,
    );
  }
}

export function codes(diagnostics: readonly Diagnostic[] | undefined): string[] {
  return (diagnostics ?? []).map((d) => String(d.code));
}

export function netreachOnly(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => d.source === 'netreach');
}

export function hover(client: LspClient, uri: string, position: Position): Promise<Hover | null> {
  return client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position });
}

export async function hoverText(client: LspClient, uri: string, position: Position): Promise<string> {
  const result = await hover(client, uri, position);
  const contents = result?.contents;
  if (!contents) return '';
  if (typeof contents === 'string') return contents;
  if (Array.isArray(contents)) return contents.map((c) => (typeof c === 'string' ? c : c.value)).join('\n');
  return contents.value;
}

export async function complete(client: LspClient, uri: string, position: Position): Promise<CompletionItem[]> {
  const result: CompletionItem[] | CompletionList | null = await client.connection.sendRequest(
    'textDocument/completion',
    {
      textDocument: { uri },
      position,
    },
  );
  if (!result) return [];
  return Array.isArray(result) ? result : result.items;
}

export function labels(items: readonly CompletionItem[]): string[] {
  return items.map((i) => i.label);
}

export function codeActions(
  client: LspClient,
  uri: string,
  range: Range,
  diagnostics: readonly Diagnostic[],
  only?: string[],
): Promise<CodeAction[]> {
  return client.connection
    .sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range,
      context: { diagnostics, ...(only ? { only } : {}) },
    })
    .then((r) => (r ?? []) as CodeAction[]);
}

/** Waits for the first complete analysis after initialize. */
export function ready(client: LspClient, timeoutMs = 60000): Promise<void> {
  return client.waitFor('the first analysis', () => client.statusCount('ready') > 0, timeoutMs);
}

/** Runs `action` and waits until the server finished analysing what it changed. */
export async function settled(
  client: LspClient,
  action: () => void | Promise<void>,
  timeoutMs?: number,
): Promise<void> {
  const before = client.statusCount('ready');
  await action();
  await client.waitFor('analysis after the change', () => client.statusCount('ready') > before, timeoutMs);
}
