// The probe planner, the session and the runner together, against the Kubernetes API test
// double over HTTP through a kubeconfig: what is planned for a policy, a workload, a pair and
// a matrix; predictions and verdicts on a plugin that enforces and one that does not; the
// editor-versus-cluster report; and, after every run, no probe pod left and every pod safe.

import assert from 'node:assert/strict';
import { faults, writeKubeconfig } from './double';
import { assertSafeAndClean, FAST, startCluster, type TestCluster } from './helpers';
import {
  CLIENT_IP,
  networkPolicy,
  notEnforcing,
  OTHER_IP,
  pod,
  SERVER_ALLOW_CLIENT,
  SERVER_ALLOW_CLIENT_YAML,
  SERVER_IP,
  shopScenario,
  TOOLBOX_IP,
  WORKLOADS,
} from './probeFixtures';
import {
  mismatchDiagnostics,
  planSummary,
  planText,
  prepareProbe,
  ProbeScopeError,
  rowsData,
  runProbe,
  type PreparedProbe,
  type PrepareOptions,
} from '../../server/src/probe';
import { ClusterError } from '../../server/src/cluster/errors';

function checks(prepared: PreparedProbe): string[] {
  return prepared.plan.checks.map(
    (c) => `${c.from.id} -> ${c.to.id} ${c.protocol}/${c.target.ip}:${c.port} ${c.predicted}`,
  );
}

const FILE = { uri: '/work/policies/server.yaml', text: SERVER_ALLOW_CLIENT_YAML };

