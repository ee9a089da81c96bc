// Runs inside the extension host next to an installed netreach .vsix (see ../vsix.ts).
// It is the `extensionTestsPath` of a tiny development extension (./package.json), so
// the extension under test is the *installed* one, not the repo folder.
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';

export async function run(): Promise<void> {
  const report: string[] = [];
  const resultsFile = process.env.NETREACH_E2E_RESULTS;
  try {
    await check(report);
    report.push('PASS');
  } catch (error) {
    report.push(`FAIL: ${(error as Error).message}`);
    throw error;
  } finally {
    if (resultsFile) {
      fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
      fs.writeFileSync(resultsFile, `${report.join('\n')}\n`);
    }
    console.log(report.join('\n'));
  }
}

async function check(report: string[]): Promise<void> {
  const id = required('NETREACH_E2E_EXTENSION_ID');
  const extensionsDir = required('NETREACH_E2E_EXTENSIONS_DIR');
  const extension = vscode.extensions.getExtension(id);
  if (!extension) {
    const others = vscode.extensions.all.map((e) => e.id).filter((e) => !e.startsWith('vscode.'));
    throw new Error(`extension ${id} is not installed; non-builtin extensions: ${others.join(', ') || '(none)'}`);
  }
  report.push(`found ${id} ${extension.packageJSON.version} at ${extension.extensionPath}`);
  if (!extension.extensionPath.startsWith(extensionsDir)) {
    throw new Error(`${id} was loaded from ${extension.extensionPath}, not from the extensions dir ${extensionsDir}`);
  }

  // Activate the way a person does: open a YAML file (activationEvents: onLanguage:yaml).
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('no workspace folder is open');
  // NETREACH_E2E_EXPECT_FILE (relative to the folder) names the file to open; otherwise any YAML file.
  const expectFile = process.env.NETREACH_E2E_EXPECT_FILE;
  const yamlFiles = expectFile
    ? [vscode.Uri.joinPath(folder.uri, expectFile)]
    : await vscode.workspace.findFiles('**/*.{yaml,yml}', undefined, 1);
  if (yamlFiles.length === 0) throw new Error(`no YAML file in ${folder.uri.fsPath} to trigger activation`);
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(yamlFiles[0]!));
  const deadline = Date.now() + 20_000;
  while (!extension.isActive && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  if (!extension.isActive) {
    // Say why: an explicit activate() surfaces an activation error, or shows that only
    // the activation event is missing.
    const outcome = await Promise.resolve(extension.activate()).then(
      () => 'an explicit activate() succeeded, so check activationEvents',
      (error: Error) => `an explicit activate() failed: ${error.message}`,
    );
    throw new Error(`${id} was not active 20 s after opening ${yamlFiles[0]!.fsPath}; ${outcome}`);
  }
  report.push(`${id} is active`);

  // The language server starts from the installed package: its diagnostics appear.
  const expectCode = process.env.NETREACH_E2E_EXPECT_CODE;
  if (!expectCode) return;
  const uri = yamlFiles[0]!;
  const codeOf = (d: vscode.Diagnostic): string =>
    String(typeof d.code === 'object' && d.code !== null ? d.code.value : (d.code ?? ''));
  const seen = (): vscode.Diagnostic[] => vscode.languages.getDiagnostics(uri);
  const until = Date.now() + 30_000;
  while (!seen().some((d) => codeOf(d) === expectCode) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const found = seen().find((d) => codeOf(d) === expectCode);
  if (!found) {
    const other = seen().map((d) => `${codeOf(d)} [${d.source}] ${d.message.slice(0, 60)}`);
    throw new Error(
      `no ${expectCode} diagnostic for ${uri.fsPath} within 30 s (the language server of the package did not ` +
        `start or analyse? see its output channel); diagnostics: ${other.join(' | ') || '(none)'}`,
    );
  }
  report.push(`the packaged language server reports ${expectCode} [${found.source}]: ${found.message.slice(0, 80)}`);
}

function required(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(`environment variable ${name} is not set (the harness passes it via extensionEnvironment)`);
  return value;
}
