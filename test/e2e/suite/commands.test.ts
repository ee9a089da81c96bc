// Commands: everything package.json contributes is registered, menus name only real
// commands, and "netreach: Show Reachability" opens the reachability view.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, type NetreachApi, activateWith, waitUntil, workspaceFile } from './helpers';

interface Contributes {
  commands: { command: string; title: string; category?: string; enablement?: string }[];
  menus: Record<string, { command: string; when?: string }[]>;
}

const contributes = (): Contributes =>
  vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes as Contributes;

/** Tabs showing netreach's reachability webview. */
function reachabilityTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .filter(
      (tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('netreach.reachability'),
    );
}

async function closeReachabilityTabs(): Promise<void> {
  await vscode.window.tabGroups.close(reachabilityTabs());
}

describe('commands', () => {
  let api: NetreachApi;

  before(async () => {
    ({ api } = await activateWith('examples/common-mistakes/namespace.yaml'));
  });

  it('registers every contributed command', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const contributed = contributes().commands.map((c) => c.command);
    assert.deepEqual(
      contributed.filter((command) => !registered.has(command)),
      [],
      `contributed but not registered (all contributed: ${contributed.join(', ')})`,
    );
    for (const command of [
      'netreach.showReachability',
      'netreach.testReachability',
      'netreach.insertSnippet',
      'netreach.restartServer',
      'netreach.showOutput',
    ]) {
      assert.ok(contributed.includes(command), `${command} is contributed`);
    }
  });

  it('menus refer to contributed commands only', () => {
    const contributed = new Set(contributes().commands.map((c) => c.command));
    for (const [menu, items] of Object.entries(contributes().menus)) {
      for (const item of items) assert.ok(contributed.has(item.command), `menu ${menu} refers to ${item.command}`);
    }
  });

  it('"Show Reachability" on a workload opens the view with who reaches it and what it reaches', async () => {
    await closeReachabilityTabs();
    // Only namespace.yaml open, and a server that has just started: the answer must still
    // come from the whole workspace (the policies are in other, unopened files).
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const editor = await vscode.window.showTextDocument(
      await vscode.workspace.openTextDocument(workspaceFile('examples/common-mistakes/namespace.yaml')),
    );
    await vscode.commands.executeCommand('netreach.restartServer');
    // namespace.yaml line 11 is `  name: frontend` of Deployment legacy/frontend.
    assert.match(editor.document.lineAt(10).text, /name: frontend/);
    editor.selection = new vscode.Selection(10, 9, 10, 9);
    await vscode.commands.executeCommand('netreach.showReachability');
    const result = (await waitUntil(
      'the view to show legacy/frontend',
      () => (api.view.lastResult?.kind === 'workload' ? api.view.lastResult : undefined),
      { describe: () => JSON.stringify(api.view.lastResult)?.slice(0, 400) ?? 'nothing shown' },
    ))!;
    const shown = JSON.stringify(result).slice(0, 1500);
    assert.equal(api.view.isVisible, true, 'view.isVisible');
    assert.equal((result.workload as { name: string }).name, 'legacy/frontend[Deployment]', shown);
    // egress-ignored.yaml isolates frontend for ingress; dns-udp-only.yaml for egress.
    const names = (list: unknown) => (list as { name: string }[]).map((p) => p.name);
    assert.deepEqual(names(result.ingressPolicies), ['legacy/frontend-egress'], `ingress policies; view: ${shown}`);
    assert.deepEqual(names(result.egressPolicies), ['legacy/allow-dns-access'], `egress policies; view: ${shown}`);
    // The backend's egress allows DNS only, so it cannot reach the frontend.
    assert.ok((result.deniedFrom as string[]).includes('legacy/backend[Deployment]'), `deniedFrom; view: ${shown}`);
    await waitUntil('a webview tab of the reachability view', () => reachabilityTabs().length === 1, {
      describe: () => vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => t.label)).join(', '),
    });
    await waitUntil(
      'the tab titled "netreach: legacy/frontend[Deployment]"',
      () => reachabilityTabs()[0]?.label === 'netreach: legacy/frontend[Deployment]',
      {
        describe: () =>
          reachabilityTabs()
            .map((t) => t.label)
            .join(', '),
      },
    );
  });

  it('"Show Reachability" from the explorer (a file URI) shows a matrix of that file', async () => {
    const uri = workspaceFile('examples/shop/workloads.yaml');
    await vscode.commands.executeCommand('netreach.showReachability', uri);
    const result = api.view.lastResult;
    const shown = JSON.stringify(result)?.slice(0, 1500) ?? 'nothing shown';
    assert.ok(result?.kind === 'matrix', `a matrix; view: ${shown}`);
    const endpoints = (result.endpoints as { name: string }[]).map((e) => e.name);
    assert.deepEqual(endpoints, ['shop/web[Deployment]', 'shop/api[Deployment]', 'shop/db[StatefulSet]'], shown);
    // Rows are sources: web -> api on 8080, api -> db on 5432, nothing else.
    assert.deepEqual(result.cells, [
      ['', 'TCP 8080', ''],
      ['', '', 'TCP 5432'],
      ['', '', ''],
    ]);
    // One view, reused, retitled (the tab model follows the panel asynchronously).
    await waitUntil(
      'one reachability tab titled "netreach: workloads.yaml"',
      () =>
        reachabilityTabs()
          .map((t) => t.label)
          .join() === 'netreach: workloads.yaml',
      {
        describe: () =>
          reachabilityTabs()
            .map((t) => t.label)
            .join(', ') || '(no reachability tab)',
      },
    );
    await closeReachabilityTabs();
    await waitUntil('view.isVisible to be false once its tab is closed', () => !api.view.isVisible);
  });

  it('"Restart Language Server" restarts it, and diagnostics come back', async () => {
    await vscode.commands.executeCommand('netreach.restartServer');
    assert.equal(api.client()?.isStarted, true, 'client started after restart');
    const uri = workspaceFile('examples/common-mistakes/egress-ignored.yaml');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    await waitUntil(
      'NR020 from the restarted server',
      () =>
        vscode.languages
          .getDiagnostics(uri)
          .some((d) => String((d.code as { value?: unknown })?.value ?? d.code) === 'NR020'),
      { timeoutMs: 20_000 },
    );
  });
});
