/** "netreach: Test Reachability in Cluster": wired here; the runner comes from the cluster layer. */
import * as vscode from 'vscode';
import type { NetreachClient } from './netreachClient';
import type { ReachabilityView } from './reachabilityView';
import type { StatusBar } from './statusBar';

export function registerProbeCommand(
  _context: vscode.ExtensionContext,
  _start: () => Promise<NetreachClient>,
  _view: ReachabilityView,
  _status: StatusBar,
  _output: vscode.LogOutputChannel,
): vscode.Disposable {
  return vscode.commands.registerCommand('netreach.testReachability', async () => {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('netreach: testing against a cluster is disabled in untrusted workspaces.');
      return;
    }
    void vscode.window.showInformationMessage('netreach: cluster probing is not available yet.');
  });
}
