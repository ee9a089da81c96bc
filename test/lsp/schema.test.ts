// Schema validation of NetworkPolicy documents through yaml-language-server: a problem the
// schema sees and netreach does not is reported (source "netreach (schema)"); one that
// netreach reports itself is not reported twice; other kinds in the same file are left
// alone. Push and pull.
import { strict as assert } from 'node:assert';
import path from 'node:path';
import type { Diagnostic, DocumentDiagnosticReport, Range } from 'vscode-languageserver-protocol';
import { LSP_FIXTURES, ready, startOn, TempWorkspace } from './helpers';
import type { LspClient } from './lspClient';

const SCHEMA = 'netreach (schema)';

const TEXT = [
  // Document 1: an apiVersion the schema does not accept (netreach has no check for it).
  'apiVersion: networking.k8s.io/v2',
  'kind: NetworkPolicy',
  'metadata: {name: a, namespace: web}',
  'spec:',
  '  podSelector: {}',
  '---',
  // Document 2: enum problems netreach reports itself (NR008).
  'apiVersion: networking.k8s.io/v1',
  'kind: NetworkPolicy',
  'metadata: {name: b, namespace: web}',
  'spec:',
  '  podSelector: {}',
  '  policyTypes:',
  '    - Ingres',
  '  ingress:',
  '    - ports:',
  '        - protocol: ICMP',
  '---',
  // Document 3: a Deployment with a field the NetworkPolicy schema would never accept.
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata: {name: x, namespace: web}',
  'spec:',
  '  replicas: many',
  '  policyTypes: 7',
  '  selector: {matchLabels: {app: x}}',
  '  template:',
  '    metadata: {labels: {app: x}}',
  '    spec: {containers: [{name: c, image: i}]}',
  '',
].join('\n');

const overlaps = (a: Range, b: Range) =>
  (a.start.line < b.end.line || (a.start.line === b.end.line && a.start.character < b.end.character)) &&
  (b.start.line < a.end.line || (b.start.line === a.end.line && b.start.character < a.end.character));

function check(diagnostics: readonly Diagnostic[]): void {
  const schema = diagnostics.filter((d) => d.source === SCHEMA);
  const own = diagnostics.filter((d) => d.source === 'netreach');
  assert.ok(
    schema.some((d) => d.range.start.line === 0 && /networking\.k8s\.io\/v1/.test(String(d.message))),
    `the wrong apiVersion is reported by the schema: ${JSON.stringify(schema)}`,
  );
  assert.deepEqual(
    own.filter((d) => d.code === 'NR008').map((d) => d.range.start.line),
    [12, 15],
    'netreach reports the wrong policy type and protocol',
  );
  for (const s of schema) {
    for (const o of own)
      assert.ok(!overlaps(s.range, o.range), `schema "${s.message}" duplicates ${o.code} "${o.message}"`);
    assert.ok(s.range.start.line < 17, `no schema diagnostic in the Deployment: ${JSON.stringify(s)}`);
  }
}

describe('lsp: schema diagnostics', function () {
  let workspace: TempWorkspace;
  let client: LspClient;

  beforeEach(() => {
    workspace = new TempWorkspace(path.join(LSP_FIXTURES, 'cross-file'), { 'typing.yaml': TEXT });
  });

  afterEach(async () => {
    await client?.stop();
    workspace?.dispose();
  });

  it('push: a schema problem is reported, never twice with a netreach finding, never in a Deployment', async () => {
    client = await startOn(workspace);
    await ready(client);
    const uri = workspace.uri('typing.yaml');
    client.open(uri, TEXT);
    check(await client.waitForDiagnostics(uri, (d) => d.some((x) => x.source === SCHEMA), 'schema diagnostics'));
  });

  it('with the netreach check turned off, the schema reports the same problem instead', async () => {
    client = await startOn(workspace, { settings: { checks: { NR008: 'off' } } });
    await ready(client);
    const uri = workspace.uri('typing.yaml');
    client.open(uri, TEXT);
    const diagnostics = await client.waitForDiagnostics(
      uri,
      (d) => d.filter((x) => x.source === SCHEMA).length >= 2,
      'schema diagnostics',
    );
    assert.ok(
      diagnostics.some((d) => d.source === SCHEMA && d.range.start.line === 12),
      `the schema sees "Ingres": ${JSON.stringify(diagnostics)}`,
    );
  });

  it('pull: the document report carries the schema problems too', async () => {
    client = await startOn(workspace, { pull: true });
    await ready(client);
    const uri = workspace.uri('typing.yaml');
    client.open(uri, TEXT);
    const report: DocumentDiagnosticReport = await client.connection.sendRequest('textDocument/diagnostic', {
      textDocument: { uri },
    });
    assert.equal(report.kind, 'full');
    check((report as { items: Diagnostic[] }).items);
  });

  it('no schema diagnostics when the YAML extension validates (schema: auto) or schema is off', async () => {
    client = await startOn(workspace, { initializationOptions: { yamlExtensionPresent: true }, pull: true });
    await ready(client);
    const uri = workspace.uri('typing.yaml');
    client.open(uri, TEXT);
    const report: DocumentDiagnosticReport = await client.connection.sendRequest('textDocument/diagnostic', {
      textDocument: { uri },
    });
    const items = (report as { items: Diagnostic[] }).items;
    assert.deepEqual(
      items.filter((d) => d.source === SCHEMA),
      [],
    );
    assert.ok(
      items.some((d) => d.code === 'NR008'),
      'netreach findings stay',
    );
  });
});
