// The pure parts of live probing: verdicts (docs/probing.md), the normalisation that decides
// whether a policy in the files differs from the cluster's, port choice on a destination, and
// the identity a probe pod carries.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildWorkspace, ReachabilityIndex, type Protocol } from '../../../server/src/engine';
import type { Observed } from '../../../server/src/cluster/runner';
import {
  choosePort,
  clusterSourceFiles,
  comparePolicies,
  currentContextName,
  editorScope,
  identityLabels,
  judge,
  nodeVersionProblem,
  normalizePolicySpec,
  portsThatMatter,
  referencedLabelKeys,
  rowsData,
} from '../../../server/src/probe';
import { renderProbeResults } from '../../../client/src/viewHtml';

describe('probe verdicts', () => {
  const cases: [Protocol, 'allowed' | 'denied', Observed, string][] = [
    ['TCP', 'allowed', 'connected', 'match'],
    ['TCP', 'denied', 'connected', 'mismatch'],
    ['TCP', 'denied', 'timeout', 'match'],
    ['TCP', 'allowed', 'timeout', 'mismatch'],
    ['TCP', 'allowed', 'refused', 'match'],
    ['TCP', 'denied', 'refused', 'inconclusive'],
    ['TCP', 'allowed', 'dns', 'inconclusive'],
    ['TCP', 'denied', 'other', 'inconclusive'],
    ['TCP', 'allowed', 'error', 'inconclusive'],
    ['UDP', 'denied', 'timeout', 'inconclusive'],
    ['UDP', 'allowed', 'timeout', 'inconclusive'],
    ['UDP', 'allowed', 'connected', 'match'],
    ['UDP', 'denied', 'connected', 'mismatch'],
    ['SCTP', 'allowed', 'error', 'inconclusive'],
  ];
  for (const [protocol, predicted, observed, verdict] of cases) {
    it(`${protocol} predicted ${predicted}, observed ${observed}: ${verdict}`, () => {
      assert.equal(judge({ protocol, predicted }, observed).verdict, verdict);
    });
  }

  it('says "allowed, port closed" for REFUSED when allowed, and never doubles "not probed"', () => {
    assert.match(judge({ protocol: 'TCP', predicted: 'allowed' }, 'refused').reason, /^allowed, port closed/);
    assert.equal(
      judge({ protocol: 'SCTP', predicted: 'allowed' }, 'error', 'not probed: SCTP probing is off by default').reason,
      'not probed: SCTP probing is off by default',
    );
    assert.equal(
      judge({ protocol: 'TCP', predicted: 'allowed' }, 'error', 'cancelled').reason,
      'not probed: cancelled',
    );
  });
});

