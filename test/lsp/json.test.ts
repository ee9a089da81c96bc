// JSON manifests in the editor: diagnostics as you type and hovers, like YAML; no quick
// fixes, disable comments or completion, which would write YAML into a JSON file.
import { strict as assert } from 'node:assert';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import {
  codeActions,
  codes,
  complete,
  EXAMPLES,
  find,
  hoverText,
  ready,
  settled,
  startOn,
  TempWorkspace,
} from './helpers';
import type { LspClient } from './lspClient';

const policy = (types: string[]) =>
  JSON.stringify(
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'web-out', namespace: 'shop' },
      spec: {
        podSelector: { matchLabels: { app: 'web' } },
        policyTypes: types,
        egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }] }],
      },
    },
    null,
    2,
  ) + '\n';

describe('lsp: JSON manifests', function () {
  let workspace: TempWorkspace;
  let client: LspClient;
  const has = (code: string) => (d: Diagnostic[]) => codes(d).includes(code);
  const lacks = (code: string) => (d: Diagnostic[]) => !codes(d).includes(code);

  beforeEach(async () => {
    workspace = new TempWorkspace(EXAMPLES, { 'shop/web-out.json': policy(['Ingress']) });
    client = await startOn(workspace);
    await ready(client);
  });

  afterEach(async () => {
    await client?.stop();
    workspace?.dispose();
  });

  it('diagnostics as you type, and hovers; no fixes, no completion', async () => {
    const uri = workspace.uri('shop/web-out.json');
    const text = workspace.read('shop/web-out.json');
    await client.waitForDiagnostics(uri, has('NR020'), 'NR020 in the JSON file on disk');
    client.open(uri, text);
    await settled(client, () => client.change(uri, policy(['Ingress', 'Egress'])));
    await client.waitForDiagnostics(uri, lacks('NR020'), 'NR020 gone after typing Egress');
    client.change(uri, text);
    const diagnostics = await client.waitForDiagnostics(uri, has('NR020'), 'NR020 back');

    const hover = await hoverText(client, uri, find(text, '"pod‸Selector"'));
    assert.match(hover, /NetworkPolicy shop\/web-out/);
    assert.match(hover, /shop\/web\[Deployment\]/);

    const nr020 = diagnostics.find((d) => d.code === 'NR020')!;
    assert.deepEqual(await codeActions(client, uri, nr020.range, [nr020]), [], 'no YAML edits offered in JSON');
    assert.deepEqual(await complete(client, uri, find(text, '"app": "‸web"')), []);
  });
});
