// The API test double, driven by the unmodified @kubernetes/client-node through a
// kubeconfig file, exactly as the product talks to a real cluster. If these pass, tests of
// the cluster layer against the double exercise the real client library end to end.

import assert from 'node:assert/strict';
import type * as K8s from '@kubernetes/client-node';
import { faults, KubeApiDouble, writeKubeconfig } from './double';

type Lib = typeof K8s;

function statusOf(error: unknown): { code?: number; body?: { reason?: string; message?: string } } {
  const e = error as { code?: number; body?: unknown };
  const body =
    typeof e.body === 'string' && e.body ? (JSON.parse(e.body) as { reason?: string; message?: string }) : undefined;
  return { code: e.code, body };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected the call to fail');
}

const probePod = (targets: string, extra: Partial<K8s.V1ObjectMeta> = {}): K8s.V1Pod => ({
  metadata: { generateName: 'probe-', labels: { app: 'client', 'app.kubernetes.io/managed-by': 'netreach' }, ...extra },
  spec: {
    restartPolicy: 'Never',
    readinessGates: [{ conditionType: 'netreach.io/never-ready' }],
    containers: [{ name: 'probe', image: 'agnhost', env: [{ name: 'NETREACH_TARGETS', value: targets }] }],
  },
});

describe('Kubernetes API test double (driven by @kubernetes/client-node)', function () {
  let k8s: Lib;
  let double: KubeApiDouble;
  let kc: K8s.KubeConfig;
  let core: K8s.CoreV1Api;

  before(async () => {
    k8s = await import('@kubernetes/client-node');
  });

  async function start(scenario: Parameters<typeof KubeApiDouble.start>[0] = {}): Promise<void> {
    double = await KubeApiDouble.start({ namespaces: ['default', 'shop'], ...scenario });
    kc = new k8s.KubeConfig();
    kc.loadFromFile(writeKubeconfig({ server: double.url, token: double.token }));
    core = kc.makeApiClient(k8s.CoreV1Api);
  }

  afterEach(async () => {
    await double?.close();
  });

  it('lists namespaces as a typed list with a resourceVersion, authenticated by the bearer token', async () => {
    await start();
    const list = await core.listNamespace();
    assert.deepEqual(
      list.items.map((n) => n.metadata?.name),
      ['default', 'shop'],
    );
    assert.equal(list.items[1].metadata?.labels?.['kubernetes.io/metadata.name'], 'shop');
    assert.match(list.metadata?.resourceVersion ?? '', /^\d+$/);
    assert.ok(
      double.requests.every((r) => r.authenticated),
      'every request carried the token',
    );
  });

  it('answers a wrong token with 401', async () => {
    await start();
    const other = new k8s.KubeConfig();
    other.loadFromFile(writeKubeconfig({ server: double.url, token: 'wrong' }));
    const error = await rejection(other.makeApiClient(k8s.CoreV1Api).listNamespace());
    assert.equal(statusOf(error).code, 401);
  });

  it('creates with generateName, runs the probe pod to Succeeded with per-target results, keeps Ready=False', async () => {
    await start({
      connect: (source, target) =>
        source.metadata.labels?.app === 'client' && target.port === 8080 ? 'CONNECTED' : 'TIMEOUT',
    });
    const created = await core.createNamespacedPod({
      namespace: 'shop',
      body: probePod('TCP/10.0.0.1:8080 TCP/10.0.0.1:9090'),
    });
    const name = created.metadata!.name!;
    assert.match(name, /^probe-[a-z0-9]{5}$/);
    assert.equal(created.status?.phase, 'Pending');

    const seen: string[] = [];
    let readyWhileRunning: string | undefined;
    await double.waitFor(() => {
      const pod = double.pods('shop').find((p) => p.metadata.name === name);
      const phase = pod?.status?.phase ?? '';
      if (seen.at(-1) !== phase) seen.push(phase);
      if (phase === 'Running') readyWhileRunning = pod?.status?.conditions?.find((c) => c.type === 'Ready')?.status;
      return phase === 'Succeeded';
    });
    assert.deepEqual(seen, ['Pending', 'Running', 'Succeeded']);
    assert.equal(readyWhileRunning, 'False', 'the unset readiness gate keeps the pod out of Service endpoints');

    const pod = await core.readNamespacedPod({ namespace: 'shop', name });
    const terminated = pod.status?.containerStatuses?.[0].state?.terminated;
    assert.equal(terminated?.exitCode, 0);
    assert.equal(terminated?.message, 'TCP/10.0.0.1:8080 CONNECTED\nTCP/10.0.0.1:9090 TIMEOUT\n');
  });

  it('filters lists by label selector and field selector', async () => {
    await start({ pod: () => ({ kind: 'hang' }) });
    await core.createNamespacedPod({ namespace: 'shop', body: probePod('') });
    await core.createNamespacedPod({
      namespace: 'shop',
      body: { ...probePod(''), metadata: { name: 'web-1', labels: { app: 'web', tier: 'front' } } },
    });
    const names = async (labelSelector?: string, fieldSelector?: string) =>
      (await core.listPodForAllNamespaces({ labelSelector, fieldSelector })).items.map((p) => p.metadata?.name).sort();
    assert.deepEqual(await names('app=web'), ['web-1']);
    assert.deepEqual(await names('app in (web, api),tier!=back'), ['web-1']);
    assert.deepEqual((await names('app.kubernetes.io/managed-by')).length, 1);
    assert.deepEqual(await names('!tier'), await names('app=client'));
    assert.deepEqual(await names(undefined, 'metadata.name=web-1'), ['web-1']);
    await double.waitFor(() => double.pods().every((p) => p.status?.phase === 'Running'));
    assert.deepEqual((await names(undefined, 'status.phase=Running')).length, 2);
    const error = await rejection(core.listPodForAllNamespaces({ fieldSelector: 'spec.bogus=1' }));
    assert.equal(statusOf(error).code, 400);
  });

  it('streams watch events as JSON lines, from a resourceVersion, ending after timeoutSeconds', async () => {
    await start({ timing: { secondMs: 20 } });
    const listed = await core.listNamespacedPod({ namespace: 'shop' });
    const events: string[] = [];
    const watch = new k8s.Watch(kc);
    const ended = new Promise<unknown>((resolve) => {
      void watch.watch(
        '/api/v1/namespaces/shop/pods',
        { resourceVersion: listed.metadata?.resourceVersion, timeoutSeconds: 10 },
        (type, obj: K8s.V1Pod) => events.push(`${type} ${obj.status?.phase}`),
        resolve,
      );
    });
    await double.waitFor(() => double.requestsFor({ verb: 'watch' }).length === 1);
    const created = await core.createNamespacedPod({ namespace: 'shop', body: probePod('TCP/10.0.0.1:80') });
    await core.deleteNamespacedPod({ namespace: 'shop', name: created.metadata!.name! });
    assert.equal(await ended, null, 'the server ended the watch cleanly after timeoutSeconds');
    assert.equal(events[0], 'ADDED Pending');
    assert.equal(events.at(-1)?.split(' ')[0], 'DELETED');
  });

  it('reports an expired resourceVersion on a watch as an ERROR event with 410', async () => {
    await start();
    await core.createNamespacedPod({ namespace: 'shop', body: probePod('') });
    double.compact();
    const watch = new k8s.Watch(kc);
    const errors: unknown[] = [];
    await new Promise<void>((resolve) => {
      void watch.watch(
        '/api/v1/namespaces/shop/pods',
        { resourceVersion: '1' },
        (type, obj) => {
          if (type === 'ERROR') errors.push(obj);
        },
        () => resolve(),
      );
    });
    assert.equal((errors[0] as { code?: number }).code, 410);
  });

  it('deletes by name and by label selector (deletecollection)', async () => {
    await start({ pod: () => ({ kind: 'hang' }) });
    const a = await core.createNamespacedPod({ namespace: 'shop', body: probePod('', { labels: { run: 'r1' } }) });
    await core.createNamespacedPod({ namespace: 'shop', body: probePod('', { labels: { run: 'r1' } }) });
    await core.createNamespacedPod({ namespace: 'shop', body: probePod('', { labels: { run: 'r2' } }) });
    await core.deleteNamespacedPod({ namespace: 'shop', name: a.metadata!.name!, gracePeriodSeconds: 0 });
    assert.equal(double.pods('shop').length, 2);
    await core.deleteCollectionNamespacedPod({ namespace: 'shop', labelSelector: 'run=r1' });
    assert.deepEqual(
      double.pods('shop').map((p) => p.metadata.labels?.run),
      ['r2'],
    );
    const missing = await rejection(core.deleteNamespacedPod({ namespace: 'shop', name: 'nope' }));
    assert.equal(statusOf(missing).code, 404);
    assert.equal(statusOf(missing).body?.reason, 'NotFound');
  });

  it('honours dryRun=All: answers with the object, stores nothing, but records what it received', async () => {
    await start();
    const preview = await core.createNamespacedPod({
      namespace: 'shop',
      body: probePod('TCP/1.2.3.4:80'),
      dryRun: 'All',
    });
    assert.match(preview.metadata?.name ?? '', /^probe-/);
    assert.equal(double.pods('shop').length, 0);
    assert.equal(double.received.length, 1);
    assert.equal(double.received[0].dryRun, true);
  });

  it('rejects duplicates (409), missing names (422) and unknown namespaces (404) with Status bodies', async () => {
    await start({ pod: () => ({ kind: 'hang' }) });
    const named = { ...probePod(''), metadata: { name: 'fixed' } };
    await core.createNamespacedPod({ namespace: 'shop', body: named });
    const dup = statusOf(await rejection(core.createNamespacedPod({ namespace: 'shop', body: named })));
    assert.equal(dup.code, 409);
    assert.equal(dup.body?.reason, 'AlreadyExists');
    const noName = statusOf(
      await rejection(core.createNamespacedPod({ namespace: 'shop', body: { ...named, metadata: {} } })),
    );
    assert.equal(noName.code, 422);
    assert.equal(noName.body?.reason, 'Invalid');
    const noNs = statusOf(await rejection(core.createNamespacedPod({ namespace: 'ghost', body: named })));
    assert.equal(noNs.code, 404);
    assert.equal(noNs.body?.message, 'namespaces "ghost" not found');
  });

  it('answers SelfSubjectAccessReviews from the scenario RBAC and enforces the same rules', async () => {
    await start({ authorize: (a) => !(a.verb === 'create' && a.resource === 'pods' && a.namespace === 'shop') });
    const authz = kc.makeApiClient(k8s.AuthorizationV1Api);
    const ask = async (namespace: string) =>
      (
        await authz.createSelfSubjectAccessReview({
          body: { spec: { resourceAttributes: { verb: 'create', resource: 'pods', group: '', namespace } } },
        })
      ).status?.allowed;
    assert.equal(await ask('shop'), false);
    assert.equal(await ask('default'), true);
    const denied = statusOf(await rejection(core.createNamespacedPod({ namespace: 'shop', body: probePod('') })));
    assert.equal(denied.code, 403);
    assert.equal(
      denied.body?.message,
      'pods is forbidden: User "alice" cannot create resource "pods" in API group "" in the namespace "shop"',
    );
  });

  it('enforces Pod Security "restricted" from the namespace label with the admission wording', async () => {
    await start({ namespaces: [{ name: 'locked', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } }] });
    const denied = statusOf(await rejection(core.createNamespacedPod({ namespace: 'locked', body: probePod('') })));
    assert.equal(denied.code, 403);
    assert.match(
      denied.body?.message ?? '',
      /violates PodSecurity "restricted:latest": .*allowPrivilegeEscalation != false/,
    );
  });

  it('injects faults: 500, 401 without a body, quota, and dropped connections', async () => {
    await start();
    double.addFault({ ...faults.serverError({ verb: 'list', resource: 'namespaces' }), times: 1 });
    assert.equal(statusOf(await rejection(core.listNamespace())).code, 500);
    assert.equal((await core.listNamespace()).items.length, 2, 'the fault fired once');

    double.addFault({ ...faults.unauthorized({ noBody: true }), times: 1 });
    const unauthorized = await rejection(core.listNamespace());
    assert.equal(statusOf(unauthorized).code, 401);

    double.addFault({ ...faults.quotaExceeded(), times: 1 });
    const quota = statusOf(await rejection(core.createNamespacedPod({ namespace: 'shop', body: probePod('') })));
    assert.match(quota.body?.message ?? '', /exceeded quota/);

    double.addFault({ ...faults.drop({ verb: 'list' }), times: 1 });
    const dropped = (await rejection(core.listNamespace())) as Error & { cause?: { code?: string } };
    assert.equal(dropped.message, 'fetch failed');
    assert.equal(dropped.cause?.code, 'UND_ERR_SOCKET');
    assert.equal(double.requests.filter((r) => r.dropped).length, 1);
  });

  it('reports image pull failures as ErrImagePull then ImagePullBackOff', async () => {
    await start({ pod: () => ({ kind: 'image-pull-error' }) });
    const created = await core.createNamespacedPod({ namespace: 'shop', body: probePod('') });
    const reasons = new Set<string>();
    await double.waitFor(() => {
      const pod = double.pods('shop').find((p) => p.metadata.name === created.metadata?.name);
      const reason = pod?.status?.containerStatuses?.[0]?.state.waiting?.reason;
      if (reason) reasons.add(reason);
      return reasons.has('ImagePullBackOff');
    });
    assert.ok(reasons.has('ErrImagePull'));
    assert.equal(double.pods('shop')[0].status?.phase, 'Pending');
  });

  it('fails a scheduled pod at activeDeadlineSeconds but leaves an unschedulable pod Pending', async () => {
    await start({
      timing: { secondMs: 5 },
      pod: (p) => (p.metadata.labels?.app === 'stuck' ? { kind: 'unschedulable' } : { kind: 'hang' }),
    });
    const body = (app: string): K8s.V1Pod => ({ ...probePod(''), metadata: { name: app, labels: { app } } });
    await core.createNamespacedPod({
      namespace: 'shop',
      body: { ...body('hung'), spec: { ...body('hung').spec!, activeDeadlineSeconds: 4 } },
    });
    await core.createNamespacedPod({
      namespace: 'shop',
      body: { ...body('stuck'), spec: { ...body('stuck').spec!, activeDeadlineSeconds: 4 } },
    });
    // Created after "stuck" with the same deadline: once it has failed, "stuck" would have too.
    await core.createNamespacedPod({
      namespace: 'shop',
      body: { ...body('witness'), spec: { ...body('witness').spec!, activeDeadlineSeconds: 4 } },
    });
    const byName = (name: string) => double.pods('shop').find((p) => p.metadata.name === name);
    await double.waitFor(
      () => byName('hung')?.status?.phase === 'Failed' && byName('witness')?.status?.phase === 'Failed',
    );
    const hung = double.pods('shop').find((p) => p.metadata.name === 'hung')!;
    assert.equal(hung.status?.reason, 'DeadlineExceeded');
    const stuck = double.pods('shop').find((p) => p.metadata.name === 'stuck')!;
    assert.equal(stuck.status?.phase, 'Pending');
    assert.equal(stuck.status?.conditions?.find((c) => c.type === 'PodScheduled')?.reason, 'Unschedulable');
  });

  it('keeps the tail of a termination message longer than 4 KiB, as the kubelet does', async () => {
    await start();
    const targets = Array.from({ length: 200 }, (_, i) => `TCP/10.0.${Math.floor(i / 250)}.${i}:8080`).join(' ');
    const created = await core.createNamespacedPod({ namespace: 'shop', body: probePod(targets) });
    await double.waitFor(() => double.pods('shop')[0]?.status?.phase === 'Succeeded');
    const pod = await core.readNamespacedPod({ namespace: 'shop', name: created.metadata!.name! });
    const message = pod.status!.containerStatuses![0].state!.terminated!.message!;
    assert.equal(Buffer.byteLength(message), 4096);
    assert.ok(message.endsWith('TCP/10.0.0.199:8080 CONNECTED\n'));
    assert.ok(!message.includes('TCP/10.0.0.0:8080 '));
  });
});
