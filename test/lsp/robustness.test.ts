// Inputs that must not hang or break the server: a huge file on disk and in the editor,
// broken YAML, an empty workspace, a workspace folder that does not exist, a symlink loop.
// Each test ends by checking that the server still answers (a hover) and wrote no stack
// trace to stderr. Budgets are generous mocha timeouts: they catch hangs, not slowness.
import { strict as assert } from 'node:assert';
import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { codes, find, hover, hoverText, LSP_FIXTURES, ready, settled, startOn, TempWorkspace } from './helpers';
import { manyPolicies } from './generate';
import { LspClient } from './lspClient';

/** A ConfigMap of `bytes` bytes, one key per line. */
function bigConfigMap(bytes: number): string {
  const head = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big, namespace: web}\ndata:\n';
  const lines: string[] = [];
  let size = head.length;
  for (let i = 0; size < bytes; i++) {
    const line = `  key-${i}: "${'x'.repeat(30)}"`;
    lines.push(line);
    size += line.length + 1;
  }
  return head + lines.join('\n') + '\n';
}

const POLICY =
  'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: web}\nspec:\n  podSelector: {matchLabels: {app: api}}\n';

/** Generous: these catch hangs (minutes), not slowness. */
const BUDGET = 120000;

async function stillAnswers(client: LspClient, workspace: TempWorkspace): Promise<void> {
  const uri = workspace.write('probe.yaml', POLICY);
  await settled(client, () => client.open(uri, POLICY), BUDGET);
  const text = await hoverText(client, uri, find(POLICY, 'pod‸Selector'));
  assert.match(text, /NetworkPolicy web\/p/);
  assert.doesNotMatch(client.stderr, /\n\s+at /, `a stack trace on stderr:\n${client.stderr}`);
  assert.ok(!client.log.some((l) => / failed: /.test(l)), `a handler failed:\n${client.log.join('\n')}`);
}

