// Snippets give valid YAML that netreach has nothing to say about: through the command
// "netreach: Insert NetworkPolicy…" with preset parameter values (every recipe), and
// through VS Code's own snippet insertion with the recipe's defaults.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import * as vscode from 'vscode';
import { parseAllDocuments } from 'yaml';
import { EXTENSION_ID, activateWith, codeOf, describeDiagnostics, netreachDiagnostics, waitUntil } from './helpers';

interface Snippet {
  prefix: string;
  body: string | string[];
}
interface Parameter {
  placeholder: number;
  kind: 'name' | 'namespace' | 'podLabels' | 'namespaceLabels' | 'port';
  default: string;
}

function extensionFile(...parts: string[]): string {
  const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
  return vscode.Uri.joinPath(extension.extensionUri, ...parts).fsPath;
}

const readJson = <T>(...parts: string[]): T => JSON.parse(fs.readFileSync(extensionFile(...parts), 'utf8')) as T;

/**
 * Values fitting the workspace (examples/common-mistakes): the policy in `legacy`, its pods
 * the backend, peers the frontend, or prometheus when a peer namespace (monitoring) was named.
 */
function presetsFor(index: number, parameters: readonly Parameter[]): Record<string, string> {
  const values: Record<string, string> = {};
  let previous: string | undefined;
  let podLabels = 0;
  for (const parameter of parameters) {
    let value: string;
    if (parameter.kind === 'name') value = `e2e-snippet-${index}`;
    else if (parameter.kind === 'namespace') value = parameter.placeholder === 2 ? 'legacy' : 'monitoring';
    else if (parameter.kind === 'podLabels')
      value = previous === 'monitoring' ? 'app: prometheus' : podLabels++ === 0 ? 'app: backend' : 'app: frontend';
    else if (parameter.kind === 'namespaceLabels') value = 'kubernetes.io/metadata.name: monitoring';
    else value = '8080';
    values[String(parameter.placeholder)] = value;
    previous = value;
  }
  return values;
}

/** A policy netreach reports NR020 for: the "before" state that proves the server re-analysed. */
const SENTINEL = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: e2e-sentinel
  namespace: legacy
spec:
  podSelector: {}
  policyTypes:
    - Ingress
  egress:
    - {}
