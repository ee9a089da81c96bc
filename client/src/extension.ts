// PLACEHOLDER client, written only so the end-to-end harness (test/e2e) has something
// real to activate. The real client (LanguageClient, commands, views) replaces this file.
import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('netreach.showReachability', () => {
      // Intentionally empty until the real command exists.
    }),
  );
}

export function deactivate(): void {
  // Nothing to stop yet.
}
