// Untrusted workspaces: static analysis works, testing against a cluster does not. The
// suites run in a trusted window (code-server --disable-workspace-trust), so this checks
// the wiring in package.json; test/e2e/ui/untrusted.test.ts checks a restricted window.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, activateWith } from './helpers';

describe('workspace trust', () => {
  const manifest = () => vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON;

  before(async () => {
    await activateWith('policy.yaml');
  });

  it('declares limited support for untrusted workspaces, restricting the cluster settings', () => {
    const untrusted = manifest().capabilities?.untrustedWorkspaces;
    assert.equal(untrusted?.supported, 'limited');
    for (const setting of ['netreach.cluster.kubeconfig', 'netreach.cluster.context', 'netreach.probe.image']) {
      assert.ok(untrusted.restrictedConfigurations?.includes(setting), `${setting} is a restricted configuration`);
    }
  });

  it('"Test Reachability in Cluster" is enabled and shown only when the workspace is trusted', () => {
    const command = manifest().contributes.commands.find(
      (c: { command: string }) => c.command === 'netreach.testReachability',
    );
    assert.match(command?.enablement ?? '', /\bisWorkspaceTrusted\b/, 'enablement');
    const menus = manifest().contributes.menus as Record<string, { command: string; when?: string }[]>;
    for (const menu of ['editor/context', 'explorer/context', 'commandPalette']) {
      const item = menus[menu]?.find((i) => i.command === 'netreach.testReachability');
      assert.ok(item, `${menu} lists netreach.testReachability`);
      assert.match(item.when ?? '', /\bisWorkspaceTrusted\b/, `${menu} when clause`);
    }
    // The static command needs no trust.
    const show = menus['editor/context']?.find((i) => i.command === 'netreach.showReachability');
    assert.doesNotMatch(show?.when ?? '', /isWorkspaceTrusted/);
  });

  it('this window is trusted and the command is registered (restricted mode: test/e2e/ui/untrusted.test.ts)', async () => {
    // Running it here would start the cluster flow (a prompt to enable cluster features).
    assert.equal(vscode.workspace.isTrusted, true, 'the suites run trusted');
    assert.ok((await vscode.commands.getCommands(true)).includes('netreach.testReachability'));
  });
});