`;

let untitledCount = 0;

/**
 * A new untitled YAML document with a name of its own: VS Code reuses "Untitled-1" for
 * the next new document once one is closed, and a test must not see its predecessor.
 */
async function untitledEditor(content: string): Promise<vscode.TextEditor> {
  const folder = vscode.workspace.workspaceFolders![0]!.uri;
  const uri = vscode.Uri.joinPath(folder, `e2e-snippet-test-${++untitledCount}.yaml`).with({ scheme: 'untitled' });
  const document = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(document);
  assert.equal(document.languageId, 'yaml', `${uri.toString()} opens as YAML`);
  if (content) await editor.edit((edit) => edit.insert(new vscode.Position(0, 0), content));
  return editor;
}

/** An untitled YAML editor holding SENTINEL, once netreach reported NR020 for it. */
async function sentinelEditor(): Promise<vscode.TextEditor> {
  const editor = await untitledEditor(SENTINEL);
  const document = editor.document;
  await waitUntil(
    `NR020 on the sentinel policy in ${document.uri.toString()}`,
    () => netreachDiagnostics(document.uri).some((d) => codeOf(d) === 'NR020'),
    {
      timeoutMs: 20_000,
      describe: () => describeDiagnostics(netreachDiagnostics(document.uri)),
    },
  );
  // Select everything, with the cursor at the start: the inserted snippet replaces it all.
  const end = document.lineAt(document.lineCount - 1).range.end;
  editor.selection = new vscode.Selection(end, new vscode.Position(0, 0));
  return editor;
}

/**
 * After the snippet replaced the sentinel: waits until NR020 is gone (the server analysed
 * the new text), then for a quiet second (schema problems come a little later), and
 * checks that nothing is reported.
 */
async function expectNoDiagnostics(editor: vscode.TextEditor, what: string): Promise<void> {
  const uri = editor.document.uri;
  await waitUntil(
    `NR020 of the sentinel to go once ${what} replaced it`,
    () => netreachDiagnostics(uri).every((d) => codeOf(d) !== 'NR020'),
    {
      timeoutMs: 20_000,
      describe: () => describeDiagnostics(netreachDiagnostics(uri)),
    },
  );
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const diagnostics = netreachDiagnostics(uri);
  assert.equal(
    diagnostics.length,
    0,
    `${what}: netreach reports ${describeDiagnostics(diagnostics)}\n--- text ---\n${editor.document.getText()}`,
  );
}

/** Parses the editor's text: exactly one YAML document, a NetworkPolicy, without errors. */
interface Manifest {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
}

function expectOnePolicy(editor: vscode.TextEditor, what: string): Manifest {
  const text = editor.document.getText();
  const documents = parseAllDocuments(text);
  const problems = documents.flatMap((d) => [...d.errors, ...d.warnings].map((e) => e.message));
  assert.deepEqual(problems, [], `${what}: YAML problems\n--- text ---\n${text}`);
  const objects = documents.map((d) => d.toJS() as Manifest | null).filter((o) => o !== null);
  assert.equal(objects.length, 1, `${what}: one YAML document expected\n--- text ---\n${text}`);
  assert.equal(objects[0]!.kind, 'NetworkPolicy', text);
  assert.equal(objects[0]!.apiVersion, 'networking.k8s.io/v1', text);
  assert.ok(!/\$\{?\d|\\\$/.test(text), `${what}: a snippet placeholder is left in the text\n${text}`);
  return objects[0]!;
}

async function closeEditor(editor: vscode.TextEditor): Promise<void> {
  await vscode.window.showTextDocument(editor.document);
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
}

describe('snippets', () => {
  const snippets = (): Record<string, Snippet> => readJson('snippets', 'networkpolicy.code-snippets');
  const parameters = (): Record<string, { parameters: Parameter[] }> => readJson('snippets', 'parameters.json');

  before(async () => {
    await activateWith('examples/common-mistakes/namespace.yaml');
  });

  it('every recipe has its parameters described (snippets/parameters.json)', () => {
    assert.deepEqual(Object.keys(parameters()).sort(), Object.keys(snippets()).sort());
  });

  // Every recipe, read from the extension under test, so the list follows the file.
  const names = Object.keys(snippets());
  names.forEach((name, i) => {
    it(`"netreach: Insert NetworkPolicy…" ${name} with preset values: valid, no diagnostic`, async () => {
      const presets = presetsFor(i + 1, parameters()[name]!.parameters);
      const editor = await sentinelEditor();
      try {
        await vscode.commands.executeCommand('netreach.insertSnippet', name, presets);
        await waitUntil(
          `the snippet text in the editor (${name})`,
          () => editor.document.getText().includes(`name: e2e-snippet-${i + 1}`),
          {
            describe: () => JSON.stringify(editor.document.getText().slice(0, 300)),
          },
        );
        await vscode.commands.executeCommand('leaveSnippet');
        const policy = expectOnePolicy(editor, name);
        assert.equal(policy.metadata?.namespace, 'legacy', 'the preset namespace');
        await expectNoDiagnostics(editor, name);
      } finally {
        await closeEditor(editor);
      }
    });
  });

  // Recipes whose defaults name no workload labels mean the same in every workspace.
  const portable = [
    'NetworkPolicy: default-deny ingress',
    'NetworkPolicy: default-deny all',
    'NetworkPolicy: allow DNS',
    'NetworkPolicy: deny external egress',
  ];
  for (const name of portable) {
    it(`editor.insertSnippet with the body of ${name} (defaults): valid, no diagnostic`, async () => {
      const snippet = snippets()[name]!;
      const body = Array.isArray(snippet.body) ? snippet.body.join('\n') : snippet.body;
      const editor = await sentinelEditor();
      try {
        await vscode.commands.executeCommand('editor.action.insertSnippet', { snippet: body });
        await waitUntil(
          `the ${name} body in the editor`,
          () =>
            editor.document.getText().includes('kind: NetworkPolicy') &&
            !editor.document.getText().includes('e2e-sentinel'),
        );
        await vscode.commands.executeCommand('leaveSnippet');
        expectOnePolicy(editor, name);
        await expectNoDiagnostics(editor, name);
      } finally {
        await closeEditor(editor);
      }
    });
  }

  it('inserting below a manifest without a trailing newline starts a new YAML document', async () => {
    const content = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: e2e-snippets';
    const editor = await untitledEditor(content);
    const document = editor.document;
    try {
      const end = document.lineAt(document.lineCount - 1).range.end;
      editor.selection = new vscode.Selection(end, end);
      await vscode.commands.executeCommand('netreach.insertSnippet', 'NetworkPolicy: default-deny ingress', {
        '1': 'deny',
        '2': 'e2e-snippets',
      });
      await waitUntil('the snippet text', () => document.getText().includes('kind: NetworkPolicy'));
      await vscode.commands.executeCommand('leaveSnippet');
      const text = document.getText();
      const documents = parseAllDocuments(text);
      const problems = documents.flatMap((d) => d.errors.map((e) => e.message));
      assert.deepEqual(problems, [], `YAML problems\n--- text ---\n${text}`);
      assert.deepEqual(
        documents.map((d) => (d.toJS() as { kind?: string } | null)?.kind),
        ['Namespace', 'NetworkPolicy'],
        `two documents expected\n--- text ---\n${text}`,
      );
    } finally {
      await closeEditor(editor);
    }
  });

  it('inserting at the top of a manifest keeps the manifest a separate YAML document', async () => {
    const content = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: e2e-snippets\n';
    const editor = await untitledEditor(content);
    const document = editor.document;
    try {
      editor.selection = new vscode.Selection(0, 0, 0, 0);
      await vscode.commands.executeCommand('netreach.insertSnippet', 'NetworkPolicy: default-deny ingress', {
        '1': 'deny',
        '2': 'e2e-snippets',
      });
      await waitUntil('the snippet text', () => document.getText().includes('kind: NetworkPolicy'));
      await vscode.commands.executeCommand('leaveSnippet');
      const text = document.getText();
      const documents = parseAllDocuments(text);
      const problems = documents.flatMap((d) => d.errors.map((e) => e.message));
      assert.deepEqual(problems, [], `YAML problems\n--- text ---\n${text}`);
      assert.deepEqual(
        documents.map((d) => (d.toJS() as { kind?: string } | null)?.kind),
        ['NetworkPolicy', 'Namespace'],
        `two documents expected\n--- text ---\n${text}`,
      );
    } finally {
      await closeEditor(editor);
    }
  });
});
