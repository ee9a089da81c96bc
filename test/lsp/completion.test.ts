// Completion while typing a policy: label keys and values from the workspace inside
// selectors, namespace names for kubernetes.io/metadata.name, matchExpressions keys and
// values, named ports of the destination pods; schema fields (policyTypes values, spec
// keys) from yaml-language-server unless the Red Hat YAML extension is there to do it.
// Each case is the text of a document being typed, with ‸ at the cursor.
import { strict as assert } from 'node:assert';
import type { CompletionItem, TextEdit } from 'vscode-languageserver-protocol';
import { applyEdits, complete, EXAMPLES, labels, positionAt, ready, settled, startOn, TempWorkspace } from './helpers';
import type { LspClient } from './lspClient';

const HEADER =
  'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: typing\n  namespace: shop\nspec:\n';

interface Case {
  readonly name: string;
  /** The spec's body after HEADER (already indented), with ‸ at the cursor. */
  readonly body: string;
  /** Labels that must be offered, in this order when `ordered`. */
  readonly offered: readonly string[];
  readonly ordered?: boolean;
  readonly notOffered?: readonly string[];
  /** The text of the cursor's line after accepting the first offered item. */
  readonly accepted?: string;
}

const CASES: Case[] = [
  {
    name: 'pod label keys inside a podSelector matchLabels (the policy namespace)',
    body: '  podSelector:\n    matchLabels:\n      ‸\n',
    offered: ['app', 'tier'],
    notOffered: ['k8s-app', 'role', 'run'],
    accepted: '      app: ',
  },
  {
    name: 'pod label values after the key',
    body: '  podSelector:\n    matchLabels:\n      app: ‸\n',
    offered: ['web', 'api', 'db'],
    notOffered: ['bookstore', 'frontend'],
    accepted: '      app: web',
  },
  {
    name: 'values replace what is typed so far',
    body: '  podSelector:\n    matchLabels:\n      app: a‸\n',
    offered: ['api'],
    accepted: '      app: api',
  },
  {
    name: 'namespace label keys in a namespaceSelector, kubernetes.io/metadata.name first',
    body: '  podSelector: {}\n  ingress:\n    - from:\n        - namespaceSelector:\n            matchLabels:\n              ‸\n',
    offered: ['kubernetes.io/metadata.name', 'purpose', 'team'],
    ordered: true,
    notOffered: ['app'],
  },
  {
    name: 'namespace names as values of kubernetes.io/metadata.name',
    body: '  podSelector: {}\n  ingress:\n    - from:\n        - namespaceSelector:\n            matchLabels:\n              kubernetes.io/metadata.name: ‸\n',
    offered: ['default', 'kube-system', 'legacy', 'monitoring', 'shop'],
    notOffered: ['web'],
  },
  {
    name: 'pod label keys in a peer podSelector',
    body: '  podSelector: {}\n  ingress:\n    - from:\n        - podSelector:\n            matchLabels:\n              ‸\n',
    offered: ['app', 'tier'],
  },
  {
    name: 'matchExpressions key',
    body: '  podSelector:\n    matchExpressions:\n      - key: ‸\n',
    offered: ['app', 'tier'],
    accepted: '      - key: app',
  },
  {
    name: 'matchExpressions values of the key above',
    body: '  podSelector:\n    matchExpressions:\n      - key: tier\n        operator: In\n        values:\n          - ‸\n',
    offered: ['frontend', 'backend', 'data'],
    notOffered: ['web'],
  },
  {
    name: 'named ports of the selected pods in an ingress rule',
    body: '  podSelector:\n    matchLabels:\n      app: api\n  ingress:\n    - ports:\n        - port: ‸\n',
    offered: ['http', 'metrics'],
    notOffered: ['postgres'],
  },
  {
    name: 'named ports of the peer pods in an egress rule',
    body: '  podSelector: {}\n  egress:\n    - to:\n        - podSelector:\n            matchLabels:\n              app: db\n      ports:\n        - port: ‸\n',
    offered: ['postgres'],
    notOffered: ['metrics'],
  },
];

function split(body: string): { text: string; offset: number } {
  const raw = HEADER + body;
  return { text: raw.replace('‸', ''), offset: raw.indexOf('‸') };
}

