// Hovers: on a policy's podSelector, netreach lists the workloads the policy selects and
// what it lets in; on a workload, who can reach it.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateWith, hoverText, waitUntil, workspaceFile } from './helpers';

/** Asks the hover providers at a 1-based position until netreach's answer contains `expected`. */
async function hoverUntil(file: string, line: number, column: number, expected: string): Promise<string> {
  const uri = workspaceFile(file);
  const document = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(document);
  const position = new vscode.Position(line - 1, column - 1);
  let text = '';
  // Polled: a hover asked before the server indexed the workspace has less to say.
  await waitUntil(
    `a hover at ${file}:${line}:${column} (on "${document.lineAt(line - 1).text.trim()}") containing ${JSON.stringify(expected)}`,
    async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position);
      text = hoverText(hovers ?? []);
      return text.includes(expected);
    },
    { timeoutMs: 20_000, intervalMs: 250, describe: () => JSON.stringify(text.slice(0, 600)) },
  );
  return text;
}

describe('hovers', () => {
  before(async () => {
    await activateWith('examples/common-mistakes/namespace.yaml');
  });

  it("on a policy's podSelector: the selected workloads and what the policy lets in", async () => {
    // or-instead-of-and.yaml line 10 is `  podSelector:` of legacy/metrics-from-prometheus.
    const text = await hoverUntil(
      'examples/common-mistakes/or-instead-of-and.yaml',
      10,
      5,
      'legacy/backend[Deployment]',
    );
    assert.match(text, /NetworkPolicy legacy\/metrics-from-prometheus/, text);
    assert.match(text, /Selects 1 workload/, text);
    assert.match(text, /namespace\.yaml:\d+/, `the hover says where the workload is defined: ${text}`);
    assert.match(text, /Lets in/, text);
    assert.ok(!text.includes('legacy/frontend[Deployment]'), `frontend is not selected: ${text}`);
  });

  it('on the podSelector of a policy selecting two workloads of the namespace', async () => {
    // dns-udp-only.yaml: `podSelector: matchLabels: {}` selects every pod of legacy.
    const text = await hoverUntil('examples/common-mistakes/dns-udp-only.yaml', 10, 5, 'legacy/frontend[Deployment]');
    assert.match(text, /Selects 2 workloads/, text);
    assert.ok(text.includes('legacy/backend[Deployment]'), text);
    assert.match(text, /Lets out/, text);
  });
});
