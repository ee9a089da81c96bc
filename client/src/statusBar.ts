/** The status bar item: analysis state, counts, and the cluster context when cluster features are on. */
import * as vscode from 'vscode';
import type { StatusParams } from '../../server/src/protocol';

export class StatusBar {
  private readonly item: vscode.StatusBarItem;
  private cluster: string | undefined;
  private last: StatusParams | { state: 'starting' } | undefined;

  constructor(context: vscode.ExtensionContext) {
    this.item = vscode.window.createStatusBarItem('netreach.status', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'netreach';
    this.item.command = 'netreach.showOutput';
    context.subscriptions.push(this.item);
  }

  update(status: StatusParams | { state: 'starting' }): void {
    this.last = status;
    this.render();
  }

  /** The kubeconfig context shown when cluster features are enabled; undefined hides it. */
  setCluster(context: string | undefined): void {
    this.cluster = context;
    this.render();
  }

  private render(): void {
    const status = this.last;
    if (!status) return;
    const cluster = this.cluster ? ` $(cloud) ${this.cluster}` : '';
    if (status.state === 'starting' || status.state === 'indexing') {
      this.item.text = `$(sync~spin) netreach${cluster}`;
      this.item.tooltip = status.state === 'starting' ? 'netreach: starting' : 'netreach: indexing manifests';
    } else if (status.state === 'analyzing') {
      this.item.text = `$(sync~spin) netreach${cluster}`;
      this.item.tooltip = 'netreach: analysing';
    } else {
      const problems = status.errors + status.warnings;
      this.item.text = `$(shield) netreach${problems ? ` ${status.errors}$(error) ${status.warnings}$(warning)` : ''}${cluster}`;
      this.item.tooltip = new vscode.MarkdownString(
        `**netreach**: ${status.policies} NetworkPolicies, ${status.workloads} workloads in ${status.files} files` +
          (this.cluster ? `\n\nCluster context: \`${this.cluster}\`` : '') +
          '\n\nClick for the server log.',
      );
    }
    this.item.show();
  }
}
