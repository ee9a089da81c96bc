// Pull diagnostics (a client that announces `textDocument.diagnostic`): the server answers
// textDocument/diagnostic and workspace/diagnostic with result ids, says `unchanged` when
// nothing changed, and asks the client to pull again (workspace/diagnostic/refresh) after
// every change instead of pushing.
import { strict as assert } from 'node:assert';
import path from 'node:path';
import type {
  Diagnostic,
  DocumentDiagnosticReport,
  WorkspaceDiagnosticReport,
  WorkspaceDocumentDiagnosticReport,
} from 'vscode-languageserver-protocol';
import { codes, EXAMPLES, LSP_FIXTURES, ready, startOn, TempWorkspace } from './helpers';
import type { LspClient } from './lspClient';

function pullDocument(client: LspClient, uri: string, previousResultId?: string): Promise<DocumentDiagnosticReport> {
  return client.connection.sendRequest('textDocument/diagnostic', {
    textDocument: { uri },
    ...(previousResultId ? { previousResultId } : {}),
  });
}

function pullWorkspace(
  client: LspClient,
  previous: { uri: string; value: string }[] = [],
): Promise<WorkspaceDiagnosticReport> {
  return client.connection.sendRequest('workspace/diagnostic', { previousResultIds: previous });
}

function full(report: DocumentDiagnosticReport): Diagnostic[] {
  assert.equal(report.kind, 'full', `expected a full report, got ${JSON.stringify(report)}`);
  return (report as { items: Diagnostic[] }).items;
}

function reportOf(report: WorkspaceDiagnosticReport, uri: string): WorkspaceDocumentDiagnosticReport | undefined {
  return report.items.find((r) => r.uri === uri);
}

describe('lsp: pull diagnostics', function () {
  let workspace: TempWorkspace;
  let client: LspClient;

  afterEach(async () => {
    await client?.stop();
    workspace?.dispose();
  });

  it('announces a diagnostic provider only to clients that pull', async () => {
    workspace = new TempWorkspace(path.join(LSP_FIXTURES, 'cross-file'));
    client = await startOn(workspace, { pull: true });
    const provider = client.initializeResult?.capabilities.diagnosticProvider as {
      interFileDependencies?: boolean;
      workspaceDiagnostics?: boolean;
    };
    assert.ok(provider, 'diagnosticProvider');
    assert.equal(provider.interFileDependencies, true, 'a policy depends on workloads in other files');
    assert.equal(provider.workspaceDiagnostics, true);
    await client.stop();
    client = await startOn(workspace);
    assert.equal(client.initializeResult?.capabilities.diagnosticProvider, undefined, 'push clients get no provider');
  });

  it('reports the workspace through workspace/diagnostic, without pushing', async () => {
    workspace = new TempWorkspace(EXAMPLES);
    client = await startOn(workspace, { pull: true });
    await ready(client);
    const uri = workspace.uri('common-mistakes/egress-ignored.yaml');
    const first = await pullWorkspace(client);
    const report = reportOf(first, uri);
    assert.ok(report && report.kind === 'full', 'a full report for a file nobody opened');
    assert.ok(codes(report.items).includes('NR020'));
    assert.ok(report.resultId, 'with a result id');
    assert.equal(client.pushed(uri), undefined, 'nothing is pushed to a pulling client');

    // Asked again with the result ids it gave: every file is unchanged.
    const previous = first.items.map((r) => ({ uri: r.uri, value: r.resultId! }));
    const second = await pullWorkspace(client, previous);
    assert.ok(second.items.length > 0);
    for (const item of second.items) assert.equal(item.kind, 'unchanged', `${item.uri} should be unchanged`);
  });

  it('textDocument/diagnostic: full, then unchanged, then full again after an edit; a refresh request after each change', async () => {
    workspace = new TempWorkspace(path.join(LSP_FIXTURES, 'cross-file'));
    client = await startOn(workspace, { pull: true });
    await ready(client);
    const uri = workspace.uri('policy.yaml');
    const text = workspace.read('policy.yaml');
    client.open(uri, text);
    const first = await pullDocument(client, uri);
    assert.ok(!codes(full(first)).includes('NR020'));
    const resultId = (first as { resultId?: string }).resultId;
    assert.ok(resultId);
    const again = await pullDocument(client, uri, resultId);
    assert.deepEqual(again, { kind: 'unchanged', resultId });

    const refreshes = client.refreshRequests;
    client.change(uri, text + '  egress:\n    - to:\n        - podSelector: {}\n');
    await client.waitFor('a diagnostic refresh request', () => client.refreshRequests > refreshes);
    const third = await pullDocument(client, uri, resultId);
    const items = full(third);
    assert.ok(codes(items).includes('NR020'));
    assert.notEqual((third as { resultId?: string }).resultId, resultId);
  });

  it('workspace/diagnostic leaves open documents to document pulls, and reports a cross-file change', async () => {
    workspace = new TempWorkspace(path.join(LSP_FIXTURES, 'cross-file'));
    client = await startOn(workspace, { pull: true });
    await ready(client);
    const policyUri = workspace.uri('policy.yaml');
    const workloadsUri = workspace.uri('workloads.yaml');
    const workloads = workspace.read('workloads.yaml');
    const before = await pullWorkspace(client);
    const previous = before.items.map((r) => ({ uri: r.uri, value: r.resultId! }));
    const policyBefore = reportOf(before, policyUri);
    assert.ok(!codes(policyBefore?.kind === 'full' ? policyBefore.items : []).includes('NR029'));

    client.open(workloadsUri, workloads);
    const refreshes = client.refreshRequests;
    client.change(workloadsUri, workloads.replace(/app: api\n {8}tier/, 'app: api-v2\n        tier'));
    await client.waitFor('a diagnostic refresh request', () => client.refreshRequests > refreshes);
    const after = await pullWorkspace(client, previous);
    assert.equal(reportOf(after, workloadsUri), undefined, 'the open document is not in the workspace report');
    const policyAfter = reportOf(after, policyUri);
    assert.ok(policyAfter && policyAfter.kind === 'full', 'the policy file changed');
    assert.ok(codes(policyAfter.items).includes('NR029'));
  });
});
