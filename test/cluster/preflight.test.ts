// Before any pod exists: permissions (checked against deploy/rbac.yaml itself), the safety
// checks that keep a probe pod from receiving traffic or counting in a disruption budget,
// and the dry runs that show what would be created.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { requiredPermissions } from '../../server/src/cluster/preflight';
import type { RunPlan } from '../../server/src/cluster/runner';
import type { Attributes, Scenario } from './double';
import { assertSafeAndClean, assertSafeProbePod, FAST, startCluster, workloadPod, type TestCluster } from './helpers';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** A small RBAC authorizer over deploy/rbac.yaml, with its RoleBindings moved to `namespaces`. */
function rbacFromDeployYaml(namespaces: string[]): (a: Attributes) => boolean {
  const file = path.join(__dirname, '../../deploy/rbac.yaml');
  const docs = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as Record<string, unknown>);
  const roles = new Map<string, Rule[]>();
  for (const d of docs)
    if (d.kind === 'ClusterRole') roles.set((d.metadata as { name: string }).name, d.rules as Rule[]);
  const grants: { rules: Rule[]; namespace?: string }[] = [];
  for (const d of docs) {
    const role = (d.roleRef as { name: string } | undefined)?.name ?? '';
    if (d.kind === 'ClusterRoleBinding') grants.push({ rules: roles.get(role) ?? [] });
    if (d.kind === 'RoleBinding')
      for (const namespace of namespaces) grants.push({ rules: roles.get(role) ?? [], namespace });
  }
  return (a) =>
    grants.some(
      (g) =>
        (g.namespace === undefined || g.namespace === a.namespace) &&
        g.rules.some(
          (r) => r.apiGroups.includes(a.group) && r.resources.includes(a.resource) && r.verbs.includes(String(a.verb)),
        ),
    );
}

const SERVER_IP = '10.244.0.11';
const BASE: Scenario = {
  namespaces: ['shop', 'default'],
  objects: [workloadPod('shop', 'server', { app: 'server' }, SERVER_IP)],
};

function plan(...sources: [string, string, Record<string, string>][]): RunPlan {
  return {
    sources: sources.map(([id, namespace, labels]) => ({
      id,
      namespace,
      labels,
      targets: [{ id: `${id}->server`, proto: 'TCP', ip: SERVER_IP, port: 8080 }],
    })),
  };
}

