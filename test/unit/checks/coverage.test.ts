// Coverage checks (NR070-NR072): workloads no policy isolates, namespaces without a
// default deny, policies aimed at host-network pods. Report cases, near misses, and each
// fix applied and linted again.
import { strict as assert } from 'node:assert';
import { parseAllDocuments } from 'yaml';
import {
  applyFix,
  dedent,
  deployment,
  docs,
  expectFinding,
  expectNone,
  lint,
  namespaceManifest,
  runQuietCases,
  runReportCases,
} from './workspaceKit';

const SHOP = docs(
  namespaceManifest('shop', { team: 'shop' }),
  deployment('shop', 'web', { app: 'web' }, ['http:8080']),
  deployment('shop', 'api', { app: 'api' }, ['http:8080']),
);

const WEB_INGRESS = dedent(`
  # Only the api may be reached from the web tier.
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata:
    name: web
    namespace: shop
  spec:
    podSelector:
      matchLabels:
        app: web
    policyTypes:
      - Ingress
    ingress:
      - from:
          - podSelector:
              matchLabels:
                app: api
`);

const DEFAULT_DENY = dedent(`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: default-deny, namespace: shop}
  spec:
    podSelector: {}
    policyTypes: [Ingress]
`);

describe('coverage checks', () => {
  describe('NR070 a workload that no policy selects', () => {
    it('reports the workload the namespace policies leave out, and creates a policy for it', () => {
      const linted = lint({ 'shop.yaml': SHOP, 'policies.yaml': WEB_INGRESS });
      const finding = expectFinding(linted, 'NR070', 'info', 'api');
      assert.match(finding.message, /shop\/api\[Deployment\].*ingress/);
      assert.equal(linted.of('NR070').length, 1, 'web is selected; egress is not used in shop');
      const { after, text, uri } = applyFix(linted, finding, 'Create');
      assert.equal(uri, 'shop.yaml', 'the new policy goes into the workload file');
      expectNone(after, 'NR070');
      const documents = parseAllDocuments(text) as unknown as { toJS(): Record<string, unknown> }[];
      const created = documents[documents.length - 1].toJS() as {
        kind: string;
        metadata: { name: string; namespace: string };
        spec: { podSelector: unknown; policyTypes: string[]; ingress: unknown[] };
      };
      assert.equal(created.kind, 'NetworkPolicy');
      assert.deepEqual(created.metadata, { name: 'api', namespace: 'shop' });
      assert.deepEqual(created.spec.podSelector, { matchLabels: { app: 'api' } });
      assert.deepEqual(created.spec.policyTypes, ['Ingress']);
      assert.deepEqual(created.spec.ingress, []);
      assert.ok(text.startsWith(SHOP), 'the file is only appended to');
      assert.ok(text.includes('\n---\n# The traffic of api'), text);
    });

    it('writes the new policy in the file style (flush lists, 4-space indent) with DNS kept for egress', () => {
      const flush = [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '    name: worker',
        '    namespace: shop',
        'spec:',
        '    selector:',
        '        matchLabels:',
        '            app: worker',
        '    template:',
        '        metadata:',
        '            labels:',
        '                app: worker',
        '                pod-template-hash: 5d8f9',
        '        spec:',
        '            containers:',
        '            - name: worker',
        '              image: example/worker',
        '',
      ].join('\n');
      const egressPolicy = dedent(`
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: web-egress, namespace: shop}
        spec:
          podSelector: {matchLabels: {app: web}}
          policyTypes: [Egress]
          egress:
            - to: [{podSelector: {matchLabels: {app: api}}}]
      `);
      const linted = lint({ 'shop.yaml': SHOP, 'worker.yaml': flush, 'policies.yaml': egressPolicy });
      const finding = expectFinding(linted, 'NR070', 'info', 'worker');
      assert.match(finding.message, /egress/);
      const { after, text } = applyFix(linted, finding);
      assert.deepEqual(
        after.of('NR070').map((f) => after.spanText(f)),
        ['api'],
        'worker is covered now (api still is not)',
      );
      const added = text.slice(flush.length);
      assert.ok(
        added.includes(
          '\n    podSelector:\n        matchLabels:\n            app: worker\n    policyTypes:\n    - Egress\n',
        ),
        added,
      );
      assert.ok(!added.includes('pod-template-hash'), 'controller labels are not selected on');
      assert.ok(added.includes('k8s-app: kube-dns') && added.includes('port: 53'), 'DNS stays allowed');
    });

    runQuietCases([
      {
        name: 'a namespace without any policy (NR071 reports it once)',
        files: { 'shop.yaml': SHOP },
        code: 'NR070',
      },
      {
        name: 'a default deny selects every workload',
        files: { 'shop.yaml': SHOP, 'policies.yaml': docs(WEB_INGRESS, DEFAULT_DENY) },
        code: 'NR070',
      },
      {
        name: 'a host-network workload (policies do not govern it)',
        files: {
          'shop.yaml': docs(
            namespaceManifest('shop'),
            deployment('shop', 'web', { app: 'web' }),
            deployment('shop', 'agent', { app: 'agent' }, [], ['hostNetwork: true']),
          ),
          'policies.yaml': WEB_INGRESS,
        },
        code: 'NR070',
      },
    ]);
  });

  describe('NR071 a namespace without a default deny', () => {
    it('reports the Namespace and inserts a default-deny-ingress policy into its file', () => {
      const linted = lint({ 'shop.yaml': SHOP, 'policies.yaml': WEB_INGRESS });
      const finding = expectFinding(linted, 'NR071', 'info', 'shop');
      assert.match(finding.message, /shop\/api\[Deployment\]/);
      const { after, text, uri } = applyFix(linted, finding, 'default-deny-ingress');
      assert.equal(uri, 'shop.yaml');
      expectNone(after, 'NR071');
      expectNone(after, 'NR070');
      assert.ok(
        text.endsWith(
          [
            '---',
            '# Isolate every pod of the namespace for incoming traffic: only what other policies allow reaches them.',
            'apiVersion: networking.k8s.io/v1',
            'kind: NetworkPolicy',
            'metadata:',
            '  name: default-deny-ingress',
            '  namespace: shop',
            'spec:',
            '  podSelector: {}',
            '  policyTypes:',
            '    - Ingress',
            '  # no ingress rules: nothing may connect to these pods',
            '  ingress: []',
            '',
          ].join('\n'),
        ),
        text,
      );
    });

    it('offers a default deny for both directions that keeps DNS', () => {
      const linted = lint({ 'shop.yaml': SHOP });
      const finding = expectFinding(linted, 'NR071', 'info', 'shop');
      const { after, text } = applyFix(linted, finding, 'default-deny-all');
      expectNone(after, 'NR071');
      expectNone(after, 'NR050');
      assert.ok(text.includes('    - Egress\n'), text);
    });

    it('reports on metadata.namespace of a workload when no Namespace manifest exists', () => {
      const linted = lint({ 'web.yaml': deployment('store', 'web', { app: 'web' }) });
      const finding = expectFinding(linted, 'NR071', 'info', 'store');
      const { after } = applyFix(linted, finding, 'default-deny-ingress');
      expectNone(after, 'NR071');
    });

    runQuietCases([
      {
        name: 'a default deny for ingress exists',
        files: { 'shop.yaml': SHOP, 'policies.yaml': DEFAULT_DENY },
        code: 'NR071',
      },
      {
        name: 'kube-system (a default deny there breaks the cluster)',
        files: { 'dns.yaml': deployment('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }) },
        code: 'NR071',
      },
      {
        name: 'a namespace with policies only',
        files: { 'policies.yaml': WEB_INGRESS },
        code: 'NR071',
      },
    ]);
    runReportCases([
      {
        name: 'a policy of all pods that allows everything is no default deny',
        files: {
          'shop.yaml': SHOP,
          'policies.yaml': dedent(`
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-all, namespace: shop}
            spec:
              podSelector: {}
              ingress: [{}]
          `),
        },
        code: 'NR071',
        severity: 'info',
        span: 'shop',
      },
    ]);
  });

  describe('NR072 host-network pods', () => {
    const nodeAgent = docs(
      namespaceManifest('ops'),
      deployment('ops', 'node-agent', { app: 'node-agent' }, ['9100'], ['hostNetwork: true']),
      deployment('ops', 'collector', { app: 'collector' }, ['4317']),
    );
    runReportCases([
      {
        name: 'a policy that selects a host-network workload',
        files: {
          'ops.yaml': nodeAgent,
          'policies.yaml': dedent(`
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: node-agent, namespace: ops}
            spec:
              podSelector:
                matchLabels:
                  app: node-agent
              ingress:
                - from: [{podSelector: {matchLabels: {app: collector}}}]
          `),
        },
        code: 'NR072',
        severity: 'warning',
        span: 'podSelector:\n    matchLabels:\n      app: node-agent',
        message: ['ops/node-agent[Deployment]', 'hostNetwork: true'],
      },
      {
        name: 'a peer that selects a host-network workload',
        files: {
          'ops.yaml': nodeAgent,
          'policies.yaml': dedent(`
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: collector, namespace: ops}
            spec:
              podSelector: {matchLabels: {app: collector}}
              ingress:
                - from: [{podSelector: {matchLabels: {app: node-agent}}}]
          `),
        },
        code: 'NR072',
        severity: 'warning',
        span: 'podSelector: {matchLabels: {app: node-agent}}',
        message: ["node's IP", 'ipBlock'],
      },
    ]);
    it('points related information at `hostNetwork: true`', () => {
      const linted = lint({
        'ops.yaml': nodeAgent,
        'policies.yaml': dedent(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: node-agent, namespace: ops}
          spec:
            podSelector: {matchLabels: {app: node-agent}}
        `),
      });
      const finding = expectFinding(linted, 'NR072', 'warning', 'podSelector: {matchLabels: {app: node-agent}}');
      const related = finding.related?.[0];
      assert.ok(related);
      assert.equal(linted.files[related.span.uri].slice(related.span.start, related.span.end), 'hostNetwork: true');
    });
    runQuietCases([
      {
        name: 'a default deny of a namespace that also has host-network pods',
        files: {
          'ops.yaml': nodeAgent,
          'policies.yaml': dedent(`
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: deny, namespace: ops}
            spec:
              podSelector: {}
              policyTypes: [Ingress]
          `),
        },
        code: 'NR072',
      },
      {
        name: 'selectors of ordinary pods',
        files: {
          'ops.yaml': nodeAgent,
          'policies.yaml': dedent(`
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: collector, namespace: ops}
            spec:
              podSelector: {matchLabels: {app: collector}}
              ingress:
                - from: [{podSelector: {matchLabels: {app: collector}}}]
          `),
        },
        code: 'NR072',
      },
    ]);
  });
});
