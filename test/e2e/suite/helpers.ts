// Small helpers for extension-host tests (they run inside VS Code, with the vscode API).
import * as vscode from 'vscode';

export const EXTENSION_ID = 'netreach.netreach';

/**
 * A file of the opened workspace folder: a copy of test/e2e/fixtures/workspace with the
 * repo's examples/ in it as `examples/` (the harness prepares out/e2e-workspace).
 */
export function workspaceFile(relativePath: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('no workspace folder is open; the harness opens out/e2e-workspace');
  return vscode.Uri.joinPath(folder.uri, relativePath);
}

/**
 * Polls `condition` until it returns a truthy value (which is returned) or the timeout
 * passes; the error says what was awaited and, via `describe`, what was seen last.
 */
export async function waitUntil<T>(
  what: string,
  condition: () => T | Promise<T>,
  options: { timeoutMs?: number; intervalMs?: number; describe?: () => string } = {},
): Promise<T> {
  const { timeoutMs = 10_000, intervalMs = 50 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) {
      const seen = options.describe ? `; last seen: ${options.describe()}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${seen}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** What netreach's activate() returns (client/src/extension.ts NetreachApi), as far as tests use it. */
export interface NetreachApi {
  client(): { isStarted: boolean } | undefined;
  readonly view: {
    readonly isVisible: boolean;
    readonly lastResult: { kind: string; title?: string; [key: string]: unknown } | undefined;
  };
}

/** Opens a YAML file of the workspace in an editor and returns netreach's API once it is active. */
export async function activateWith(relativePath = 'policy.yaml'): Promise<{
  api: NetreachApi;
  editor: vscode.TextEditor;
}> {
  const extension = vscode.extensions.getExtension<NetreachApi>(EXTENSION_ID);
  if (!extension) throw new Error(`extension ${EXTENSION_ID} is not installed`);
  const editor = await openEditor(relativePath);
  await waitUntil(`${EXTENSION_ID} to be active after opening ${relativePath}`, () => extension.isActive, {
    timeoutMs: 20_000,
    describe: () => `isActive=${extension.isActive}`,
  });
  return { api: extension.exports, editor };
}

export async function openEditor(relativePath: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(workspaceFile(relativePath));
  return vscode.window.showTextDocument(document);
}

/** The code of a diagnostic as text (`NR020`), whatever shape VS Code gives it. */
export function codeOf(diagnostic: vscode.Diagnostic): string {
  const code = diagnostic.code;
  return typeof code === 'object' && code !== null ? String(code.value) : String(code ?? '');
}

/** Diagnostics netreach published for a document (its own and its schema validation). */
export function netreachDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source?.startsWith('netreach'));
}

/** One line per diagnostic, for error messages: `17:3 NR020 error These egress rules…`. */
export function describeDiagnostics(diagnostics: readonly vscode.Diagnostic[]): string {
  if (diagnostics.length === 0) return '(no diagnostics)';
  const severity = ['error', 'warning', 'info', 'hint'];
  return diagnostics
    .map(
      (d) =>
        `${d.range.start.line + 1}:${d.range.start.character + 1} ${codeOf(d)} ${severity[d.severity]} [${d.source}] ${d.message.slice(0, 100)}`,
    )
    .join(' | ');
}

/** Waits until netreach's diagnostics for `uri` satisfy `accept`; returns them. */
export function waitForDiagnostics(
  uri: vscode.Uri,
  expected: string,
  accept: (diagnostics: vscode.Diagnostic[]) => boolean,
  timeoutMs = 20_000,
): Promise<vscode.Diagnostic[]> {
  let last: vscode.Diagnostic[] = [];
  return waitUntil(
    `diagnostics of ${vscode.workspace.asRelativePath(uri)}: ${expected}`,
    () => {
      last = netreachDiagnostics(uri);
      return accept(last);
    },
    { timeoutMs, describe: () => describeDiagnostics(last) },
  ).then(() => last);
}

/** The text of hovers (markdown and plain strings joined). */
export function hoverText(hovers: readonly vscode.Hover[]): string {
  return hovers
    .flatMap((hover) => hover.contents)
    .map((content) => (typeof content === 'string' ? content : content.value))
    .join('\n---\n');
}