describe('preflight', function () {
  let cluster: TestCluster | undefined;

  afterEach(async () => {
    await cluster?.double.close();
    cluster = undefined;
  });

  it('deploy/rbac.yaml grants everything a run needs: preflight passes and the run is clean', async () => {
    cluster = await startCluster({ ...BASE, authorize: rbacFromDeployYaml(['shop']) });
    const report = await cluster.runner.preflight(plan(['client', 'shop', { app: 'client' }]));
    assert.deepEqual(report.permissions.missing, []);
    assert.deepEqual(report.permissions.missingOptional, []);
    const run = await cluster.runner.run(plan(['client', 'shop', { app: 'client' }]), FAST);
    assert.equal(run.error, undefined);
    assert.equal(run.results[0].observed, 'connected');
    assert.ok(
      cluster.double.requests.every((r) => r.status !== 403),
      'no request was refused',
    );
    assertSafeAndClean(cluster.double);
  });

  it('names every missing permission in a namespace the role is not bound in, and why', async () => {
    const authorize = rbacFromDeployYaml(['shop']);
    cluster = await startCluster({ ...BASE, authorize });
    const run = await cluster.runner.run(
      plan(['client', 'shop', { app: 'client' }], ['tool', 'default', { app: 'tool' }]),
      FAST,
    );
    assert.equal(run.error?.kind, 'forbidden');
    const lines = run.error!.message.split('\n').filter((l) => l.startsWith('  - '));
    // The cluster-wide reader role already covers some reads in "default" (list pods, services...).
    const expected = requiredPermissions(['default'], { includeClusterRead: false }).filter(
      (n) => !n.optional && !authorize(n.permission),
    );
    assert.equal(lines.length, expected.length);
    assert.ok(expected.length >= 8);
    assert.ok(
      lines.every((l) => l.includes('in namespace "default"')),
      'nothing about "shop", where the role is bound',
    );
    assert.ok(lines.includes('  - create pods in namespace "default" (to create probe pods)'));
    assert.ok(
      lines.includes(
        '  - list poddisruptionbudgets.policy in namespace "default" (to check that no PodDisruptionBudget would count a probe pod)',
      ),
    );
    assert.equal(cluster.double.receivedPods().length, 0, 'nothing was created');
  });

  it('falls back to list + delete when deletecollection is not granted', async () => {
    cluster = await startCluster({
      ...BASE,
      authorize: (a) => a.verb !== 'deletecollection',
      pod: () => ({ kind: 'hang' }),
    });
    const controller = new AbortController();
    const run = await cluster.runner.run(plan(['client', 'shop', { app: 'client' }]), {
      ...FAST,
      signal: controller.signal,
      onProgress: (e) => e.type === 'pod' && e.state === 'running' && controller.abort(),
    });
    assert.deepEqual(
      run.preflight?.permissions.missingOptional.map((n) => `${n.permission.verb} ${n.permission.resource}`),
      ['deletecollection pods'],
    );
    assert.deepEqual(run.cleanup.leftovers, []);
    assertSafeAndClean(cluster.double);
  });

  it('skips a source whose probe pod a publishNotReadyAddresses Service or a PodDisruptionBudget would select', async () => {
    cluster = await startCluster({
      ...BASE,
      objects: [
        ...BASE.objects!,
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'client-headless', namespace: 'shop' },
          spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector: { app: 'client' } },
        },
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'web', namespace: 'shop' },
          spec: { selector: { app: 'web' } },
        },
        {
          apiVersion: 'policy/v1',
          kind: 'PodDisruptionBudget',
          metadata: { name: 'api-pdb', namespace: 'shop' },
          spec: { minAvailable: 1, selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['api'] }] } },
        },
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          metadata: { name: 'web-6d4f', namespace: 'shop' },
          spec: { selector: { matchLabels: { app: 'web' } } },
        },
      ],
    });
    const p = plan(
      ['client', 'shop', { app: 'client' }],
      ['api', 'shop', { app: 'api' }],
      ['web', 'shop', { app: 'web' }],
    );
    const report = await cluster.runner.run(p, FAST);
    const findings = report.preflight!.adoption.map(
      (f) => `${f.sourceId} ${f.kind} ${f.name} ${f.blocking ? 'blocking' : 'info'}`,
    );
    assert.deepEqual(findings.sort(), [
      'api PodDisruptionBudget api-pdb blocking',
      'client Service client-headless blocking',
      'web ReplicaSet web-6d4f info',
      'web Service web info',
    ]);
    const byId = Object.fromEntries(report.results.map((r) => [r.id, r]));
    assert.match(
      byId['client->server'].detail ?? '',
      /not probed: Service shop\/client-headless selects the probe pod and publishes not-ready addresses/,
    );
    assert.match(byId['api->server'].detail ?? '', /PodDisruptionBudget shop\/api-pdb would count the probe pod/);
    assert.equal(byId['web->server'].observed, 'connected', 'the ownerReference makes the ReplicaSet match harmless');
    assert.deepEqual(
      cluster.double.receivedPods().map((pod) => pod.metadata.labels?.app),
      ['web'],
      'no pod was created for the skipped sources',
    );
    assertSafeAndClean(cluster.double);
  });

  it('previews the exact objects without any request, and dry-runs them through admission without storing anything', async () => {
    cluster = await startCluster({
      ...BASE,
      namespaces: [{ name: 'shop', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } }, 'default'],
    });
    const p = plan(['client', 'shop', { app: 'client' }], ['tool', 'default', { app: 'tool' }]);
    const preview = cluster.runner.preview(p, { runId: 'preview1' });
    assert.equal(cluster.double.requests.length, 0);
    assert.deepEqual(
      preview.pods.map((pod) => `${pod.metadata?.namespace}/${pod.metadata?.name}`),
      ['shop/netreach-preview1-0', 'default/netreach-preview1-1'],
    );
    assert.deepEqual(
      preview.configMaps.map((c) => `${c.metadata?.namespace}/${c.metadata?.name}`),
      ['shop/netreach-preview1', 'default/netreach-preview1'],
    );
    for (const pod of preview.pods) assertSafeProbePod(pod as never);

    const admitted = await cluster.runner.admissionCheck(p, { runId: 'preview1' });
    assert.deepEqual(
      admitted.map((a) => [a.kind, a.namespace, a.error?.kind]),
      [
        ['ConfigMap', 'shop', undefined],
        ['ConfigMap', 'default', undefined],
        ['Pod', 'shop', undefined],
        ['Pod', 'default', undefined],
      ],
      'the probe pod passes Pod Security "restricted"',
    );
    assert.ok(cluster.double.received.every((r) => r.dryRun));

    cluster.double.addFault({
      resource: 'pods',
      verb: 'create',
      namespace: 'default',
      action: {
        status: 400,
        reason: 'BadRequest',
        message: 'admission webhook "deny.example.com" denied the request: no probes here',
      },
    });
    const denied = await cluster.runner.admissionCheck(p, { runId: 'preview1' });
    assert.equal(denied.find((a) => a.kind === 'Pod' && a.namespace === 'default')?.error?.kind, 'admission');
    assert.equal(cluster.double.objects('pods').length, 1, 'only the seeded workload exists');
    assert.equal(cluster.double.objects('configmaps').length, 0);
  });
});
