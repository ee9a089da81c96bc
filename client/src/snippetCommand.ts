/**
 * "netreach: Insert NetworkPolicy Snippet": pick a recipe, answer its parameters from
 * what the workspace contains (namespaces, workload labels, ports), and insert it.
 */
import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { WorkspaceFactsResult } from '../../server/src/protocol';
import type { NetreachClient } from './netreachClient';
import { fillSnippet, labelLines, type SnippetParameter } from './snippetFill';

interface SnippetDefinition {
  readonly prefix: string;
  readonly description: string;
  readonly body: string | string[];
}

const CONTROLLER_KEYS =
  /^(pod-template-hash|controller-revision-hash|pod-template-generation|statefulset\.kubernetes\.io\/pod-name|apps\.kubernetes\.io\/pod-index|job-name|batch\.kubernetes\.io\/.*|controller-uid)$/;

export function registerSnippetCommand(start: () => Promise<NetreachClient>): vscode.Disposable {
  return vscode.commands.registerCommand(
    'netreach.insertSnippet',
    async (snippetName?: string, presetValues?: Record<string, string>) => {
      const extension = vscode.extensions.getExtension('netreach.netreach');
      const root = extension?.extensionUri ?? vscode.Uri.file(__dirname + '/..');
      const snippets = JSON.parse(
        await readFile(vscode.Uri.joinPath(root, 'snippets', 'networkpolicy.code-snippets').fsPath, 'utf8'),
      ) as Record<string, SnippetDefinition>;
      const parameters = JSON.parse(
        await readFile(vscode.Uri.joinPath(root, 'snippets', 'parameters.json').fsPath, 'utf8'),
      ) as Record<string, { parameters: SnippetParameter[] }>;
      const name =
        snippetName ??
        (
          await vscode.window.showQuickPick(
            Object.entries(snippets).map(([key, s]) => ({
              label: key.replace(/^NetworkPolicy: /, ''),
              description: s.prefix,
              detail: s.description,
              key,
            })),
            { title: 'netreach: insert a NetworkPolicy', placeHolder: 'Which policy?', matchOnDetail: true },
          )
        )?.key;
      if (!name || !snippets[name]) return;
      const facts = (await (await start()).workspaceFacts()) ?? { namespaces: [], workloads: [] };
      const values = new Map<number, string>();
      let namespace: string | undefined;
      for (const parameter of parameters[name]?.parameters ?? []) {
        const preset = presetValues?.[String(parameter.placeholder)] ?? presetValues?.[parameter.kind];
        const value = preset ?? (await ask(parameter, facts, namespace));
        if (value === undefined) return; // cancelled
        if (parameter.kind === 'namespace' && namespace === undefined) namespace = value;
        values.set(parameter.placeholder, value);
      }
      const body = Array.isArray(snippets[name].body) ? snippets[name].body.join('\n') : snippets[name].body;
      let editor = vscode.window.activeTextEditor;
      if (!editor || editor.document.languageId !== 'yaml') {
        const document = await vscode.workspace.openTextDocument({ language: 'yaml', content: '' });
        editor = await vscode.window.showTextDocument(document);
      }
      // A manifest of its own: a `---` line from any text before and after what it replaces,
      // and no indentation taken from the line the cursor is on.
      const document = editor.document;
      const before = document.getText(new vscode.Range(new vscode.Position(0, 0), editor.selection.start));
      const after = document.getText(
        new vscode.Range(editor.selection.end, document.lineAt(document.lineCount - 1).range.end),
      );
      const prefix = before.trim() === '' ? '' : before.endsWith('\n') ? '---\n' : '\n---\n';
      const suffix = after.trim() === '' ? '' : '---\n';
      await editor.insertSnippet(
        new vscode.SnippetString(`${prefix}${fillSnippet(body, values)}${suffix}`),
        undefined,
        {
          undoStopBefore: true,
          undoStopAfter: true,
          keepWhitespace: true,
        },
      );
    },
  );
}

async function ask(
  parameter: SnippetParameter,
  facts: WorkspaceFactsResult,
  namespace: string | undefined,
): Promise<string | undefined> {
  switch (parameter.kind) {
    case 'name':
      return vscode.window.showInputBox({
        title: 'Policy name',
        value: parameter.default,
        validateInput: (v) =>
          /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(v) ? undefined : 'lowercase letters, digits, "-" and "."',
      });
    case 'namespace':
      return pickOrType('Namespace', facts.namespaces, namespace ?? parameter.default);
    case 'podLabels': {
      const workloads = facts.workloads.filter((w) => !namespace || w.namespace === namespace);
      const choices = new Map<string, string>();
      for (const w of workloads) {
        const labels = Object.fromEntries(Object.entries(w.labels).filter(([k]) => !CONTROLLER_KEYS.test(k)));
        if (Object.keys(labels).length === 0) continue;
        const text = labelLines(labels);
        if (!choices.has(text)) choices.set(text, `${w.namespace}/${w.name}`);
        if (labels.app !== undefined && !choices.has(`app: ${labels.app}`))
          choices.set(labelLines({ app: labels.app }), `app label of ${w.namespace}/${w.name}`);
      }
      return pickOrType('Pod labels (the pods to select)', [...choices.keys()], parameter.default, (text) =>
        choices.get(text),
      );
    }
    case 'namespaceLabels':
      return pickOrType(
        'Namespace labels',
        facts.namespaces.map((ns) => `kubernetes.io/metadata.name: ${ns}`),
        parameter.default,
      );
    case 'port': {
      const ports = new Set<string>();
      for (const w of facts.workloads.filter((w) => !namespace || w.namespace === namespace)) {
        for (const p of w.ports) {
          const named = /\((.+)\)$/.exec(p)?.[1];
          ports.add(named ?? p.replace(/^\w+\//, '').replace(/ .*/, ''));
          ports.add(p.replace(/^\w+\//, '').replace(/ .*/, ''));
        }
      }
      return pickOrType('Port (number or container port name)', [...ports], parameter.default);
    }
  }
}

/** A quick pick of known values that also accepts typing a new one. */
function pickOrType(
  title: string,
  items: readonly string[],
  fallback: string,
  describe?: (item: string) => string | undefined,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    const pick = vscode.window.createQuickPick();
    pick.title = title;
    pick.placeholder = `Pick or type (default: ${fallback.split('\n').join(', ')})`;
    const base = [...new Set([fallback, ...items])].map((label) => ({
      label: label.split('\n').join(', '),
      value: label,
      description: describe?.(label),
    }));
    pick.items = base;
    pick.onDidChangeValue((value) => {
      pick.items =
        value && !base.some((b) => b.label === value)
          ? [{ label: value, value: value.split(/,\s*/).join('\n'), description: '(typed)' }, ...base]
          : base;
    });
    let done = false;
    pick.onDidAccept(() => {
      const chosen = pick.selectedItems[0] as { value?: string } | undefined;
      done = true;
      resolve(chosen?.value ?? (pick.value || fallback));
      pick.hide();
    });
    pick.onDidHide(() => {
      if (!done) resolve(undefined);
      pick.dispose();
    });
    pick.show();
  });
}