describe('lsp: robustness', function () {
  this.timeout(600000);
  let workspace: TempWorkspace;
  let client: LspClient;

  afterEach(async () => {
    await client?.stop();
    workspace?.dispose();
  });

  it('a 100k-line file of policies on disk: analysed, and the server answers', async () => {
    const text = manyPolicies(100000);
    workspace = new TempWorkspace(path.join(LSP_FIXTURES, 'cross-file'), { 'huge.yaml': text });
    client = await startOn(workspace);
    await ready(client, BUDGET);
    const diagnostics = client.pushed(workspace.uri('huge.yaml'));
    assert.ok(diagnostics && diagnostics.length > 0, 'the huge file has findings (NR070 on the last app, at least)');
    const hovered = await hoverText(client, workspace.uri('huge.yaml'), find(text, 'name: p7‸7,'));
    assert.match(hovered, /NetworkPolicy ns27\/p77/);
    await stillAnswers(client, workspace);
  });

  it('a 100k-line document opened and typed in', async () => {
    workspace = new TempWorkspace(path.join(LSP_FIXTURES, 'cross-file'));
    // The default debounce, as a real client gets it: keystrokes coalesce into one analysis.
    client = await startOn(workspace, { initializationOptions: { debounceMs: 60 } });
    await ready(client, BUDGET);
    const text = manyPolicies(100000);
    const uri = workspace.uri('typed.yaml');
    await settled(client, () => client.open(uri, text), BUDGET);
    // 88 keystrokes: delete `, Egress` from the first policyTypes, then type it again and
    // delete it again, five times, one character at a time. Each is a small incremental
    // change; the server must not redo a full parse for each one (minutes in all) but
    // catch up with the last text.
    const at = find(text, 'policyTypes: [Ingress‸, Egress]');
    const typed = ', Egress';
    const range = (from: number, to: number) => ({
      start: { ...at, character: at.character + from },
      end: { ...at, character: at.character + to },
    });
    for (let i = typed.length; i > 0; i--) client.edit(uri, range(i - 1, i), '');
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < typed.length; i++) client.edit(uri, range(i, i), typed[i]);
      for (let i = typed.length; i > 0; i--) client.edit(uri, range(i - 1, i), '');
    }
    const final = (d: Diagnostic[]) => codes(d).includes('NR020') && !codes(d).includes('NR008');
    await client.waitForDiagnostics(uri, final, 'NR020 (and no NR008) for the last text', BUDGET);
    await stillAnswers(client, workspace);
  });

  it('a 5 MB file on disk (and one over netreach.maxFileSize, skipped with a log line)', async () => {
    workspace = new TempWorkspace(path.join(LSP_FIXTURES, 'cross-file'), {
      'big/configmap.yaml': bigConfigMap(5_000_000),
      'big/too-big.yaml': bigConfigMap(6_000_000),
    });
    client = await startOn(workspace);
    await ready(client, BUDGET);
    assert.ok(
      client.log.some((l) => /skipped .*too-big\.yaml/.test(l)),
      client.log.join('\n'),
    );
    assert.ok(!client.log.some((l) => /skipped .*configmap\.yaml/.test(l)));
    await stillAnswers(client, workspace);
  });

  it('broken YAML: NR014 where it breaks, the documents before it still analysed', async () => {
    const broken = [
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy',
      'metadata: {name: before, namespace: web}',
      'spec:',
      '  podSelector: {matchLabels: {app: api}}',
      '  policyTypes: [Ingress]',
      '  egress: [{}]',
      '---',
      'kind: NetworkPolicy',
      'metadata: {name: broken',
      'spec:',
      '  podSelector: : :',
      '    - [',
      '',
    ].join('\n');
    workspace = new TempWorkspace(path.join(LSP_FIXTURES, 'cross-file'), {
      'broken.yaml': broken,
      'tabs.yaml': 'kind: NetworkPolicy\nspec:\n\tpodSelector: {}\n',
    });
    client = await startOn(workspace);
    await ready(client, BUDGET);
    const diagnostics: Diagnostic[] = client.pushed(workspace.uri('broken.yaml')) ?? [];
    assert.ok(codes(diagnostics).includes('NR014'), JSON.stringify(diagnostics));
    assert.ok(codes(diagnostics).includes('NR020'), 'the first document is still analysed');
    assert.ok(
      diagnostics.filter((d) => d.code === 'NR014').every((d) => d.range.start.line >= 8),
      'NR014 in the broken document',
    );
    assert.ok(codes(client.pushed(workspace.uri('tabs.yaml'))).includes('NR014'));
    // Hover and completion inside the broken part answer without failing.
    const uri = workspace.uri('broken.yaml');
    client.open(uri, broken);
    for (let line = 0; line < 14; line++) await hover(client, uri, { line, character: 4 });
    await stillAnswers(client, workspace);
  });

  it('a Helm chart in the workspace: its templates are left out, not reported as broken YAML', async () => {
    const template = [
      '{{- if .Values.networkPolicy.enabled }}',
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy',
      'metadata:',
      '  name: {{ include "demo.fullname" . }}',
      'spec:',
      '  podSelector:',
      '    matchLabels:',
      '      {{- include "demo.selectorLabels" . | nindent 6 }}',
      '{{- end }}',
      '',
    ].join('\n');
    workspace = new TempWorkspace(path.join(LSP_FIXTURES, 'cross-file'), {
      'chart/Chart.yaml': 'apiVersion: v2\nname: demo\nversion: 0.1.0\n',
      'chart/templates/netpol.yaml': template,
    });
    client = await startOn(workspace);
    await ready(client, BUDGET);
    const uri = workspace.uri('chart/templates/netpol.yaml');
    assert.deepEqual(client.pushed(uri) ?? [], [], 'no diagnostics on the template');
    assert.ok(
      client.log.some((l) => /left out 1 template file/.test(l)),
      `the log says why:\n${client.log.join('\n')}`,
    );
    // Opened and edited in the editor, it stays quiet.
    await settled(client, () => client.open(uri, template), BUDGET);
    assert.deepEqual(client.pushed(uri) ?? [], []);
    await stillAnswers(client, workspace);
  });

  it('YAML broken at the very end: the NR014 range lies inside the document', async () => {
    const texts = [
      'kind: NetworkPolicy\nspec: [',
      'kind: NetworkPolicy\nspec: "abc',
      'kind: NetworkPolicy\nspec: {a: 1\n',
    ];
    workspace = new TempWorkspace(Object.fromEntries(texts.map((t, i) => [`end-${i}.yaml`, t])));
    client = await startOn(workspace);
    await ready(client, BUDGET);
    for (const [i, text] of texts.entries()) {
      const diagnostics = client.pushed(workspace.uri(`end-${i}.yaml`)) ?? [];
      const nr014 = diagnostics.filter((d) => d.code === 'NR014');
      assert.ok(nr014.length > 0, JSON.stringify(text));
      const lines = text.split('\n');
      for (const { range } of nr014) {
        for (const p of [range.start, range.end]) {
          assert.ok(
            p.line < lines.length && p.character <= lines[p.line].length,
            `${JSON.stringify(p)} is outside ${JSON.stringify(text)}`,
          );
        }
      }
    }
    await stillAnswers(client, workspace);
  });

  it('a stray document end (`...`) early in a large file: a few NR014, not one per later token', async () => {
    // A List of 300 pods in block style (as `kubectl get pods -o yaml` writes), broken near the top.
    const pod = (i: number) =>
      `- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: p${i}\n    namespace: web\n    labels:\n      app: a${i}\n` +
      `  spec:\n    containers:\n      - name: c\n        image: i\n        ports:\n          - containerPort: 80\n`;
    const list = 'apiVersion: v1\nkind: List\nitems:\n' + Array.from({ length: 300 }, (_, i) => pod(i)).join('');
    const text = list.replace('    labels:\n', '    labels:\n...\n');
    workspace = new TempWorkspace({ 'derailed.yaml': text });
    client = await startOn(workspace);
    await ready(client, BUDGET);
    const nr014 = (client.pushed(workspace.uri('derailed.yaml')) ?? []).filter((d) => d.code === 'NR014');
    assert.ok(nr014.length > 0 && nr014.length <= 20, `${nr014.length} NR014 diagnostics`);
    const stray = find(text, '...\n').line;
    assert.ok(
      nr014[0].range.start.line >= stray && nr014[0].range.start.line <= stray + 5,
      'the first one near the stray `...`',
    );
    await stillAnswers(client, workspace);
  });

  it('an empty workspace: ready with no files; an untitled document still gets diagnostics and hovers', async () => {
    workspace = new TempWorkspace();
    client = await startOn(workspace);
    await ready(client, BUDGET);
    const status = client.notifications.filter((n) => n.method === 'netreach/status').at(-1)!.params as {
      files: number;
    };
    assert.equal(status.files, 0);
    const untitled = 'untitled:Untitled-1';
    client.open(untitled, POLICY + '  egress: [{}]\n');
    await client.waitForDiagnostics(untitled, (d) => codes(d).includes('NR021'));
    assert.match(await hoverText(client, untitled, find(POLICY, 'pod‸Selector')), /NetworkPolicy web\/p/);
    await stillAnswers(client, workspace);
  });

  it('a workspace folder that does not exist (next to one that does)', async () => {
    workspace = new TempWorkspace(path.join(LSP_FIXTURES, 'cross-file'));
    client = await LspClient.start({
      folder: workspace.dir,
      folders: [path.join(workspace.dir, 'missing'), workspace.dir],
    });
    await ready(client, BUDGET);
    assert.ok(
      client.log.some((l) => /cannot read folder .*missing/.test(l)),
      client.log.join('\n'),
    );
    assert.ok(client.pushed(workspace.uri('workloads.yaml')), 'the existing folder is indexed');
    await stillAnswers(client, workspace);
  });

  it('a symlink loop and an unreadable name in the workspace', async () => {
    workspace = new TempWorkspace(path.join(LSP_FIXTURES, 'cross-file'));
    mkdirSync(workspace.path('loop'));
    symlinkSync(workspace.dir, workspace.path('loop/back'));
    symlinkSync(workspace.path('nowhere.yaml'), workspace.path('dangling.yaml'));
    client = await startOn(workspace);
    await ready(client, BUDGET);
    await stillAnswers(client, workspace);
  });
});
