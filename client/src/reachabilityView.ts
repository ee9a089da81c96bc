/**
 * The reachability view: a webview showing, for one workload, who reaches it and what
 * it reaches, or a matrix for a namespace or file. Clicking a connection explains it,
 * with links to the deciding policies and rules. Probe results (observed next to
 * predicted) are shown in the same view.
 */
import * as vscode from 'vscode';
import type { ExplainResult, LocationDto, ReachabilityResult } from '../../server/src/protocol';
import type { NetreachClient } from './netreachClient';
import { renderExplanation, renderProbeResults, renderReachability, type ProbeRow } from './viewHtml';

type FromWebview = { type: 'explain'; from: string; to: string } | { type: 'open'; location: LocationDto };

export class ReachabilityView {
  private panel: vscode.WebviewPanel | undefined;
  /** The last content shown, for tests and for refreshing. */
  lastResult: ReachabilityResult | { kind: 'probe'; rows: readonly ProbeRow[] } | undefined;
  lastExplanation: ExplainResult | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly client: NetreachClient,
  ) {}

  /** Shows the reachability of what is under the cursor, or of a file picked in the explorer. */
  async showFor(uri?: vscode.Uri): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    const target = uri ?? editor?.document.uri;
    if (!target) {
      void vscode.window.showInformationMessage('netreach: open a YAML file with NetworkPolicies or workloads first.');
      return;
    }
    const position =
      editor && editor.document.uri.toString() === target.toString() && !uri ? editor.selection.active : undefined;
    const result = await this.client.reachability({
      uri: target.toString(),
      position: position ? { line: position.line, character: position.character } : undefined,
    });
    this.show(
      result ?? {
        kind: 'none',
        title: 'Reachability',
        message: 'The netreach server gave no answer; see the netreach output.',
      },
    );
  }

  show(result: ReachabilityResult): void {
    this.lastResult = result;
    this.lastExplanation = undefined;
    this.render(renderReachability(result, this.nonce()), `netreach: ${result.title}`);
  }

  showProbe(title: string, rows: readonly ProbeRow[], summary: string): void {
    this.lastResult = { kind: 'probe', rows };
    this.render(renderProbeResults(title, rows, summary, this.nonce()), `netreach: ${title}`);
  }

  private currentNonce = '';

  private nonce(): string {
    this.currentNonce = Array.from({ length: 24 }, () => Math.floor(Math.random() * 36).toString(36)).join('');
    return this.currentNonce;
  }

  private render(html: string, title: string): void {
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel('netreach.reachability', title, vscode.ViewColumn.Beside, {
        enableScripts: true,
        enableFindWidget: true,
        retainContextWhenHidden: true,
        localResourceRoots: [],
      });
      this.panel.onDidDispose(() => (this.panel = undefined), undefined, this.context.subscriptions);
      this.panel.webview.onDidReceiveMessage(
        (message: FromWebview) => this.receive(message),
        undefined,
        this.context.subscriptions,
      );
    }
    this.panel.title = title;
    this.panel.webview.html = html;
    this.panel.reveal(undefined, true);
  }

  get isVisible(): boolean {
    return this.panel !== undefined;
  }

  private async receive(message: FromWebview): Promise<void> {
    if (message.type === 'open') {
      await openLocation(message.location);
    } else if (message.type === 'explain') {
      await this.explain(message.from, message.to);
    }
  }

  async explain(from: string, to: string): Promise<void> {
    const result = await this.client.explain({ from, to });
    if (!result || 'error' in result) {
      void vscode.window.showWarningMessage(
        `netreach: ${result && 'error' in result ? result.error : 'no explanation'}`,
      );
      return;
    }
    this.lastExplanation = result;
    void this.panel?.webview.postMessage({ type: 'explanation', html: renderExplanation(result) });
  }
}

export async function openLocation(location: LocationDto): Promise<void> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(location.uri));
  const range = new vscode.Range(
    location.range.start.line,
    location.range.start.character,
    location.range.end.line,
    location.range.end.character,
  );
  await vscode.window.showTextDocument(document, { selection: range, viewColumn: vscode.ViewColumn.One });
}
