// The extension activates when a YAML file opens and registers its commands.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, waitUntil, workspaceFile } from './helpers';

describe('activation', () => {
  it('activates on a YAML file and registers netreach.showReachability', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(
      extension,
      `extension ${EXTENSION_ID} is not installed; found: ${vscode.extensions.all
        .map((e) => e.id)
        .filter((id) => !id.startsWith('vscode.'))
        .join(', ')}`,
    );

    // activationEvents is onLanguage:yaml: opening the fixture must be enough.
    const document = await vscode.workspace.openTextDocument(workspaceFile('policy.yaml'));
    await vscode.window.showTextDocument(document);
    assert.equal(document.languageId, 'yaml');
    await waitUntil('the extension to be active after opening policy.yaml', () => extension.isActive, {
      describe: () => `isActive=${extension.isActive}`,
    });

    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('netreach.showReachability'), 'command netreach.showReachability is not registered');
  });
});
