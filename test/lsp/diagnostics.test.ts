// Diagnostics as a user sees them in a push-mode editor: the whole workspace is reported
// after initialize (files nobody opened too), then kept current through edits, closing,
// changes on disk and changes in other files.
import { strict as assert } from 'node:assert';
import path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { codes, EXAMPLES, find, LSP_FIXTURES, ready, settled, startOn, TempWorkspace, textOf } from './helpers';
import { fileUri, type LspClient } from './lspClient';

const has = (code: string) => (d: Diagnostic[]) => codes(d).includes(code);
const lacks = (code: string) => (d: Diagnostic[]) => !codes(d).includes(code);

describe('lsp: push diagnostics', function () {
  let workspace: TempWorkspace;
  let client: LspClient;

  afterEach(async () => {
    await client?.stop();
    workspace?.dispose();
  });

  describe('on the examples', () => {
    beforeEach(async () => {
      workspace = new TempWorkspace(EXAMPLES);
      client = await startOn(workspace);
    });

    it('reports files nobody opened, right after initialize', async () => {
      const egress = await client.waitForDiagnostics(
        workspace.uri('common-mistakes/egress-ignored.yaml'),
        has('NR020'),
      );
      const or = await client.waitForDiagnostics(workspace.uri('common-mistakes/or-instead-of-and.yaml'), has('NR022'));
      const text = workspace.read('common-mistakes/egress-ignored.yaml');
      const nr020 = egress.find((d) => d.code === 'NR020')!;
      assert.equal(nr020.severity, 1, 'NR020 is an error');
      assert.equal(nr020.source, 'netreach');
      assert.equal(textOf(text, nr020.range), 'egress', 'the range is the egress key');
      assert.match(String(nr020.message), /egress rules are ignored/);
      assert.match(nr020.codeDescription?.href ?? '', /^https?:\/\/.*nr020/i);
      const nr022 = or.find((d) => d.code === 'NR022')!;
      assert.equal(nr022.severity, 2, 'NR022 is a warning');
      assert.match(
        textOf(workspace.read('common-mistakes/or-instead-of-and.yaml'), nr022.range),
        /^namespaceSelector:/,
      );
    });

    it('puts related information on the other places involved', async () => {
      // NR041: the Service whose port the policy names.
      const diagnostics = await client.waitForDiagnostics(workspace.uri('common-mistakes/service-port.yaml'), (d) =>
        d.some((x) => (x.relatedInformation ?? []).length > 0),
      );
      const withRelated = diagnostics.find((d) => (d.relatedInformation ?? []).length > 0)!;
      for (const related of withRelated.relatedInformation!) {
        assert.match(related.location.uri, /^file:\/\//);
        assert.ok(related.message.length > 0);
        assert.ok(related.location.range.start.line >= 0);
      }
    });
  });

  describe('through the editing lifecycle', () => {
    const policyText = [
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy',
      'metadata:',
      '  name: lifecycle',
      '  namespace: web',
      'spec:',
      '  podSelector:',
      '    matchLabels:',
      '      app: api',
      '  policyTypes:',
      '    - Ingress',
      '  ingress:',
      '    - from:',
      '        - podSelector: {}',
      '',
    ].join('\n');
    const withEgress = policyText + '  egress:\n    - to:\n        - podSelector: {}\n';
    let uri: string;

    beforeEach(async () => {
      workspace = new TempWorkspace(path.join(LSP_FIXTURES, 'cross-file'), { 'lifecycle.yaml': policyText });
      uri = workspace.uri('lifecycle.yaml');
      client = await startOn(workspace);
      await ready(client);
    });

    it('after didOpen, didChange and didClose (then the disk content counts again)', async () => {
      client.open(uri, policyText);
      await settled(client, () => client.change(uri, withEgress));
      const changed = await client.waitForDiagnostics(uri, has('NR020'), 'NR020 after typing egress rules');
      assert.equal(changed.find((d) => d.code === 'NR020')!.range.start.line, 14);
      client.change(uri, policyText);
      await client.waitForDiagnostics(uri, lacks('NR020'), 'NR020 gone after removing the egress rules');
      // Unsaved edits are dropped on close: the disk has no egress rules.
      client.change(uri, withEgress);
      await client.waitForDiagnostics(uri, has('NR020'));
      client.close(uri);
      await client.waitForDiagnostics(uri, lacks('NR020'), 'the disk content after close');
    });

    it('after a file is created, changed and deleted on disk (workspace/didChangeWatchedFiles)', async () => {
      const created = workspace.write('new/policy.yaml', withEgress.replace('name: lifecycle', 'name: created'));
      client.watched({ uri: created, type: 1 });
      await client.waitForDiagnostics(created, has('NR020'), 'a created file');
      workspace.write('new/policy.yaml', policyText.replace('name: lifecycle', 'name: created'));
      client.watched({ uri: created, type: 2 });
      await client.waitForDiagnostics(created, lacks('NR020'), 'a changed file');
      workspace.write('new/policy.yaml', withEgress.replace('name: lifecycle', 'name: created'));
      client.watched({ uri: created, type: 2 });
      await client.waitForDiagnostics(created, has('NR020'));
      workspace.remove('new/policy.yaml');
      client.watched({ uri: created, type: 3 });
      await client.waitForDiagnostics(created, (d) => d.length === 0, 'a deleted file is cleared');
    });

    it('an open document wins over the disk until it is closed', async () => {
      client.open(uri, withEgress);
      await client.waitForDiagnostics(uri, has('NR020'));
      // The disk changes (e.g. git checkout) while the editor holds unsaved text.
      workspace.write('lifecycle.yaml', policyText);
      await settled(client, () => client.watched({ uri, type: 2 }));
      assert.ok(codes(client.pushed(uri)).includes('NR020'), 'the editor text still counts');
      client.close(uri);
      await client.waitForDiagnostics(uri, lacks('NR020'));
    });
  });

  describe('workspace folders', () => {
    let other: TempWorkspace;

    afterEach(() => other?.dispose());

    it('a folder added later is indexed, and its diagnostics are cleared when it is removed', async () => {
      workspace = new TempWorkspace(path.join(LSP_FIXTURES, 'cross-file'));
      other = new TempWorkspace(EXAMPLES);
      client = await startOn(workspace);
      await ready(client);
      const uri = other.uri('common-mistakes/egress-ignored.yaml');
      const folder = { uri: fileUri(other.dir), name: 'examples' };
      await settled(client, () =>
        client.connection.sendNotification('workspace/didChangeWorkspaceFolders', {
          event: { added: [folder], removed: [] },
        }),
      );
      assert.ok(codes(client.pushed(uri)).includes('NR020'));
      await settled(client, () =>
        client.connection.sendNotification('workspace/didChangeWorkspaceFolders', {
          event: { added: [], removed: [folder] },
        }),
      );
      assert.deepEqual(client.pushed(uri), []);
      assert.ok(codes(client.pushed(workspace.uri('workloads.yaml'))).length > 0, 'the first folder stays');
    });

    it('a file outside every folder counts while open, and is cleared when closed', async () => {
      workspace = new TempWorkspace(path.join(LSP_FIXTURES, 'cross-file'));
      other = new TempWorkspace({
        'outside.yaml':
          'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: o, namespace: web}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress]\n  egress: [{}]\n',
      });
      client = await startOn(workspace);
      await ready(client);
      const uri = other.uri('outside.yaml');
      await settled(client, () => client.open(uri, other.read('outside.yaml')));
      assert.ok(codes(client.pushed(uri)).includes('NR020'));
      await settled(client, () => client.close(uri));
      assert.deepEqual(client.pushed(uri), []);
    });
  });

  describe('across files', () => {
    let policyUri: string;
    let workloadsUri: string;
    let workloads: string;

    beforeEach(async () => {
      workspace = new TempWorkspace(path.join(LSP_FIXTURES, 'cross-file'));
      policyUri = workspace.uri('policy.yaml');
      workloadsUri = workspace.uri('workloads.yaml');
      workloads = workspace.read('workloads.yaml');
      client = await startOn(workspace);
      await ready(client);
    });

    it("changing a Deployment's labels in one file updates a policy in another (NR029)", async () => {
      assert.ok(!codes(client.pushed(policyUri)).includes('NR029'), 'the policy selects the api pods');
      client.open(workloadsUri, workloads);
      client.change(workloadsUri, workloads.replace(/app: api\n {8}tier/, 'app: api-v2\n        tier'));
      const diagnostics = await client.waitForDiagnostics(policyUri, has('NR029'), 'NR029 once no pod carries app=api');
      const nr029 = diagnostics.find((d) => d.code === 'NR029')!;
      assert.equal(nr029.severity, 2);
      const selectorLine = find(workspace.read('policy.yaml'), 'podSelector').line;
      assert.ok(
        nr029.range.start.line >= selectorLine && nr029.range.end.line <= selectorLine + 2,
        'on spec.podSelector',
      );
      client.change(workloadsUri, workloads);
      await client.waitForDiagnostics(policyUri, lacks('NR029'), 'NR029 gone when the label is back');
    });

    it('a peer selecting nothing after the client is relabelled (NR030), and back', async () => {
      client.open(workloadsUri, workloads);
      client.change(workloadsUri, workloads.replace(/app: client\n {8}tier/, 'app: web-client\n        tier'));
      const diagnostics = await client.waitForDiagnostics(policyUri, has('NR030'), 'NR030 for the app=client peer');
      const text = workspace.read('policy.yaml');
      const nr030 = diagnostics.find((d) => d.code === 'NR030')!;
      assert.ok(nr030.range.start.line >= find(text, '- podSelector').line, 'on the peer, not the policy');
      client.change(workloadsUri, workloads);
      await client.waitForDiagnostics(policyUri, lacks('NR030'));
    });

    it('workloads moved between files on disk count from their new place', async () => {
      client.watched({ uri: workspace.remove('workloads.yaml'), type: 3 });
      const moved = workspace.write(
        'moved/workloads.yaml',
        workloads.replace(/app: api\n {8}tier/, 'app: api-v2\n        tier'),
      );
      client.watched({ uri: moved, type: 1 });
      await client.waitForDiagnostics(policyUri, has('NR029'), 'NR029 from the moved, relabelled Deployment');
      workspace.write('moved/workloads.yaml', workloads);
      client.watched({ uri: moved, type: 2 });
      await client.waitForDiagnostics(policyUri, lacks('NR029'));
    });
  });
});