describe('policy spec normalisation (files versus cluster)', () => {
  it('fills in what the API server defaults and ignores order where order means nothing', () => {
    const written = {
      podSelector: { matchLabels: { app: 'web', tier: 'a' } },
      ingress: [
        { from: [{ podSelector: { matchLabels: { b: '1' } } }, { namespaceSelector: {} }], ports: [{ port: 80 }] },
      ],
      egress: [],
    };
    const stored = {
      podSelector: { matchLabels: { tier: 'a', app: 'web' } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          ports: [{ protocol: 'TCP', port: 80 }],
          from: [{ namespaceSelector: {} }, { podSelector: { matchLabels: { b: '1' } } }],
        },
      ],
    };
    assert.deepEqual(normalizePolicySpec(written), normalizePolicySpec(stored));
  });

  it('defaults policyTypes to Ingress plus Egress when egress rules exist', () => {
    assert.deepEqual(normalizePolicySpec({ egress: [{}] }).policyTypes, ['Egress', 'Ingress']);
    assert.deepEqual(normalizePolicySpec({}).policyTypes, ['Ingress']);
    assert.deepEqual(normalizePolicySpec({ policyTypes: ['Egress'] }).policyTypes, ['Egress']);
  });

  it('keeps what changes meaning: an empty rule is not an absent one, values of In, ports', () => {
    assert.notDeepEqual(normalizePolicySpec({ ingress: [{}] }), normalizePolicySpec({ ingress: [] }));
    const a = { podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['b', 'a'] }] } };
    const b = { podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['a', 'b'] }] } };
    const c = { podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['a'] }] } };
    assert.deepEqual(normalizePolicySpec(a), normalizePolicySpec(b));
    assert.notDeepEqual(normalizePolicySpec(a), normalizePolicySpec(c));
    assert.notDeepEqual(
      normalizePolicySpec({ ingress: [{ ports: [{ port: 80 }] }] }),
      normalizePolicySpec({ ingress: [{ ports: [{ port: 80, protocol: 'UDP' }] }] }),
    );
  });

  it('reports missing, different and extra policies by namespace/name', () => {
    const files = buildWorkspace([
      {
        uri: 'a.yaml',
        text: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: same, namespace: shop}
spec: {podSelector: {}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: changed, namespace: shop}
spec: {podSelector: {}, ingress: [{ports: [{port: 80}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: new, namespace: shop}
spec: {podSelector: {}}
`,
      },
    ]);
    const live = (name: string, spec: Record<string, unknown>, namespace = 'shop') => ({
      kind: 'NetworkPolicy',
      metadata: { name, namespace },
      spec,
    });
    const differences = comparePolicies(files.policies, [
      live('same', { podSelector: {}, policyTypes: ['Ingress'] }),
      live('changed', {
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [{ ports: [{ protocol: 'TCP', port: 8080 }] }],
      }),
      live('old', { podSelector: {} }),
      live('elsewhere', { podSelector: {} }, 'other'),
    ]);
    assert.deepEqual(
      differences.map((d) => `${d.kind} ${d.id} ${d.parts.join(',')}`),
      ['differs shop/changed ingress rule 1', 'missing-in-cluster shop/new ', 'extra-in-cluster shop/old '],
    );
  });
});

describe('probe ports and identities', () => {
  const workspace = buildWorkspace(
    clusterSourceFiles({
      namespaces: [],
      services: [],
      networkPolicies: [
        {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: 'web', namespace: 'shop' },
          spec: {
            podSelector: { matchLabels: { app: 'web' } },
            policyTypes: ['Ingress'],
            ingress: [
              {
                from: [{ podSelector: { matchExpressions: [{ key: 'role', operator: 'Exists' }] } }],
                ports: [{ port: 'metrics' }],
              },
              { ports: [{ protocol: 'TCP', port: 7000, endPort: 7100 }] },
            ],
          },
        },
      ],
      pods: [
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: 'web-abc-1',
            namespace: 'shop',
            labels: { app: 'web', 'pod-template-hash': 'abc' },
            ownerReferences: [
              { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'u', controller: true },
            ],
          },
          spec: {
            containers: [
              {
                name: 'web',
                ports: [
                  { containerPort: 8080, name: 'http' },
                  { containerPort: 9090, name: 'metrics' },
                ],
              },
            ],
          },
          status: { phase: 'Running', podIP: '10.0.0.1' },
        },
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: 'client',
            namespace: 'shop',
            labels: { role: 'x', app: 'client', team: 'blue', 'job-name': 'j' },
          },
          spec: { containers: [{ name: 'c' }] },
          status: { phase: 'Running', podIP: '10.0.0.2' },
        },
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: 'netreach-old-0',
            namespace: 'shop',
            labels: { 'app.kubernetes.io/managed-by': 'netreach' },
          },
          spec: { containers: [{ name: 'probe' }] },
          status: { phase: 'Running', podIP: '10.0.0.3' },
        },
      ],
    }),
  );
  const index = new ReachabilityIndex(workspace);
  const web = workspace.workloads.find((w) => w.id === 'shop/web[Deployment]')!;
  const client = workspace.workloads.find((w) => w.id === 'shop/client[Pod]')!;

  it('reads pods of a Deployment as the Deployment, and leaves our own probe pods out', () => {
    assert.deepEqual(workspace.workloads.map((w) => w.id).sort(), ['shop/client[Pod]', 'shop/web[Deployment]']);
    assert.match(workspace.policies[0].object.file.uri, /^cluster:\/\/shop\/NetworkPolicy\/web$/);
  });

  it('one port per rule, named ports resolved on the destination, declared ports first', () => {
    assert.deepEqual(portsThatMatter(index, client, web), [
      { protocol: 'TCP', port: 9090 },
      { protocol: 'TCP', port: 7000 },
    ]);
    assert.deepEqual(choosePort({ TCP: [1, 65535], UDP: [], SCTP: [] }, web), { protocol: 'TCP', port: 8080 });
    assert.equal(choosePort({ TCP: [1, 65535], UDP: [], SCTP: [] }, client), undefined);
  });

  it('carries only the label keys selectors reference, never controller-managed ones', () => {
    const keys = referencedLabelKeys(workspace.policies);
    assert.deepEqual([...keys].sort(), ['app', 'role']);
    assert.deepEqual(identityLabels(client, keys), { app: 'client', role: 'x' });
    assert.deepEqual(identityLabels(web, new Set([...keys, 'pod-template-hash'])), { app: 'web' });
  });

  it('rows as JSON carry exactly the documented fields', () => {
    const row = {
      from: 'a',
      to: 'b',
      port: 'TCP 1',
      predicted: 'allowed' as const,
      observed: 'connected' as const,
      verdict: 'match' as const,
      reason: 'r',
      check: {} as never,
      attempts: [],
    };
    assert.deepEqual(Object.keys(rowsData([row])[0]), [
      'from',
      'to',
      'port',
      'predicted',
      'observed',
      'verdict',
      'reason',
    ]);
  });
});

describe('what the VS Code command probes, and what it checks first', () => {
  const file = {
    uri: 'file:///work/shop.yaml',
    text: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web-allow
  namespace: shop
spec:
  podSelector:
    matchLabels:
      app: web
  ingress:
    - from:
        - podSelector:
            matchLabels:
              app: client
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: nginx
---
apiVersion: v1
kind: Service
metadata:
  name: api
  namespace: api
spec:
  selector:
    app: api
`,
  };
  const at = (needle: string) => file.text.indexOf(needle);

  it('the policy under the cursor (on its name or in a rule), the workload under the cursor', () => {
    assert.deepEqual(editorScope(file, at('web-allow')), { kind: 'policy', id: 'shop/web-allow' });
    assert.deepEqual(editorScope(file, at('app: client')), { kind: 'policy', id: 'shop/web-allow' });
    assert.deepEqual(editorScope(file, at('name: web\n') + 6), { kind: 'workload', name: 'shop/web[Deployment]' });
  });

  it('a file picked in the explorer: a matrix of the namespaces it touches', () => {
    assert.deepEqual(editorScope(file, undefined), {
      kind: 'namespaces',
      namespaces: ['api', 'shop'],
      title: 'shop.yaml (namespaces api, shop)',
    });
    assert.throws(() => editorScope({ uri: 'file:///x.yaml', text: 'a: 1\n' }, undefined), /holds no NetworkPolicy/);
  });

  it('the current kubeconfig context for the status bar, without the client library', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'netreach-ctx-'));
    const config = path.join(dir, 'config');
    writeFileSync(config, 'apiVersion: v1\nkind: Config\ncurrent-context: kind-demo\ncontexts: []\n');
    assert.deepEqual(currentContextName({ kubeconfig: config }), { context: 'kind-demo', files: [config] });
    assert.equal(currentContextName({ kubeconfig: config, context: 'other' }).context, 'other');
    assert.equal(currentContextName({ env: { KUBECONFIG: config } }).context, 'kind-demo');
    const none = currentContextName({ env: {}, homeDir: dir });
    assert.equal(none.context, undefined);
    assert.match(none.problem ?? '', /No kubeconfig found/);
  });

  it('Node.js older than 22.19 cannot run the cluster client: a clear message', () => {
    assert.match(nodeVersionProblem('20.18.1') ?? '', /needs Node\.js 22\.19 or newer; this runs Node\.js 20\.18\.1/);
    assert.ok(nodeVersionProblem('22.18.0'));
    assert.equal(nodeVersionProblem('22.19.0'), undefined);
    assert.equal(nodeVersionProblem('v24.1.0'), undefined);
  });
});

describe('probe rows in the reachability view', () => {
  it('observed next to predicted, mismatches highlighted, values escaped', () => {
    const rows = [
      {
        from: 'shop/a[Pod]',
        to: 'shop/b[Pod]',
        port: 'TCP 80',
        predicted: 'denied' as const,
        observed: 'connected' as const,
        verdict: 'mismatch' as const,
        reason: 'x <y>',
      },
      {
        from: 'shop/c[Pod]',
        to: 'shop/b[Pod]',
        port: 'TCP 80',
        predicted: 'allowed' as const,
        observed: 'connected' as const,
        verdict: 'match' as const,
        reason: 'ok',
      },
    ];
    const html = renderProbeResults(
      'Probes: shop',
      rows,
      '2 connections: 1 match, 1 mismatch, 0 inconclusive.',
      'n0nce',
    );
    assert.match(
      html,
      /<tr class="mismatch"><td>shop\/a\[Pod\]<\/td><td>shop\/b\[Pod\]<\/td><td>TCP 80<\/td>\n<td class="denied">denied<\/td><td>connected<\/td><td class="mismatch">mismatch<\/td>/,
    );
    assert.match(html, /<tr class="match">/);
    assert.match(html, /x &lt;y&gt;/);
  });
});
