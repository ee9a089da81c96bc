/**
 * The netreach VS Code extension: a thin client. It starts the bundled language server
 * when the first Kubernetes YAML file appears (or a netreach command runs), and adds
 * what VS Code needs: commands, the reachability view, the status bar, the snippet
 * command. Analysis stays in the server.
 */
import * as vscode from 'vscode';
import { registerProbeCommand } from './probeCommand';
import { ReachabilityView } from './reachabilityView';
import { NetreachClient } from './netreachClient';
import { registerSnippetCommand } from './snippetCommand';
import { StatusBar } from './statusBar';

let client: NetreachClient | undefined;

/** A cheap test for Kubernetes content, so plain YAML (CI files, configs) starts nothing. */
export function looksLikeKubernetes(document: vscode.TextDocument): boolean {
  if (document.languageId !== 'yaml' && document.languageId !== 'json') return false;
  const head = document.getText().slice(0, 200_000);
  return /(^|\n)\s*"?apiVersion"?\s*:/.test(head) && /(^|\n)\s*"?kind"?\s*:/.test(head);
}

export async function activate(context: vscode.ExtensionContext): Promise<NetreachApi> {
  const output = vscode.window.createOutputChannel('netreach', { log: true });
  const status = new StatusBar(context);
  client = new NetreachClient(context, output, status);
  const view = new ReachabilityView(context, client);

  const ensureStarted = async () => {
    await client!.start();
    return client!;
  };

  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('netreach.showReachability', async (uri?: vscode.Uri) => {
      await ensureStarted();
      await view.showFor(uri);
    }),
    vscode.commands.registerCommand('netreach.restartServer', async () => {
      await client!.restart();
    }),
    vscode.commands.registerCommand('netreach.showOutput', () => output.show()),
    registerSnippetCommand(ensureStarted),
    registerProbeCommand(context, ensureStarted, view, status, output),
  );

  // Start on the first Kubernetes document, now or later.
  const maybeStart = (document: vscode.TextDocument) => {
    if (!client!.isStarted && looksLikeKubernetes(document)) void client!.start();
  };
  vscode.workspace.textDocuments.forEach(maybeStart);
  context.subscriptions.push(vscode.workspace.onDidOpenTextDocument(maybeStart));
  trackKubernetesEditor(context);
  return { client: () => client, view };
}

/**
 * Keeps the context key `netreach.kubernetesFile` true while the active editor shows
 * Kubernetes YAML, so the editor context menu offers the netreach commands there and not
 * on every YAML file (CI pipelines, configs).
 */
function trackKubernetesEditor(context: vscode.ExtensionContext): void {
  let shown: boolean | undefined;
  const update = () => {
    const document = vscode.window.activeTextEditor?.document;
    const isKubernetes = document !== undefined && looksLikeKubernetes(document);
    if (isKubernetes === shown) return;
    shown = isKubernetes;
    void vscode.commands.executeCommand('setContext', 'netreach.kubernetesFile', isKubernetes);
  };
  update();
  context.subscriptions.push(
    vscode.window.onDidChangeActiveTextEditor(update),
    vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.document === vscode.window.activeTextEditor?.document) update();
    }),
  );
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}

/** What the extension exports (used by the end-to-end tests). */
export interface NetreachApi {
  client(): NetreachClient | undefined;
  readonly view: ReachabilityView;
}
