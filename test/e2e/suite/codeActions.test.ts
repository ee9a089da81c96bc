// Quick fixes: the code action providers offer netreach's fix for a diagnostic, and
// applying its edit makes the diagnostic go away.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateWith, codeOf, describeDiagnostics, waitForDiagnostics, workspaceFile } from './helpers';

async function quickFixesFor(uri: vscode.Uri, diagnostic: vscode.Diagnostic): Promise<vscode.CodeAction[]> {
  const actions =
    (await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
      'vscode.executeCodeActionProvider',
      uri,
      diagnostic.range,
      vscode.CodeActionKind.QuickFix.value,
    )) ?? [];
  return actions.filter((a): a is vscode.CodeAction => 'kind' in a || 'edit' in a);
}

/** Puts the file back as on disk, and waits until `code` is reported again. */
async function revert(uri: vscode.Uri, code: string): Promise<void> {
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
  await vscode.commands.executeCommand('workbench.action.files.revert');
  await waitForDiagnostics(uri, `${code} back after reverting`, (all) => all.some((d) => codeOf(d) === code));
}

describe('quick fixes', () => {
  before(async () => {
    await activateWith('examples/common-mistakes/namespace.yaml');
  });

  const cases = [
    { file: 'examples/common-mistakes/egress-ignored.yaml', code: 'NR020', fix: 'Add Egress to policyTypes' },
    { file: 'examples/common-mistakes/or-instead-of-and.yaml', code: 'NR022', fix: undefined },
  ];

  for (const { file, code, fix } of cases) {
    it(`${code} in ${file}: ${fix ? `"${fix}"` : 'the preferred fix'} removes the diagnostic`, async () => {
      const uri = workspaceFile(file);
      const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
      const [diagnostic] = (await waitForDiagnostics(uri, code, (all) => all.some((d) => codeOf(d) === code))).filter(
        (d) => codeOf(d) === code,
      );
      const actions = await quickFixesFor(uri, diagnostic!);
      const titles = actions.map((a) => `${a.title}${a.isPreferred ? ' (preferred)' : ''}`);
      const action = fix ? actions.find((a) => a.title === fix) : actions.find((a) => a.isPreferred);
      assert.ok(
        action,
        `expected ${fix ? `"${fix}"` : 'a preferred fix'} among the quick fixes for ${code}: ${titles.join(' | ') || '(none)'}`,
      );
      assert.ok(action.edit, `"${action.title}" has no edit`);
      assert.ok(
        actions.some((a) => a.title === `Silence ${code} for this line`),
        `a "Silence ${code} for this line" action: ${titles.join(' | ')}`,
      );
      try {
        assert.equal(await vscode.workspace.applyEdit(action.edit), true, `applyEdit("${action.title}") refused`);
        assert.ok(editor.document.isDirty, 'the fix changed the document');
        const after = await waitForDiagnostics(uri, `no ${code} after "${action.title}"`, (all) =>
          all.every((d) => codeOf(d) !== code),
        );
        // The fix must not trade one error for another.
        const errors = after.filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
        assert.deepEqual(
          errors,
          [],
          `errors after the fix: ${describeDiagnostics(errors)}\n${editor.document.getText()}`,
        );
      } finally {
        await revert(uri, code);
      }
    });
  }
});
