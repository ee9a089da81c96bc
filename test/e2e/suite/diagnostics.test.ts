// The findings of examples/common-mistakes appear as VS Code diagnostics, with their
// code, severity, position and a link to the check's documentation.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateWith, codeOf, describeDiagnostics, waitForDiagnostics, workspaceFile } from './helpers';

interface Expected {
  code: string;
  severity: vscode.DiagnosticSeverity;
  /** 1-based line and column of the start, as the CLI prints them. */
  line: number;
  column: number;
}

const { Error: E, Warning: W } = vscode.DiagnosticSeverity;

/** Each common mistake and what netreach reports for it (see `netreach lint examples`). */
const EXPECTED: Record<string, Expected[]> = {
  'examples/common-mistakes/egress-ignored.yaml': [{ code: 'NR020', severity: E, line: 17, column: 3 }],
  'examples/common-mistakes/or-instead-of-and.yaml': [
    { code: 'NR022', severity: W, line: 17, column: 11 },
    { code: 'NR027', severity: W, line: 20, column: 11 },
  ],
  'examples/common-mistakes/service-port.yaml': [{ code: 'NR041', severity: W, line: 20, column: 17 }],
  'examples/common-mistakes/dns-udp-only.yaml': [
    { code: 'NR050', severity: W, line: 13, column: 7 },
    { code: 'NR028', severity: W, line: 18, column: 15 },
    { code: 'NR051', severity: W, line: 20, column: 11 },
  ],
};

describe('diagnostics of examples/common-mistakes', () => {
  before(async () => {
    await activateWith('examples/common-mistakes/namespace.yaml');
  });

  for (const [file, expected] of Object.entries(EXPECTED)) {
    it(`${file}: ${expected.map((e) => e.code).join(', ')}`, async () => {
      const uri = workspaceFile(file);
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
      const codes = expected.map((e) => e.code);
      const diagnostics = await waitForDiagnostics(uri, `codes ${codes.join(', ')}`, (all) =>
        codes.every((code) => all.some((d) => codeOf(d) === code)),
      );
      for (const want of expected) {
        const found = diagnostics.filter((d) => codeOf(d) === want.code);
        const at = found.find(
          (d) => d.range.start.line === want.line - 1 && d.range.start.character === want.column - 1,
        );
        assert.ok(
          at,
          `${file}: expected ${want.code} at ${want.line}:${want.column}; diagnostics: ${describeDiagnostics(diagnostics)}`,
        );
        assert.equal(at.severity, want.severity, `${want.code} severity`);
        assert.equal(at.source, 'netreach', `${want.code} source`);
        assert.ok(at.message.length > 20, `${want.code} has a message: ${JSON.stringify(at.message)}`);
        // The code links to the check catalog entry of that code.
        assert.ok(
          typeof at.code === 'object' && at.code !== null,
          `${want.code}: code is ${JSON.stringify(at.code)}, not { value, target }`,
        );
        const target = at.code.target.toString(true);
        assert.match(target, /^https:\/\//, `${want.code} codeDescription link`);
        assert.ok(
          target.toLowerCase().endsWith(`#${want.code.toLowerCase()}`),
          `${want.code} codeDescription should point at #${want.code.toLowerCase()}: ${target}`,
        );
      }
    });
  }

  it('related information points into other files of the workspace (NR041 -> the Service)', async () => {
    const uri = workspaceFile('examples/common-mistakes/service-port.yaml');
    const [nr041] = (await waitForDiagnostics(uri, 'NR041', (all) => all.some((d) => codeOf(d) === 'NR041'))).filter(
      (d) => codeOf(d) === 'NR041',
    );
    const related = nr041!.relatedInformation ?? [];
    assert.ok(
      related.some((r) => r.location.uri.path.endsWith('/examples/common-mistakes/namespace.yaml')),
      `NR041 related information: ${related.map((r) => `${vscode.workspace.asRelativePath(r.location.uri)}: ${r.message}`).join(' | ') || '(none)'}`,
    );
  });

  it('a JSON manifest: its diagnostics follow unsaved edits (json/metrics-from-monitoring.json)', async () => {
    const uri = workspaceFile('json/metrics-from-monitoring.json');
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    await waitForDiagnostics(uri, 'NR022', (all) => all.some((d) => codeOf(d) === 'NR022'));
    // One peer with both selectors: "these pods in those namespaces". Not saved.
    const merged = editor.document
      .getText()
      .replace(/\}\s*\},\s*\{ "podSelector": (\{ "matchLabels": \{ "app": "prometheus" \} \})/, '}, "podSelector": $1');
    assert.notEqual(merged, editor.document.getText(), 'the test edit applies');
    const whole = new vscode.Range(0, 0, editor.document.lineCount, 0);
    assert.ok(await editor.edit((edit) => edit.replace(whole, merged)));
    await waitForDiagnostics(uri, 'no NR022 after merging the peers', (all) => !all.some((d) => codeOf(d) === 'NR022'));
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('a file without mistakes has no error or warning (shop/default-deny.yaml)', async () => {
    const uri = workspaceFile('examples/shop/default-deny.yaml');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    // Positive control first: the server analysed the workspace once the mistakes show up.
    await waitForDiagnostics(workspaceFile('examples/common-mistakes/egress-ignored.yaml'), 'NR020', (all) =>
      all.some((d) => codeOf(d) === 'NR020'),
    );
    const serious = vscode.languages
      .getDiagnostics(uri)
      .filter(
        (d) => d.severity === vscode.DiagnosticSeverity.Error || d.severity === vscode.DiagnosticSeverity.Warning,
      );
    assert.deepEqual(serious, [], describeDiagnostics(serious));
  });
});