describe('lsp: completion', function () {
  let workspace: TempWorkspace;
  let client: LspClient;
  let serial = 0;

  async function completeIn(body: string): Promise<{ items: CompletionItem[]; text: string; offset: number }> {
    const { text, offset } = split(body);
    const uri = workspace.uri(`shop/typing-${serial++}.yaml`);
    await settled(client, () => client.open(uri, text));
    return { items: await complete(client, uri, positionAt(text, offset)), text, offset };
  }

  describe('from the workspace', () => {
    before(async () => {
      workspace = new TempWorkspace(EXAMPLES);
      client = await startOn(workspace);
      await ready(client);
    });

    after(async () => {
      await client?.stop();
      workspace?.dispose();
    });

    for (const c of CASES) {
      it(c.name, async () => {
        const { items, text, offset } = await completeIn(c.body);
        const offered = labels(items);
        for (const label of c.offered)
          assert.ok(offered.includes(label), `${label} offered (got ${offered.join(', ')})`);
        for (const label of c.notOffered ?? [])
          assert.ok(!offered.includes(label), `${label} not offered (got ${offered.join(', ')})`);
        if (c.ordered) assert.deepEqual(offered.slice(0, c.offered.length), c.offered);
        if (c.accepted) {
          const first = items.find((i) => i.label === c.offered[0]) ?? items[0];
          const edit = first.textEdit as TextEdit;
          assert.ok(edit && 'range' in edit, 'a text edit with a range');
          const after = applyEdits(text, [edit, ...((first.additionalTextEdits as TextEdit[]) ?? [])]);
          const line = after.split('\n')[positionAt(text, offset).line];
          assert.equal(line, c.accepted);
        }
      });
    }

    it('quotes values that YAML would read as another type', async () => {
      const extra = workspace.write(
        'quoted.yaml',
        'apiVersion: v1\nkind: Pod\nmetadata: {name: q, namespace: shop, labels: {version: "1.10", enabled: "true"}}\nspec: {containers: [{name: c, image: i}]}\n',
      );
      await settled(client, () => client.watched({ uri: extra, type: 1 }));
      const version = await completeIn('  podSelector:\n    matchLabels:\n      version: ‸\n');
      assert.deepEqual(
        version.items.map((i) => (i.textEdit as TextEdit).newText),
        ['"1.10"'],
      );
      const enabled = await completeIn('  podSelector:\n    matchLabels:\n      enabled: ‸\n');
      assert.deepEqual(
        enabled.items.map((i) => (i.textEdit as TextEdit).newText),
        ['"true"'],
      );
    });

    it('nothing from the workspace outside selectors and ports, or in a Deployment', async () => {
      const { items } = await completeIn(
        '  podSelector: {}\n  policyTypes: [Ingress]\n  ingress:\n    - from:\n        - ipBlock:\n            cidr: ‸\n',
      );
      assert.ok(!labels(items).includes('app'));
      const uri = workspace.uri('shop/deployment-typing.yaml');
      const deployment =
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x, namespace: shop}\nspec:\n  selector:\n    matchLabels:\n      ';
      await settled(client, () => client.open(uri, deployment));
      assert.deepEqual(await complete(client, uri, positionAt(deployment, deployment.length)), []);
    });

    it('answers at the start of a document whose first line is empty (no endless loop)', async function () {
      this.timeout(90000);
      const uri = workspace.uri('shop/blank-first-line.yaml');
      const text = `\n${HEADER}  podSelector: {}\n`;
      await settled(client, () => client.open(uri, text));
      const answer = (position: { line: number; character: number }) =>
        Promise.race([
          complete(client, uri, position),
          new Promise<never>((_, reject) =>
            setTimeout(
              () => reject(new Error(`no completion at ${JSON.stringify(position)} within 20 s`)),
              20000,
            ).unref(),
          ),
        ]);
      await answer({ line: 0, character: 0 });
      await answer({ line: 1, character: 0 });
      await answer(positionAt(text, text.length));
    });

    it('schema completion: policyTypes values and spec keys', async () => {
      const types = await completeIn('  podSelector: {}\n  policyTypes:\n    - ‸\n');
      assert.deepEqual(labels(types.items).sort(), ['Egress', 'Ingress']);
      const keys = await completeIn('  podSelector: {}\n  ‸\n');
      for (const key of ['policyTypes', 'ingress', 'egress'])
        assert.ok(labels(keys.items).includes(key), `${key} (got ${labels(keys.items).join(', ')})`);
      assert.ok(!labels(keys.items).includes('podSelector'), 'a key already written is not offered again');
    });

    it('no snippet syntax for a client without snippet support', async () => {
      const keys = await completeIn('  podSelector: {}\n  ‸\n');
      assert.ok(keys.items.length > 0);
      for (const item of keys.items) {
        assert.notEqual(item.insertTextFormat, 2, `${item.label} is a snippet`);
        const text = (item.textEdit as TextEdit | undefined)?.newText ?? item.insertText ?? item.label;
        assert.doesNotMatch(text, /\$\{?\d/, `${item.label}: ${text}`);
      }
    });
  });

  describe('schema completion is left to the Red Hat YAML extension when it is present', () => {
    afterEach(async () => {
      await client?.stop();
      workspace?.dispose();
    });

    it('yamlExtensionPresent with schema: auto: no field completion, workspace completion stays', async () => {
      workspace = new TempWorkspace(EXAMPLES);
      client = await startOn(workspace, { initializationOptions: { yamlExtensionPresent: true } });
      await ready(client);
      assert.deepEqual(labels((await completeIn('  podSelector: {}\n  policyTypes:\n    - ‸\n')).items), []);
      assert.deepEqual(labels((await completeIn('  podSelector: {}\n  ‸\n')).items), []);
      assert.ok(labels((await completeIn('  podSelector:\n    matchLabels:\n      app: ‸\n')).items).includes('web'));
    });

    it('yamlExtensionPresent with schema: on: field completion anyway', async () => {
      workspace = new TempWorkspace(EXAMPLES);
      client = await startOn(workspace, {
        initializationOptions: { yamlExtensionPresent: true },
        settings: { schema: 'on' },
      });
      await ready(client);
      assert.deepEqual(labels((await completeIn('  podSelector: {}\n  policyTypes:\n    - ‸\n')).items).sort(), [
        'Egress',
        'Ingress',
      ]);
    });

    it('a client with snippet support gets snippets', async () => {
      workspace = new TempWorkspace(EXAMPLES);
      client = await startOn(workspace, {
        capabilities: { textDocument: { completion: { completionItem: { snippetSupport: true } } } },
      });
      await ready(client);
      const items = (await completeIn('  podSelector: {}\n  ‸\n')).items;
      assert.ok(items.some((i) => i.insertTextFormat === 2));
    });

    it('schema: off: no field completion', async () => {
      workspace = new TempWorkspace(EXAMPLES);
      client = await startOn(workspace, { settings: { schema: 'off' } });
      await ready(client);
      assert.deepEqual(labels((await completeIn('  podSelector: {}\n  policyTypes:\n    - ‸\n')).items), []);
    });
  });
});
