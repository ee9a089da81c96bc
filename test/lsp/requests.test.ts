// netreach's own protocol: netreach/reachability (the view beside the editor),
// netreach/explain, netreach/workspaceFacts (snippet parameters) and the netreach/status
// notification (the status bar).
import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import type { ExplainResult, ReachabilityResult, StatusParams, WorkspaceFactsResult } from '../../server/src/protocol';
import { EXAMPLES, find, ready, settled, startOn, TempWorkspace } from './helpers';
import type { LspClient } from './lspClient';

describe('lsp: custom requests', function () {
  let workspace: TempWorkspace;
  let client: LspClient;

  before(async () => {
    workspace = new TempWorkspace(EXAMPLES);
    client = await startOn(workspace);
    await ready(client);
  });

  after(async () => {
    await client?.stop();
    workspace?.dispose();
  });

  const reachability = (params: object) =>
    client.connection.sendRequest<ReachabilityResult>('netreach/reachability', params);
  const explain = (params: object) =>
    client.connection.sendRequest<ExplainResult | { error: string }>('netreach/explain', params);

  describe('netreach/reachability', () => {
    it("on a workload's name: who reaches it and what it reaches, with locations", async () => {
      const uri = workspace.uri('shop/workloads.yaml');
      const result = await reachability({ uri, position: find(workspace.read('shop/workloads.yaml'), 'name: w‸eb') });
      assert.equal(result.kind, 'workload');
      if (result.kind !== 'workload') return;
      assert.equal(result.title, 'shop/web[Deployment]');
      assert.equal(result.workload.location?.uri, uri);
      assert.deepEqual(result.ingressPolicies.map((p) => p.name).sort(), [
        'shop/default-deny-all',
        'shop/web-from-internet',
      ]);
      assert.ok(result.ingressPolicies.every((p) => p.location.uri.startsWith('file://')));
      assert.deepEqual(
        result.outbound.map((l) => `${l.peer.name}: ${l.connections}`),
        ['kube-system/coredns[Deployment]: TCP 53,UDP 53', 'shop/api[Deployment]: TCP 8080'],
      );
      assert.ok(result.inbound.some((l) => l.peer.kind === 'external' && l.connections === 'TCP 8080'));
      assert.ok(result.deniedFrom.includes('shop/db[StatefulSet]'));
    });

    it('on a policy selecting one workload: that workload', async () => {
      const text = workspace.read('shop/allow-app-traffic.yaml');
      const result = await reachability({
        uri: workspace.uri('shop/allow-app-traffic.yaml'),
        position: find(text, 'pod‸Selector'),
      });
      assert.equal(result.kind, 'workload');
      assert.equal(result.title, 'shop/web[Deployment]');
    });

    it('of a namespace: a matrix of its workloads', async () => {
      const result = await reachability({ namespace: 'shop' });
      assert.equal(result.kind, 'matrix');
      if (result.kind !== 'matrix') return;
      const names = result.endpoints.map((e) => e.name);
      assert.deepEqual(names, ['shop/web[Deployment]', 'shop/api[Deployment]', 'shop/db[StatefulSet]']);
      const cell = (from: string, to: string) => result.cells[names.indexOf(from)][names.indexOf(to)];
      assert.equal(cell('shop/web[Deployment]', 'shop/api[Deployment]'), 'TCP 8080');
      assert.equal(cell('shop/api[Deployment]', 'shop/db[StatefulSet]'), 'TCP 5432');
      assert.equal(cell('shop/web[Deployment]', 'shop/db[StatefulSet]'), '', 'denied');
      assert.equal(cell('shop/web[Deployment]', 'shop/web[Deployment]'), '', 'no self cell');
    });

    it('of a file: its workloads', async () => {
      const result = await reachability({ uri: workspace.uri('bookstore/clients.yaml') });
      assert.equal(result.kind, 'matrix');
      if (result.kind === 'matrix')
        assert.deepEqual(
          result.endpoints.map((e) => e.name),
          ['default/frontend[Pod]', 'default/test[Pod]'],
        );
    });

    it('nothing there: kind none with a message', async () => {
      const result = await reachability({ namespace: 'nope' });
      assert.equal(result.kind, 'none');
      if (result.kind === 'none') assert.match(result.message, /No workloads here/);
      assert.equal(
        (await reachability({ uri: workspace.uri('missing.yaml'), position: { line: 0, character: 0 } })).kind,
        'none',
      );
    });
  });

  describe('netreach/explain', () => {
    it('an allowed connection: both sides and the rules that allow it', async () => {
      const result = await explain({ from: 'shop/web', to: 'shop/api', port: 'TCP/8080' });
      assert.ok(!('error' in result), JSON.stringify(result));
      if ('error' in result) return;
      assert.equal(result.verdict, 'allowed');
      assert.equal(result.allowed, 'TCP 8080');
      assert.equal(result.egress.governed, true);
      assert.deepEqual(
        result.egress.rules.map((r) => `${r.policy} ${r.rule}`),
        ['shop/web-from-internet 1'],
      );
      assert.deepEqual(
        result.ingress.rules.map((r) => `${r.policy} ${r.rule}`),
        ['shop/api 1'],
      );
      assert.ok(result.ingress.rules[0].location.uri.endsWith('shop/allow-app-traffic.yaml'));
      assert.match(result.text, /TCP\/8080: ALLOWED/);
    });

    it('a denied connection', async () => {
      const result = await explain({ from: 'shop/web', to: 'shop/db', port: 'TCP/5432' });
      assert.ok(!('error' in result));
      if ('error' in result) return;
      assert.equal(result.verdict, 'denied');
      assert.match(result.text, /DENIED/);
    });

    it('from an IP address', async () => {
      const result = await explain({ from: '8.8.8.8', to: 'shop/web', port: 'TCP/8080' });
      assert.ok(!('error' in result), JSON.stringify(result));
      if (!('error' in result)) assert.equal(result.verdict, 'allowed');
    });

    it('errors are answers, not failures', async () => {
      assert.deepEqual(await explain({ from: 'shop/nope', to: 'shop/api' }), {
        error: 'shop/nope: no such workload in the manifests',
      });
      assert.match(
        ((await explain({ from: 'shop/web', to: 'shop/api', port: 'bad' })) as { error: string }).error,
        /expected PROTOCOL\/PORT/,
      );
    });
  });

  it('netreach/workspaceFacts: namespaces and workloads with labels and ports', async () => {
    const facts = await client.connection.sendRequest<WorkspaceFactsResult>('netreach/workspaceFacts', {});
    assert.deepEqual(facts.namespaces, ['default', 'kube-system', 'legacy', 'monitoring', 'shop']);
    const api = facts.workloads.find((w) => w.namespace === 'shop' && w.name === 'api');
    assert.deepEqual(api, {
      name: 'api',
      namespace: 'shop',
      labels: { app: 'api', tier: 'backend' },
      ports: ['TCP/8080 (http)', 'TCP/9090 (metrics)'],
    });
  });

  it('netreach/status: indexing, analyzing, then ready with counts; again after an edit', async () => {
    const statuses = () =>
      client.notifications.filter((n) => n.method === 'netreach/status').map((n) => n.params as StatusParams);
    const first = statuses();
    assert.equal(first[0].state, 'indexing');
    const firstReady = first.find((s) => s.state === 'ready')!;
    assert.ok(first.indexOf(firstReady) > first.findIndex((s) => s.state === 'analyzing'));
    const files = readdirSync(workspace.dir, { recursive: true, encoding: 'utf8' }).filter((f) =>
      /\.(ya?ml|json)$/.test(f),
    );
    assert.equal(firstReady.files, files.length);
    const facts = await client.connection.sendRequest<WorkspaceFactsResult>('netreach/workspaceFacts', {});
    assert.equal(firstReady.workloads, facts.workloads.length);
    assert.ok(firstReady.policies >= 10);
    assert.ok(firstReady.errors >= 1, 'NR020 in common-mistakes');
    assert.ok(firstReady.warnings >= 1);

    const uri = workspace.uri('common-mistakes/egress-ignored.yaml');
    const text = workspace.read('common-mistakes/egress-ignored.yaml');
    await settled(client, () => client.open(uri, text.replace('    - Ingress', '    - Ingress\n    - Egress')));
    const last = statuses().at(-1)!;
    assert.equal(last.state, 'ready');
    assert.equal(last.errors, firstReady.errors - 1, 'the NR020 error is gone');
    client.close(uri);
  });
});