describe('probe planner and session against the API test double', function () {
  this.timeout(30_000);
  let cluster: TestCluster | undefined;

  afterEach(async () => {
    await cluster?.double.close();
    cluster = undefined;
  });

  const prepare = (options: Omit<PrepareOptions, 'kubeconfig'>) =>
    prepareProbe({ kubeconfig: cluster!.kubeconfig, ...options });

  it('plans a policy: an allowed source per rule and sources outside it, to the real pod IP on the named port', async () => {
    cluster = await startCluster(shopScenario());
    const prepared = await prepare({ files: [FILE], scope: { kind: 'files' } });
    assert.deepEqual(prepared.differences, [], 'defaults (policyTypes, protocol) are not differences');
    assert.deepEqual(checks(prepared), [
      `shop/client[Deployment] -> shop/server[Deployment] TCP/${SERVER_IP}:8080 allowed`,
      `shop/other[Pod] -> shop/server[Deployment] TCP/${SERVER_IP}:8080 denied`,
      `tools/toolbox[Pod] -> shop/server[Deployment] TCP/${SERVER_IP}:8080 denied`,
    ]);
    const [allowed, denied] = prepared.plan.checks;
    assert.equal(allowed.decidedBy, 'allowed by shop/server-allow-client ingress rule 1');
    assert.deepEqual(allowed.deciding, [{ policy: 'shop/server-allow-client', direction: 'ingress', rule: 1 }]);
    assert.match(denied.decidedBy, /ingress to shop\/server\[Deployment\] is isolated by shop\/server-allow-client/);
    assert.equal(allowed.target.pod, 'shop/server-7d9f-x1');
    // Identities: only keys policies select on (app), never pod-template-hash; the source's namespace.
    assert.deepEqual(
      prepared.plan.run.sources.map((s) => [s.namespace, s.labels]),
      [
        ['shop', { app: 'client' }],
        ['shop', { app: 'other' }],
        ['tools', { app: 'toolbox' }],
      ],
    );
    assert.equal(cluster.double.requestsFor({ verb: 'create' }).length, 0, 'planning creates nothing');
  });

  it('a policy that works: every verdict matches, one pod per source, nothing left', async () => {
    cluster = await startCluster(shopScenario());
    const prepared = await prepare({ files: [FILE], scope: { kind: 'files' } });
    const outcome = await runProbe(prepared, FAST);
    assert.deepEqual(
      rowsData(outcome.rows).map((r) => [r.from, r.to, r.port, r.predicted, r.observed, r.verdict]),
      [
        ['shop/client[Deployment]', 'shop/server[Deployment]', 'TCP 8080', 'allowed', 'connected', 'match'],
        ['shop/other[Pod]', 'shop/server[Deployment]', 'TCP 8080', 'denied', 'timeout', 'match'],
        ['tools/toolbox[Pod]', 'shop/server[Deployment]', 'TCP 8080', 'denied', 'timeout', 'match'],
      ],
    );
    assert.deepEqual(outcome.counts, { match: 3, mismatch: 0, inconclusive: 0 });
    assert.equal(outcome.report.podsCreated, 3);
    assert.match(outcome.rows[0].reason, /allowed by shop\/server-allow-client ingress rule 1/);
    const received = cluster.double.receivedPods();
    assert.deepEqual(received.map((p) => p.metadata.namespace).sort(), ['shop', 'shop', 'tools']);
    for (const p of received) {
      const env = p.spec.containers[0].env!.find((e) => e.name === 'NETREACH_TARGETS')!.value;
      assert.equal(env, `TCP/${SERVER_IP}:8080`);
    }
    assertSafeAndClean(cluster.double);
  });

  it('a plugin that does not enforce: mismatches, each re-probed once, with the deciding policy', async () => {
    cluster = await startCluster(shopScenario({ connect: notEnforcing }));
    const prepared = await prepare({ files: [FILE], scope: { kind: 'files' } });
    const outcome = await runProbe(prepared, FAST);
    assert.deepEqual(outcome.counts, { match: 1, mismatch: 2, inconclusive: 0 });
    const mismatch = outcome.rows.filter((r) => r.verdict === 'mismatch');
    assert.deepEqual(
      mismatch.map((r) => r.from),
      ['shop/other[Pod]', 'tools/toolbox[Pod]'],
    );
    for (const row of mismatch) {
      assert.deepEqual(row.attempts, ['connected', 'connected'], 're-probed once');
      assert.match(row.reason, /connected although predicted denied.*may not enforce NetworkPolicy/);
      assert.match(row.reason, /re-probed: connected, then connected/);
      assert.match(row.reason, /isolated by shop\/server-allow-client/);
    }
    assert.equal(outcome.report.podsCreated, 5, '3 sources + 2 re-probes');

    // Diagnostics for the editor: on the policy that should have denied, in the file.
    const diagnostics = mismatchDiagnostics(outcome.rows, prepared.filePolicies);
    assert.equal(diagnostics.length, 2);
    assert.equal(diagnostics[0].uri, FILE.uri);
    assert.deepEqual(diagnostics[0].range.start, { line: 3, character: 8 }, 'metadata.name of the policy');
    assert.match(
      diagnostics[0].message,
      /shop\/other\[Pod\] -> shop\/server\[Deployment\] TCP 8080 was observed connected/,
    );
    assertSafeAndClean(cluster.double);
  });

  it('a rule that does not work: the mismatch points at the allowing rule', async () => {
    // The plugin drops everything to the server: the allowing rule is the suspect.
    cluster = await startCluster(shopScenario({ connect: (_s, t) => (t.ip === SERVER_IP ? 'TIMEOUT' : 'CONNECTED') }));
    const prepared = await prepare({ files: [FILE], scope: { kind: 'files' } });
    const outcome = await runProbe(prepared, FAST);
    assert.deepEqual(outcome.counts, { match: 2, mismatch: 1, inconclusive: 0 });
    const [diagnostic] = mismatchDiagnostics(outcome.rows, prepared.filePolicies);
    assert.deepEqual(diagnostic.range.start, { line: 10, character: 6 }, 'ingress rule 1');
    assert.match(diagnostic.message, /ingress rule 1 of shop\/server-allow-client predicts allowed/);
    assertSafeAndClean(cluster.double);
  });

  it('verdicts: REFUSED is "allowed, port closed" when allowed; UDP silence and DNS are inconclusive', async () => {
    cluster = await startCluster(
      shopScenario({
        connect: (source, t) => {
          if (t.proto === 'UDP') return 'TIMEOUT';
          if (t.port === 9000) return 'REFUSED';
          if (t.ip === OTHER_IP) return 'DNS';
          return source.metadata.labels?.app === 'client' ? 'CONNECTED' : 'REFUSED';
        },
      }),
    );
    const prepared = await prepare({
      scope: { kind: 'pair', from: 'shop/client', to: 'shop/server' },
      ports: [
        { protocol: 'TCP', port: 8080 },
        { protocol: 'TCP', port: 9000 },
        { protocol: 'UDP', port: 53 },
      ],
    });
    const outcome = await runProbe(prepared, FAST);
    assert.deepEqual(
      outcome.rows.map((r) => [r.port, r.predicted, r.observed, r.verdict]),
      [
        ['TCP 8080', 'allowed', 'connected', 'match'],
        ['TCP 9000', 'denied', 'refused', 'inconclusive'],
        ['UDP 53', 'denied', 'timeout', 'inconclusive'],
      ],
    );
    const other = await prepare({ scope: { kind: 'pair', from: 'tools/toolbox', to: 'shop/other' } });
    const dns = await runProbe(other, FAST);
    assert.deepEqual(
      dns.rows.map((r) => [r.port, r.predicted, r.observed, r.verdict]),
      [['TCP 9000', 'allowed', 'refused', 'match']],
    );
    assert.match(dns.rows[0].reason, /allowed, port closed/);
    assertSafeAndClean(cluster.double);
  });

  it('plans a workload: peers that should and should not reach it', async () => {
    cluster = await startCluster(shopScenario());
    const prepared = await prepare({ scope: { kind: 'workload', name: 'shop/server[Deployment]' } });
    assert.deepEqual(checks(prepared), [
      `shop/client[Deployment] -> shop/server[Deployment] TCP/${SERVER_IP}:8080 allowed`,
      `shop/other[Pod] -> shop/server[Deployment] TCP/${SERVER_IP}:8080 denied`,
      `tools/toolbox[Pod] -> shop/server[Deployment] TCP/${SERVER_IP}:8080 denied`,
    ]);
    await assert.rejects(
      prepare({ scope: { kind: 'workload', name: 'shop/nope' } }),
      (e) => e instanceof ProbeScopeError && /workload shop\/nope: no such workload in the cluster/.test(e.message),
    );
  });

  it('plans egress: from the selected pods toward allowed and not-allowed peers', async () => {
    const egress = networkPolicy('shop', 'client-egress', {
      podSelector: { matchLabels: { app: 'client' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: { app: 'server' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
    });
    cluster = await startCluster(shopScenario({ objects: [...WORKLOADS, SERVER_ALLOW_CLIENT, egress] }));
    const prepared = await prepare({ scope: { kind: 'policy', id: 'shop/client-egress' } });
    assert.deepEqual(checks(prepared), [
      `shop/client[Deployment] -> shop/server[Deployment] TCP/${SERVER_IP}:8080 allowed`,
      `shop/client[Deployment] -> shop/other[Pod] TCP/${OTHER_IP}:8080 denied`,
      `shop/client[Deployment] -> tools/toolbox[Pod] TCP/${TOOLBOX_IP}:8080 denied`,
    ]);
    assert.match(
      prepared.plan.checks[1].decidedBy,
      /egress from shop\/client\[Deployment\] is isolated by shop\/client-egress/,
    );
    assert.deepEqual(
      prepared.plan.checks.map((c) => c.purpose),
      [
        'allowed by shop/client-egress egress rule 1',
        'outside what shop/client-egress allows',
        'outside what shop/client-egress allows',
      ],
    );
  });

  it('a bounded, deterministic matrix for namespaces and the whole cluster', async () => {
    const many = Array.from({ length: 8 }, (_, i) =>
      pod('batch', `job-${i}`, { app: `job-${i}` }, `10.244.2.${i + 1}`, { ports: [{ containerPort: 8000 + i }] }),
    );
    const system = pod('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }, '10.244.9.9', {
      ports: [{ containerPort: 53, protocol: 'UDP', name: 'dns' }],
    });
    cluster = await startCluster(
      shopScenario({
        namespaces: ['shop', 'tools', 'batch', 'kube-system'],
        objects: [...WORKLOADS, SERVER_ALLOW_CLIENT, ...many, system],
      }),
    );
    const first = await prepare({ scope: { kind: 'namespaces', namespaces: ['batch'] }, maxPods: 4, maxTargets: 100 });
    assert.equal(first.plan.sources.length, 4);
    assert.equal(first.plan.checks.length, 12, '4 x 3 ordered pairs');
    assert.match(first.plan.notes.join('\n'), /capped at 4 of 8 workloads/);
    const again = await prepare({ scope: { kind: 'namespaces', namespaces: ['batch'] }, maxPods: 4, maxTargets: 100 });
    assert.deepEqual(checks(again), checks(first), 'the same cluster gives the same plan');

    const whole = await prepare({ scope: { kind: 'cluster' }, maxPods: 6, maxTargets: 12 });
    assert.ok(whole.plan.checks.length <= 12);
    assert.ok(whole.plan.sources.length <= 6);
    assert.ok(!whole.plan.checks.some((c) => c.from.namespace === 'kube-system' || c.to.namespace === 'kube-system'));
    assert.deepEqual(
      [...new Set(whole.plan.checks.map((c) => c.from.namespace))].sort(),
      ['batch', 'shop', 'tools'],
      'the capped matrix spans the namespaces',
    );
    assert.match(whole.plan.notes.join('\n'), /system namespaces \(kube-\*\) are left out/);
  });

  it('never creates probe pods in system namespaces on its own initiative', async () => {
    const coredns = pod('kube-system', 'coredns-1', { 'k8s-app': 'kube-dns' }, '10.244.9.9', {
      ports: [{ containerPort: 53, protocol: 'UDP', name: 'dns' }],
    });
    cluster = await startCluster(
      shopScenario({
        namespaces: ['shop', 'tools', 'kube-system'],
        objects: [...WORKLOADS, SERVER_ALLOW_CLIENT, coredns],
      }),
    );
    for (const scope of [
      { kind: 'policy', id: 'shop/server-allow-client' },
      { kind: 'workload', name: 'shop/server' },
      { kind: 'pair', to: 'shop/server' },
    ] as const) {
      const prepared = await prepare({ scope });
      assert.deepEqual(
        prepared.plan.sources.filter((s) => s.namespace === 'kube-system'),
        [],
        `${scope.kind}: no probe pod in kube-system`,
      );
      assert.ok(
        prepared.plan.sources.some((s) => s.namespace === 'tools'),
        `${scope.kind}: other namespaces still probed`,
      );
    }
  });

  it('when a probe pod cannot stand in for a source, disagreements are inconclusive, not mismatches', async () => {
    // A policy selecting on the label every probe pod carries as "netreach".
    const helm = networkPolicy('shop', 'helm-only', {
      podSelector: { matchLabels: { app: 'other' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/managed-by': 'Helm' } } }] }],
    });
    const helmApp = pod('shop', 'helm-app', { app: 'helm-app', 'app.kubernetes.io/managed-by': 'Helm' }, '10.244.0.40');
    cluster = await startCluster(
      shopScenario({ objects: [...WORKLOADS, SERVER_ALLOW_CLIENT, helm, helmApp], connect: () => 'TIMEOUT' }),
    );
    const prepared = await prepare({ scope: { kind: 'pair', from: 'shop/helm-app', to: 'shop/other' } });
    const [check] = prepared.plan.checks;
    assert.equal(check.predicted, 'allowed');
    assert.match(check.caveat ?? '', /a NetworkPolicy selects on app\.kubernetes\.io\/managed-by/);
    assert.match(prepared.plan.notes.join('\n'), /disagreements are reported as inconclusive/);
    const outcome = await runProbe(prepared, FAST);
    assert.equal(outcome.rows[0].verdict, 'inconclusive');
    assert.match(
      outcome.rows[0].reason,
      /^inconclusive: timed out although predicted allowed.*, but a NetworkPolicy selects on/,
    );
    assert.deepEqual(outcome.rows[0].attempts, ['timeout'], 'not re-probed');
    assertSafeAndClean(cluster.double);
  });

  it('an ipBlock that allows a source by its pod IP: the probe is not representative', async () => {
    const byIp = networkPolicy('tools', 'from-client-ip', {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ ipBlock: { cidr: `${CLIENT_IP}/32` } }], ports: [{ protocol: 'TCP', port: 8443 }] }],
    });
    const toolbox = pod('tools', 'toolbox', { app: 'toolbox' }, TOOLBOX_IP, { ports: [{ containerPort: 8443 }] });
    const workloads = [...WORKLOADS.filter((w) => w.metadata.name !== 'toolbox'), toolbox];
    cluster = await startCluster(shopScenario({ objects: [...workloads, byIp] }));
    const prepared = await prepare({ scope: { kind: 'pair', from: 'shop/client', to: 'tools/toolbox' } });
    const [check] = prepared.plan.checks;
    assert.equal(check.predicted, 'allowed');
    assert.equal(
      check.caveat,
      'an ipBlock allows shop/client[Deployment] by its pod IPs, and a probe pod has another IP',
    );
    const other = await prepare({ scope: { kind: 'pair', from: 'shop/other', to: 'tools/toolbox' } });
    assert.equal(other.plan.checks[0].predicted, 'denied');
    assert.equal(other.plan.checks[0].caveat, undefined);
  });

  it('sources with the same identity share one probe pod', async () => {
    const twins = [
      pod('shop', 'client-a', { app: 'client', replica: 'a' }, '10.244.0.31'),
      pod('shop', 'client-b', { app: 'client', replica: 'b' }, '10.244.0.32'),
    ];
    cluster = await startCluster(shopScenario({ objects: [...WORKLOADS, SERVER_ALLOW_CLIENT, ...twins] }));
    const prepared = await prepare({ scope: { kind: 'pair', to: 'shop/server' } });
    const client = prepared.plan.sources.find((s) => s.labels.app === 'client')!;
    assert.deepEqual(client.workloads, ['shop/client-a[Pod]', 'shop/client-b[Pod]', 'shop/client[Deployment]']);
    assert.equal(prepared.plan.sources.length, 3, 'client (x3), other, toolbox');
  });

  it('leaves out host-network pods, pods without an IP and finished pods, and says why', async () => {
    const objects = [
      ...WORKLOADS,
      SERVER_ALLOW_CLIENT,
      pod('shop', 'node-agent', { app: 'agent' }, '172.18.0.2', {
        hostNetwork: true,
        ports: [{ containerPort: 9100 }],
      }),
      pod('shop', 'starting', { app: 'starting' }, undefined, { phase: 'Pending', ports: [{ containerPort: 80 }] }),
      pod('shop', 'done', { app: 'done' }, '10.244.0.99', { phase: 'Succeeded', ports: [{ containerPort: 80 }] }),
    ];
    cluster = await startCluster(shopScenario({ objects }));
    const prepared = await prepare({ scope: { kind: 'namespaces', namespaces: ['shop'] } });
    const ids = prepared.cluster.workspace.workloads.map((w) => w.id);
    assert.ok(!ids.includes('shop/done[Pod]'), 'finished pods are not in the model');
    assert.ok(!prepared.plan.checks.some((c) => ['shop/node-agent[Pod]', 'shop/starting[Pod]'].includes(c.to.id)));
    const skipped = prepared.plan.skipped.map((s) => `${s.what}: ${s.reason}`).join('\n');
    assert.match(skipped, /shop\/node-agent\[Pod\]: uses the host network/);
    assert.match(skipped, /shop\/starting\[Pod\]: has no Running pod with an IP/);
  });

  it('reports how the files differ from the cluster, and what the files would predict', async () => {
    const extra = networkPolicy('shop', 'legacy-allow-all', { podSelector: {}, ingress: [{}] });
    const toolbox = pod('tools', 'toolbox', { app: 'toolbox' }, TOOLBOX_IP, { ports: [{ containerPort: 8443 }] });
    const workloads = [...WORKLOADS.filter((w) => w.metadata.name !== 'toolbox'), toolbox];
    cluster = await startCluster(shopScenario({ objects: [...workloads, SERVER_ALLOW_CLIENT, extra] }));
    const changed = SERVER_ALLOW_CLIENT_YAML.replace('app: client', 'app: other');
    const notApplied = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: toolbox-deny
  namespace: tools
spec:
  podSelector: {}
  policyTypes: [Ingress]
`;
    const prepared = await prepare({
      files: [
        { uri: '/work/policies/server.yaml', text: changed },
        { uri: '/work/policies/tools.yaml', text: notApplied },
      ],
      scope: { kind: 'files' },
    });
    assert.deepEqual(
      prepared.differences.map((d) => [d.id, d.kind, d.parts]),
      [
        ['shop/legacy-allow-all', 'extra-in-cluster', []],
        ['shop/server-allow-client', 'differs', ['ingress rule 1']],
        ['tools/toolbox-deny', 'missing-in-cluster', []],
      ],
    );
    assert.match(prepared.differences[2].message, /in the files but not in the cluster \(not applied yet\)/);
    // The files choose whom to probe (app=other is "allowed" there); the cluster predicts.
    const other = prepared.plan.checks.find(
      (c) => c.from.id === 'shop/other[Pod]' && c.to.id === 'shop/server[Deployment]',
    )!;
    assert.equal(other.purpose, 'allowed by shop/server-allow-client ingress rule 1');
    assert.equal(other.predicted, 'allowed', 'legacy-allow-all in the cluster allows it');
    // Not applied yet: the cluster lets everything in, the files would not.
    const toToolbox = prepared.plan.checks.filter((c) => c.to.id === 'tools/toolbox[Pod]');
    assert.deepEqual(
      toToolbox.map((c) => [c.from.id, c.port, c.predicted, c.filesPredict]),
      [['shop/client[Deployment]', 8443, 'allowed', 'denied']],
    );
    const outcome = await runProbe(prepared, FAST);
    const row = outcome.rows.find((r) => r.to === 'tools/toolbox[Pod]')!;
    assert.equal(row.verdict, 'match');
    assert.match(row.reason, /the files' policies would make it denied \(not applied, or different in the cluster\)/);
    assertSafeAndClean(cluster.double);
    assert.match(
      planText(prepared.target, prepared.plan, prepared.differences),
      /Files and cluster differ:\n {2}- NetworkPolicy shop\/legacy-allow-all/,
    );
  });

  it('a policy without a namespace is compared in the context namespace', async () => {
    cluster = await startCluster(shopScenario());
    const kubeconfig = writeKubeconfig({
      server: cluster.double.url,
      token: cluster.double.token,
      context: 'ns',
      namespace: 'shop',
    });
    const text = SERVER_ALLOW_CLIENT_YAML.replace('  namespace: shop\n', '');
    const prepared = await prepareProbe({ kubeconfig, files: [{ uri: '/p.yaml', text }], scope: { kind: 'files' } });
    assert.deepEqual(prepared.differences, []);
    assert.equal(prepared.plan.checks.length, 3);
    // The editor names it as written (default/...); it is found where it lands.
    const byCursor = await prepareProbe({
      kubeconfig,
      files: [{ uri: '/p.yaml', text }],
      scope: { kind: 'policy', id: 'default/server-allow-client' },
    });
    assert.equal(byCursor.plan.scope, 'NetworkPolicy shop/server-allow-client');
    assert.equal(byCursor.plan.checks.length, 3);
  });

  it('summarises the plan for a confirmation: context, cluster, counts, namespaces', async () => {
    cluster = await startCluster(shopScenario());
    const prepared = await prepare({ files: [FILE], scope: { kind: 'files' } });
    const summary = planSummary(prepared.target, prepared.plan, prepared.differences);
    assert.equal(
      summary.message,
      `Run 3 probe pods in context "test-cluster" (cluster "test-cluster-cluster" at ${cluster.double.url})?`,
    );
    assert.match(
      summary.detail,
      /3 connections to test \(1 predicted allowed, 2 predicted denied\), from 3 probe pods created in namespaces shop, tools\./,
    );
  });

  describe('failures: clear errors, nothing left', () => {
    it('RBAC forbids reading the cluster: a forbidden error naming the permission', async () => {
      cluster = await startCluster(
        shopScenario({ authorize: (a) => !(a.verb === 'list' && a.resource === 'networkpolicies') }),
      );
      await assert.rejects(
        prepare({ scope: { kind: 'cluster' } }),
        (e) =>
          e instanceof ClusterError &&
          e.kind === 'forbidden' &&
          /list networkpolicies\.networking\.k8s\.io/.test(e.message),
      );
      assert.equal(cluster.double.requestsFor({ verb: 'create', resource: 'pods' }).length, 0);
    });

    it('RBAC forbids creating pods: stops before creating anything', async () => {
      cluster = await startCluster(
        shopScenario({ authorize: (a) => !(a.verb === 'create' && a.resource === 'pods' && a.namespace === 'tools') }),
      );
      const prepared = await prepare({ files: [FILE], scope: { kind: 'files' } });
      const outcome = await runProbe(prepared, FAST);
      assert.equal(outcome.report.error?.kind, 'forbidden');
      assert.match(outcome.report.error!.message, /create pods in namespace "tools"/);
      assert.deepEqual(outcome.counts, { match: 0, mismatch: 0, inconclusive: 3 });
      assert.equal(cluster.double.requestsFor({ verb: 'create', resource: 'pods' }).length, 0);
      assertSafeAndClean(cluster.double);
    });

    it('Pod Security refuses the pod in one namespace: the others are probed', async () => {
      cluster = await startCluster(shopScenario({ faults: [faults.podSecurity({ namespace: 'tools' })] }));
      const prepared = await prepare({ files: [FILE], scope: { kind: 'files' } });
      const outcome = await runProbe(prepared, FAST);
      assert.equal(outcome.report.problems[0]?.kind, 'pod-security');
      assert.deepEqual(
        outcome.rows.map((r) => r.verdict),
        ['match', 'match', 'inconclusive'],
      );
      assert.match(outcome.rows[2].reason, /not probed: .*Pod Security admission in namespace "tools"/);
      assertSafeAndClean(cluster.double);
    });

    it('the API server drops connections while reading and probing: retried, same answers', async () => {
      cluster = await startCluster(shopScenario({ faults: [faults.drop({ every: 3, times: 6 })] }));
      const prepared = await prepare({ files: [FILE], scope: { kind: 'files' } });
      const outcome = await runProbe(prepared, FAST);
      assert.deepEqual(outcome.counts, { match: 3, mismatch: 0, inconclusive: 0 });
      assert.equal(cluster.double.requests.filter((r) => r.dropped).length, 6);
      cluster.double.clearFaults();
      assertSafeAndClean(cluster.double);
    });

    it('cancel in the middle: the run stops and its pods are deleted', async () => {
      cluster = await startCluster(shopScenario({ pod: () => ({ kind: 'hang' }) }));
      const prepared = await prepare({ files: [FILE], scope: { kind: 'files' } });
      const controller = new AbortController();
      const outcome = await runProbe(prepared, {
        ...FAST,
        signal: controller.signal,
        onProgress: (e) => {
          if (e.type === 'pod' && e.state === 'running') controller.abort();
        },
      });
      assert.equal(outcome.report.cancelled, true);
      assert.ok(outcome.rows.every((r) => r.verdict === 'inconclusive'));
      assert.ok(outcome.report.podsCreated >= 1);
      assertSafeAndClean(cluster.double);
    });
  });

  it('identity labels and pod IPs come from the cluster objects, not the files', async () => {
    cluster = await startCluster(shopScenario());
    const prepared = await prepare({ scope: { kind: 'pair', from: 'shop/client', to: 'shop/other' } });
    assert.deepEqual(checks(prepared), [`shop/client[Deployment] -> shop/other[Pod] TCP/${OTHER_IP}:9000 allowed`]);
    assert.equal(prepared.plan.checks[0].decidedBy, 'allowed: no NetworkPolicy isolates either side');
    assert.ok(
      [CLIENT_IP, TOOLBOX_IP].every((ip) => !prepared.plan.run.sources.some((s) => s.targets.some((t) => t.ip === ip))),
    );
  });
});
