// Hovers as a user reads them: on a policy's podSelector the workloads it selects, on a
// rule its ports and peers, on a peer what it matches (AND within a peer, OR between
// peers), on a workload's name who reaches it. Long lists are capped.
import { strict as assert } from 'node:assert';
import { EXAMPLES, find, hover, hoverText, ready, startOn, TempWorkspace } from './helpers';
import type { LspClient } from './lspClient';

describe('lsp: hover', function () {
  let workspace: TempWorkspace;
  let client: LspClient;

  describe('on the examples', () => {
    before(async () => {
      workspace = new TempWorkspace(EXAMPLES);
      client = await startOn(workspace, { settings: { schema: 'off' } });
      await ready(client);
    });

    after(async () => {
      await client?.stop();
      workspace?.dispose();
    });

    const at = (file: string, needle: string, occurrence = 0) =>
      hoverText(client, workspace.uri(file), find(workspace.read(file), needle, occurrence));

    it("a policy's podSelector lists the workloads it selects, and what it lets in and out", async () => {
      const text = await at('shop/allow-app-traffic.yaml', 'pod‸Selector');
      assert.match(text, /\*\*NetworkPolicy shop\/web-from-internet\*\* isolates ingress and egress/);
      assert.match(text, /Selects 1 workload:\n- `shop\/web\[Deployment\]` \(workloads\.yaml:\d+\)/);
      // ipBlocks as written: the CIDR and its excepts, not the ranges they cut.
      assert.match(
        text,
        /\*\*Lets in:\*\*\n- rule 1: TCP http \(= TCP 8080\) from `0\.0\.0\.0\/0 except 10\.0\.0\.0\/8, 172\.16\.0\.0\/12, 192\.168\.0\.0\/16`\n/,
      );
      assert.match(text, /\*\*Lets out:\*\*\n- rule 1: TCP http \(= TCP 8080\) to `shop\/api\[Deployment\]`/);
    });

    it('a policy that selects nothing says so', async () => {
      const text = await at('common-mistakes/or-instead-of-and.yaml', 'pod‸Selector');
      assert.match(text, /Selects 1 workload:\n- `legacy\/backend\[Deployment\]`/);
      const none = await at('bookstore/api-allow.yaml', 'pod‸Selector');
      assert.match(none, /Selects 1 workload:\n- `default\/apiserver\[Pod\]`/);
    });

    it('on a rule: its ports, its peers, and the workloads they match', async () => {
      const text = await at('shop/allow-app-traffic.yaml', '- ‸to:', 1);
      assert.match(text, /^\*\*Egress rule 1\*\* of `shop\/api`/);
      assert.match(text, /\*\*Ports:\*\* TCP 5432/);
      assert.match(text, /\*\*To:\*\*\n- pods matching `app=db` in namespace `shop` \(the policy's own\)/);
      assert.match(text, /Matches 1 workload:\n- `shop\/db\[StatefulSet\]`/);
    });

    it('on a rule that policyTypes leaves out: says it is ignored', async () => {
      const text = await at('common-mistakes/egress-ignored.yaml', '- ‸to:');
      assert.match(text, /Ignored: policyTypes does not list Egress/);
    });

    it('on a peer with both selectors: AND', async () => {
      const text = await at('shop/default-deny.yaml', '- namespace‸Selector');
      assert.match(
        text,
        /pods matching `k8s-app=kube-dns` in namespaces matching `kubernetes\.io\/metadata\.name=kube-system`/,
      );
      assert.match(text, /a pod must match \*\*both\*\* \(AND\)/);
      assert.match(text, /Matches 1 workload:\n- `kube-system\/coredns\[Deployment\]`/);
    });

    it('on one of several peers: OR, and what this one matches', async () => {
      const namespacePeer = await at('common-mistakes/or-instead-of-and.yaml', '- namespace‸Selector');
      assert.match(namespacePeer, /all pods in namespaces matching `purpose=monitoring` \(`monitoring`\)/);
      assert.match(namespacePeer, /\*\*any\*\* of them .*\(OR\)/);
      assert.doesNotMatch(namespacePeer, /\(AND\)/);
      const podPeer = await at('common-mistakes/or-instead-of-and.yaml', '- pod‸Selector');
      assert.match(podPeer, /pods matching `app=prometheus` in namespace `legacy` \(the policy's own\)/);
      assert.match(podPeer, /\(OR\)/);
      assert.match(podPeer, /Matches 0 workloads\./);
    });

    it('on an ipBlock peer: the ranges, and the network-plugin caveat', async () => {
      const text = await at('shop/allow-app-traffic.yaml', 'ip‸Block');
      assert.match(
        text,
        /addresses `0\.0\.0\.0\/0 except 10\.0\.0\.0\/8, 172\.16\.0\.0\/12, 192\.168\.0\.0\/16 = 0\.0\.0\.0-9\.255\.255\.255/,
      );
      assert.match(text, /depends on the network plugin/);
    });

    it("on a workload's name: who reaches it and what it reaches", async () => {
      const text = await at('shop/workloads.yaml', 'name: w‸eb');
      assert.match(text, /^\*\*shop\/web\[Deployment\]\*\*/);
      assert.match(
        text,
        /\*\*Ingress\*\* isolated by `shop\/web-from-internet`, `shop\/default-deny-all`\. Reached by:\n- TCP 8080 from `0\.0\.0\.0-9\.255\.255\.255\[External\]`/,
      );
      assert.match(text, /\*\*Egress\*\* isolated by .*Reaches:/);
      assert.match(text, /- TCP 8080 to `shop\/api\[Deployment\]`/);
    });

    it('on a workload no policy selects: "not isolated"', async () => {
      const text = await at('bookstore/clients.yaml', 'name: fr‸ontend');
      assert.match(text, /\*\*Ingress\*\* not isolated: no policy selects it for ingress, so everything may connect\./);
      assert.match(text, /\*\*Egress\*\* not isolated/);
    });

    it('on a named port: what the name resolves to', async () => {
      const text = await at('shop/allow-app-traffic.yaml', 'port: ht‸tp');
      assert.match(text, /\*\*Ports:\*\* TCP http \(= TCP 8080\)/);
    });

    it('nothing on a comment before the object, or in a file the server does not know', async () => {
      const uri = workspace.uri('shop/allow-app-traffic.yaml');
      assert.equal(await hover(client, uri, { line: 0, character: 3 }), null);
      assert.equal(await hover(client, workspace.uri('does-not-exist.yaml'), { line: 0, character: 0 }), null);
    });

    it('answers in markdown', async () => {
      const result = await hover(
        client,
        workspace.uri('shop/workloads.yaml'),
        find(workspace.read('shop/workloads.yaml'), 'name: w‸eb'),
      );
      assert.equal((result?.contents as { kind: string }).kind, 'markdown');
    });
  });

  describe('long lists', () => {
    const count = 30;
    before(async () => {
      const deployments = Array.from({ length: count }, (_, i) =>
        [
          'apiVersion: apps/v1',
          'kind: Deployment',
          `metadata: {name: app-${String(i).padStart(2, '0')}, namespace: big}`,
          `spec: {selector: {matchLabels: {app: a${i}}}, template: {metadata: {labels: {app: a${i}, tier: t}}, spec: {containers: [{name: c, image: i}]}}}`,
        ].join('\n'),
      );
      const policy = [
        'apiVersion: networking.k8s.io/v1',
        'kind: NetworkPolicy',
        'metadata: {name: all, namespace: big}',
        'spec:',
        '  podSelector: {}',
        '  ingress:',
        '    - from:',
        '        - podSelector: {matchLabels: {tier: t}}',
      ].join('\n');
      workspace = new TempWorkspace({ 'apps.yaml': deployments.join('\n---\n') + '\n', 'policy.yaml': policy + '\n' });
      client = await startOn(workspace, { settings: { schema: 'off' } });
      await ready(client);
    });

    after(async () => {
      await client?.stop();
      workspace?.dispose();
    });

    it('a policy selecting 30 workloads shows a few and "and N more"', async () => {
      const text = await hoverText(
        client,
        workspace.uri('policy.yaml'),
        find(workspace.read('policy.yaml'), 'pod‸Selector: {}'),
      );
      assert.match(text, new RegExp(`Selects ${count} workloads:`));
      const bullets = text.split('\n').filter((l) => l.startsWith('- `big/'));
      assert.ok(bullets.length < count && bullets.length >= 3, `${bullets.length} listed`);
      assert.match(text, new RegExp(`… and ${count - bullets.length} more`));
      assert.ok(text.length < 4000, `${text.length} characters`);
    });

    it('a peer matching 30 workloads, and a workload reached by 29, are capped too', async () => {
      const peer = await hoverText(
        client,
        workspace.uri('policy.yaml'),
        find(workspace.read('policy.yaml'), '- pod‸Selector'),
      );
      assert.match(peer, new RegExp(`Matches ${count} workloads:`));
      assert.match(peer, /… and \d+ more/);
      const workload = await hoverText(
        client,
        workspace.uri('apps.yaml'),
        find(workspace.read('apps.yaml'), 'name: app‸-07'),
      );
      assert.match(workload, /and \d+ more/);
      assert.ok(workload.length < 4000, `${workload.length} characters`);
    });
  });
});
