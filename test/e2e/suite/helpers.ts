// Small helpers for extension-host tests (they run inside VS Code, with the vscode API).
import * as vscode from 'vscode';

export const EXTENSION_ID = 'netreach.netreach';

/** A file of the opened workspace folder (test/e2e/fixtures/workspace). */
export function workspaceFile(relativePath: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('no workspace folder is open; the harness opens test/e2e/fixtures/workspace');
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