describe('lsp: netreach/reachability on files left out of the analysis', function () {
  let workspace: TempWorkspace;
  let client: LspClient;

  before(async () => {
    workspace = new TempWorkspace(EXAMPLES, {
      'chart/Chart.yaml': 'apiVersion: v2\nname: demo\nversion: 0.1.0\n',
      'chart/templates/deployment.yaml':
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n  labels:\n    {{- include "demo.labels" . | nindent 4 }}\n',
      'overlay/kustomization.yaml': 'resources: [../shop]\npatches:\n  - path: replicas.yaml\n',
      'overlay/replicas.yaml':
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec: {replicas: 3}\n',
    });
    client = await startOn(workspace);
    await ready(client);
  });

  after(async () => {
    await client?.stop();
    workspace?.dispose();
  });

  const reachabilityOf = (file: string) =>
    client.connection.sendRequest<ReachabilityResult>('netreach/reachability', {
      uri: workspace.uri(file),
      position: { line: 1, character: 0 },
    });

  it('a Helm template: says to render it', async () => {
    const result = await reachabilityOf('chart/templates/deployment.yaml');
    assert.equal(result.kind, 'none');
    if (result.kind === 'none') assert.match(result.message, /template .*helm template/);
  });

  it('a kustomize patch: says it changes objects defined elsewhere, and the base keeps its labels', async () => {
    const result = await reachabilityOf('overlay/replicas.yaml');
    assert.equal(result.kind, 'none');
    if (result.kind === 'none') assert.match(result.message, /kustomize patch/);
    const base = await client.connection.sendRequest<ReachabilityResult>('netreach/reachability', {
      uri: workspace.uri('shop/workloads.yaml'),
      position: find(workspace.read('shop/workloads.yaml'), 'name: w‸eb'),
    });
    assert.equal(base.kind, 'workload', JSON.stringify(base));
  });
});
