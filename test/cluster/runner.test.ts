// The probe runner against the API test double over real HTTP, through a kubeconfig and the
// unmodified client library. Every test ends by checking what a cautious cluster owner
// cares about: every pod that reached the API server was safe, and nothing is left.

import assert from 'node:assert/strict';
import type { ProbeResult, RunPlan, RunProgress } from '../../server/src/cluster/runner';
import { faults, type Scenario } from './double';
import { assertSafeAndClean, FAST, startCluster, workloadPod, type TestCluster } from './helpers';

const SERVER_IP = '10.244.0.11';

/** The bookstore-ish cluster: a server, a client allowed to reach it, another pod that is not. */
const SHOP: Scenario = {
  namespaces: [{ name: 'shop', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } }, 'default'],
  objects: [
    workloadPod('shop', 'server-7d9f', { app: 'server' }, SERVER_IP),
    workloadPod('shop', 'client-5c6b', { app: 'client', 'pod-template-hash': '5c6b' }, '10.244.0.12'),
    workloadPod('shop', 'other-1', { app: 'other' }, '10.244.0.13'),
  ],
};

/** A network plugin that enforces "only app=client may reach the server on 8080; 9090 is closed". */
const enforcing: Scenario['connect'] = (source, target) => {
  if (target.ip !== SERVER_IP) return 'TIMEOUT';
  if (target.port === 9090) return 'REFUSED';
  return source.metadata.labels?.app === 'client' ? 'CONNECTED' : 'TIMEOUT';
};

function plan(): RunPlan {
  return {
    sources: [
      {
        id: 'client',
        namespace: 'shop',
        labels: { app: 'client', 'pod-template-hash': '5c6b' },
        targets: [
          { id: 'client->server:8080', proto: 'TCP', ip: SERVER_IP, port: 8080 },
          { id: 'client->server:9090', proto: 'TCP', ip: SERVER_IP, port: 9090 },
        ],
      },
      {
        id: 'other',
        namespace: 'shop',
        labels: { app: 'other' },
        targets: [{ id: 'other->server:8080', proto: 'TCP', ip: SERVER_IP, port: 8080 }],
      },
    ],
  };
}

function observed(results: ProbeResult[]): Record<string, string> {
  return Object.fromEntries(results.map((r) => [r.id, r.observed]));
}

describe('probe runner against the API test double', function () {
  let cluster: TestCluster | undefined;

  afterEach(async () => {
    await cluster?.double.close();
    cluster = undefined;
  });

  it('probes from pods with the source identity and reports what the network did', async () => {
    cluster = await startCluster({ ...SHOP, connect: enforcing });
    const events: RunProgress[] = [];
    const report = await cluster.runner.run(plan(), { ...FAST, onProgress: (e) => events.push(e) });

    assert.equal(report.error, undefined);
    assert.deepEqual(observed(report.results), {
      'client->server:8080': 'connected',
      'client->server:9090': 'refused',
      'other->server:8080': 'timeout',
    });
    assert.deepEqual(
      report.results.map((r) => r.attempts.length),
      [1, 1, 1],
    );
    assert.equal(report.podsCreated, 2, 'one pod per source');
    assert.equal(report.target.context, 'test-cluster');

    // The identity: source labels without controller-managed keys, in the source's namespace.
    const received = cluster.double.receivedPods();
    const client = received.find((p) => p.metadata.labels?.app === 'client')!;
    assert.equal(client.metadata.namespace, 'shop');
    assert.equal(client.metadata.labels?.['pod-template-hash'], undefined);
    assert.ok(cluster.double.requestsFor({ verb: 'create', resource: 'pods', namespace: 'shop' }).length === 2);

    // Progress: stages in order, a result event per target, counters that reach the total.
    const stages = events.filter((e) => e.type === 'stage').map((e) => (e.type === 'stage' ? e.stage : ''));
    assert.deepEqual(stages, ['sweep', 'preflight', 'probe', 'cleanup', 'done']);
    const results = events.filter((e) => e.type === 'result');
    assert.equal(results.length, 3);
    assert.deepEqual([results.at(-1)!.done, results.at(-1)!.total], [3, 3]);

    assert.deepEqual(report.cleanup.leftovers, []);
    assertSafeAndClean(cluster.double);
  });

  it('on a plugin that does not enforce policies, reports the connections as made and re-probes the surprises once', async () => {
    cluster = await startCluster({ ...SHOP, connect: (_s, t) => (t.port === 9090 ? 'REFUSED' : 'CONNECTED') });
    const predicted: Record<string, string> = {
      'client->server:8080': 'connected',
      'client->server:9090': 'refused',
      'other->server:8080': 'timeout',
    };
    let asked: string[] = [];
    const report = await cluster.runner.run(plan(), {
      ...FAST,
      reprobe: (first) => (asked = first.filter((r) => r.observed !== predicted[r.id]).map((r) => r.id)),
    });
    assert.deepEqual(asked, ['other->server:8080']);
    const other = report.results.find((r) => r.id === 'other->server:8080')!;
    assert.equal(other.observed, 'connected');
    assert.deepEqual(other.attempts, ['connected', 'connected']);
    assert.match(other.pod ?? '', /-r0$/, 'the re-probe ran from a new pod');
    assert.deepEqual(report.results.find((r) => r.id === 'client->server:8080')!.attempts, ['connected']);
    assert.equal(report.podsCreated, 3);
    assertSafeAndClean(cluster.double);
  });

  it('refuses to start when RBAC denies creating pods, naming the missing permission, and creates nothing', async () => {
    cluster = await startCluster({
      ...SHOP,
      authorize: (a) => !(a.verb === 'create' && a.resource === 'pods' && a.namespace === 'shop'),
    });
    const report = await cluster.runner.run(plan(), FAST);
    assert.equal(report.error?.kind, 'forbidden');
    assert.match(report.error!.message, /create pods in namespace "shop" \(to create probe pods\)/);
    assert.match(report.error!.message, /deploy\/rbac\.yaml/);
    assert.deepEqual(report.error!.missing, [{ verb: 'create', resource: 'pods', group: '', namespace: 'shop' }]);
    assert.ok(
      report.results.every((r) => r.observed === 'error' && /create pods in namespace "shop"/.test(r.detail ?? '')),
    );
    assert.equal(cluster.double.requestsFor({ verb: 'create', resource: 'pods' }).length, 0);
    assert.equal(cluster.double.requestsFor({ verb: 'create', resource: 'configmaps' }).length, 0);
    assertSafeAndClean(cluster.double);
  });

  it('explains a 403 from RBAC on create (when the access review said yes) and still probes other namespaces', async () => {
    cluster = await startCluster({
      ...SHOP,
      objects: [...SHOP.objects!, workloadPod('default', 'tool', { app: 'tool' }, '10.244.0.20')],
      faults: [faults.rbacForbidden({ verb: 'create', resource: 'pods', namespace: 'shop', user: 'ci-bot' })],
    });
    const p = plan();
    p.sources.push({
      id: 'tool',
      namespace: 'default',
      labels: { app: 'tool' },
      targets: [{ id: 'tool->server', proto: 'TCP', ip: SERVER_IP, port: 8080 }],
    });
    const report = await cluster.runner.run(p, FAST);
    assert.equal(report.error, undefined);
    assert.equal(report.problems.length, 1);
    assert.equal(report.problems[0].kind, 'forbidden');
    assert.match(report.problems[0].message, /user "ci-bot" may not create pods in namespace "shop"/);
    assert.equal(report.results.find((r) => r.id === 'tool->server')!.observed, 'connected');
    assert.match(report.results.find((r) => r.id === 'other->server:8080')!.detail ?? '', /may not create pods/);
    assertSafeAndClean(cluster.double);
  });

  it('explains a Pod Security rejection and removes the run ConfigMap it had already created', async () => {
    cluster = await startCluster({
      ...SHOP,
      faults: [faults.podSecurity({ namespace: 'shop', level: 'restricted:v1.30' })],
    });
    const report = await cluster.runner.run(plan(), FAST);
    assert.equal(report.problems[0]?.kind, 'pod-security');
    assert.match(
      report.problems[0].message,
      /Pod Security admission in namespace "shop" refused .*violates PodSecurity "restricted:v1.30"/,
    );
    assert.ok(report.results.every((r) => r.observed === 'error'));
    assert.equal(cluster.double.requestsFor({ verb: 'create', resource: 'configmaps' }).length, 1);
    assertSafeAndClean(cluster.double);
  });

  it('reports quota and admission webhook refusals by kind', async () => {
    cluster = await startCluster({ ...SHOP, faults: [faults.quotaExceeded({ namespace: 'shop', quota: 'pods-max' })] });
    let report = await cluster.runner.run(plan(), FAST);
    assert.equal(report.problems[0]?.kind, 'quota');
    assert.match(report.problems[0].message, /exceeded quota: pods-max.*Lower the probe concurrency/);
    assertSafeAndClean(cluster.double);

    cluster.double.clearFaults();
    cluster.double.addFault(
      faults.webhookDenied({ webhook: 'validate.kyverno.svc-fail', reason: 'image registry not allowed' }),
    );
    report = await cluster.runner.run(plan(), FAST);
    assert.equal(report.problems[0]?.kind, 'admission');
    assert.match(
      report.problems[0].message,
      /admission webhook "validate.kyverno.svc-fail" refused .*image registry not allowed/,
    );
    assertSafeAndClean(cluster.double);
  });

  it('detects an image that cannot be pulled early instead of waiting for the deadline', async () => {
    cluster = await startCluster({ ...SHOP, pod: () => ({ kind: 'image-pull-error' }) });
    const report = await cluster.runner.run(plan(), {
      ...FAST,
      timeoutMs: 60_000,
      image: 'registry.corp/agnhost:2.53',
    });
    assert.equal(report.error, undefined, 'the run did not run into its 60 s deadline');
    assert.equal(report.problems[0]?.kind, 'image-pull');
    assert.match(
      report.problems[0].message,
      /registry\.corp\/agnhost:2\.53.*cannot be pulled in namespace "shop": (ErrImagePull|ImagePullBackOff)/,
    );
    assert.match(report.problems[0].message, /--image/);
    assert.ok(report.results.every((r) => r.observed === 'error'));
    assertSafeAndClean(cluster.double);
  });

  it('gives up on pods stuck Pending at the run deadline, says why, and deletes them', async () => {
    cluster = await startCluster({
      ...SHOP,
      pod: () => ({ kind: 'unschedulable', message: '0/3 nodes are available: 3 Insufficient cpu.' }),
    });
    // No sweep or preflight: the whole short deadline goes to the stuck pods, even on a busy machine.
    const report = await cluster.runner.run(plan(), { ...FAST, timeoutMs: 1500, sweep: false, preflight: false });
    assert.equal(report.error?.kind, 'timeout');
    for (const r of report.results) {
      assert.equal(r.observed, 'error');
      assert.match(
        r.detail ?? '',
        /did not finish within .*probe pod was Pending, not scheduled \(0\/3 nodes are available/,
      );
    }
    assert.equal(cluster.double.requestsFor({ verb: 'create', resource: 'pods' }).length, 2);
    assertSafeAndClean(cluster.double);
  });

  it('reports a probe container that fails without results per target', async () => {
    cluster = await startCluster({
      ...SHOP,
      pod: (p) => (p.metadata.labels?.app === 'other' ? { kind: 'crash', exitCode: 127 } : undefined),
    });
    const report = await cluster.runner.run(plan(), FAST);
    assert.equal(report.results.find((r) => r.id === 'client->server:8080')!.observed, 'connected');
    const other = report.results.find((r) => r.id === 'other->server:8080')!;
    assert.equal(other.observed, 'error');
    assert.match(other.detail ?? '', /probe container failed \(exit code 127/);
    assertSafeAndClean(cluster.double);
  });

  it('rides out an API server that drops connections now and then', async () => {
    // One request in five dropped, eight times in all: each call is retried, none may be lost.
    cluster = await startCluster({ ...SHOP, connect: enforcing, faults: [faults.drop({ every: 5, times: 8 })] });
    const report = await cluster.runner.run(plan(), FAST);
    assert.equal(report.error, undefined);
    assert.deepEqual(observed(report.results), {
      'client->server:8080': 'connected',
      'client->server:9090': 'refused',
      'other->server:8080': 'timeout',
    });
    assert.equal(cluster.double.requests.filter((r) => r.dropped).length, 8, 'connections were really dropped');
    cluster.double.clearFaults();
    assertSafeAndClean(cluster.double);
  });

  it('when the API server goes away mid-run: says so, tells how to clean up, and the next sweep removes the leftovers', async () => {
    cluster = await startCluster({ ...SHOP, pod: () => ({ kind: 'hang' }) });
    const { double } = cluster;
    const report = await cluster.runner.run(plan(), {
      ...FAST,
      onProgress: (e) => {
        if (e.type === 'pod' && e.state === 'running') double.setDown(true);
      },
    });
    assert.equal(report.error?.kind, 'unreachable');
    assert.match(
      report.error!.message,
      new RegExp(`Cannot reach the API server at ${double.url.replace(/[.]/g, '\\.')}`),
    );
    assert.ok(!report.error!.message.includes(double.token));
    assert.ok(report.cleanup.error, 'cleanup could not finish');
    assert.match(
      report.cleanup.hint ?? '',
      new RegExp(`kubectl delete pods,configmaps -n shop -l netreach.io/run-id=${report.runId}`),
    );
    assert.match(report.cleanup.hint ?? '', /stop by themselves after 120 s/);

    double.setDown(false);
    assert.ok(double.probePods().length > 0, 'pods were left while the server was away');
    const sweep = await cluster.runner.sweepStale({ now: () => Date.now() + 3600_000 });
    assert.equal(sweep.error, undefined);
    assert.ok(sweep.deleted.some((r) => r.kind === 'Pod'));
    assertSafeAndClean(double);
  });

  it('says the API server is unreachable when nothing listens, without creating anything', async () => {
    cluster = await startCluster(SHOP);
    const url = cluster.double.url;
    await cluster.double.close();
    const report = await cluster.runner.run(plan(), FAST);
    assert.equal(report.error?.kind, 'unreachable');
    assert.match(report.error!.message, /connection refused \(ECONNREFUSED\)/);
    assert.ok(report.error!.message.includes(url));
    assert.equal(report.podsCreated, 0);
    cluster = undefined;
  });

  it('says the credentials were rejected on a 401', async () => {
    cluster = await startCluster({ ...SHOP, faults: [faults.unauthorized({ noBody: true })] });
    const report = await cluster.runner.run(plan(), FAST);
    assert.equal(report.error?.kind, 'unauthorized');
    assert.match(report.error!.message, /rejected the credentials \(401 Unauthorized\).*log in again/);
    assert.equal(cluster.double.requestsFor({ verb: 'create', resource: 'pods' }).length, 0);
    assert.equal(
      cluster.double.requestsFor({ verb: 'create', resource: 'selfsubjectaccessreviews' }).length,
      0,
      'stopped at the first 401',
    );
    cluster.double.clearFaults();
    assertSafeAndClean(cluster.double);
  });

  it('stops on cancel in the middle, reports the run as cancelled, and deletes its pods', async () => {
    cluster = await startCluster({ ...SHOP, pod: () => ({ kind: 'hang' }) });
    const controller = new AbortController();
    const report = await cluster.runner.run(plan(), {
      ...FAST,
      signal: controller.signal,
      onProgress: (e) => {
        if (e.type === 'pod' && e.state === 'running') controller.abort();
      },
    });
    assert.equal(report.cancelled, true);
    assert.equal(report.error?.kind, 'cancelled');
    assert.ok(report.podsCreated >= 1);
    assert.ok(report.results.every((r) => r.observed === 'error' && /cancelled/.test(r.detail ?? '')));
    assertSafeAndClean(cluster.double);
  });

  it("cleans up and re-throws when the caller's progress callback throws", async () => {
    cluster = await startCluster({ ...SHOP, pod: () => ({ kind: 'hang' }) });
    const boom = new Error('UI went away');
    await assert.rejects(
      cluster.runner.run(plan(), {
        ...FAST,
        onProgress: (e) => {
          if (e.type === 'pod' && e.state === 'created') throw boom;
        },
      }),
      (error) => error === boom,
    );
    assert.ok(cluster.double.receivedPods().length >= 1);
    assertSafeAndClean(cluster.double);
  });

  it('sweeps probe pods and ConfigMaps past their deadline, and leaves younger runs and other pods alone', async () => {
    const old = new Date(Date.now() - 2 * 3600_000).toISOString();
    const managed = (run: string) => ({ 'app.kubernetes.io/managed-by': 'netreach', 'netreach.io/run-id': run });
    const probe = (ns: string, name: string, run: string, created?: string) => ({
      ...workloadPod(ns, name, managed(run), '10.244.9.9'),
      metadata: { name, namespace: ns, labels: managed(run), ...(created ? { creationTimestamp: created } : {}) },
      spec: { activeDeadlineSeconds: 120, containers: [{ name: 'probe', image: 'agnhost' }] },
    });
    cluster = await startCluster({
      namespaces: ['shop', 'default', 'tools'],
      objects: [
        probe('shop', 'netreach-dead-0', 'dead', old),
        probe('tools', 'netreach-dead-1', 'dead', old),
        probe('shop', 'netreach-live-0', 'live'),
        workloadPod('shop', 'web', { app: 'web' }, '10.244.0.30'),
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            name: 'netreach-dead',
            namespace: 'shop',
            labels: managed('dead'),
            annotations: { 'netreach.io/expires-at': old },
          },
        },
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            name: 'netreach-live',
            namespace: 'shop',
            labels: managed('live'),
            annotations: { 'netreach.io/expires-at': new Date(Date.now() + 600_000).toISOString() },
          },
        },
      ],
    });
    const sweep = await cluster.runner.sweepStale();
    assert.deepEqual(sweep.deleted.map((r) => `${r.kind} ${r.namespace}/${r.name}`).sort(), [
      'ConfigMap shop/netreach-dead',
      'Pod shop/netreach-dead-0',
      'Pod tools/netreach-dead-1',
    ]);
    assert.deepEqual(
      cluster.double
        .pods()
        .map((p) => p.metadata.name)
        .sort(),
      ['netreach-live-0', 'web'],
    );
    assert.deepEqual(
      cluster.double.objects('configmaps').map((c) => c.metadata?.name),
      ['netreach-live'],
    );
  });

  it('sweeps stale leftovers in the source namespaces when a run starts', async () => {
    const old = new Date(Date.now() - 3600_000).toISOString();
    cluster = await startCluster({
      ...SHOP,
      objects: [
        ...SHOP.objects!,
        {
          ...workloadPod(
            'shop',
            'netreach-crashed-0',
            { 'app.kubernetes.io/managed-by': 'netreach', 'netreach.io/run-id': 'crashed' },
            '10.244.9.1',
          ),
          metadata: {
            name: 'netreach-crashed-0',
            namespace: 'shop',
            creationTimestamp: old,
            labels: { 'app.kubernetes.io/managed-by': 'netreach', 'netreach.io/run-id': 'crashed' },
          },
          spec: { activeDeadlineSeconds: 120, containers: [{ name: 'probe', image: 'agnhost' }] },
        },
      ],
    });
    const report = await cluster.runner.run(plan(), FAST);
    assert.deepEqual(
      report.sweep?.deleted.map((r) => r.name),
      ['netreach-crashed-0'],
    );
    assertSafeAndClean(cluster.double);
  });

  it('splits many targets across pods so each result message fits in 4 KiB', async () => {
    cluster = await startCluster({ ...SHOP, connect: (_s, t) => (t.port % 2 ? 'TIMEOUT' : 'CONNECTED') });
    const targets = Array.from({ length: 230 }, (_, i) => ({
      id: `t${i}`,
      proto: 'TCP' as const,
      ip: `10.244.${Math.floor(i / 200)}.${100 + (i % 100)}`,
      port: 30000 + i,
    }));
    const report = await cluster.runner.run(
      { sources: [{ id: 'client', namespace: 'shop', labels: { app: 'client' }, targets }] },
      { ...FAST, maxTargetsPerPod: 500 },
    );
    assert.equal(report.error, undefined);
    assert.ok(report.podsCreated >= 2, `split across ${report.podsCreated} pods`);
    for (const r of report.results) assert.equal(r.observed, r.target.port % 2 ? 'timeout' : 'connected', r.id);
    for (const pod of cluster.double.receivedPods()) {
      const env = pod.spec.containers[0].env!.find((e) => e.name === 'NETREACH_TARGETS')!.value!;
      const messageBytes = env.split(' ').reduce((n, t) => n + Buffer.byteLength(`${t} CONNECTED\n`), 0);
      assert.ok(messageBytes <= 4096, `${pod.metadata.name}: ${messageBytes} bytes`);
    }
    assertSafeAndClean(cluster.double);
  });

  it('keeps following pods across watch timeouts, dropped watches and expired resource versions', async () => {
    cluster = await startCluster({
      ...SHOP,
      connect: enforcing,
      timing: { secondMs: 20, runMs: 300 },
    });
    const { double } = cluster;
    let dropped = false;
    const report = await cluster.runner.run(plan(), {
      ...FAST,
      watchTimeoutSeconds: 2,
      onProgress: (e) => {
        if (e.type === 'pod' && e.state === 'running' && !dropped) {
          dropped = true;
          double.compact();
          double.dropWatches();
        }
      },
    });
    assert.equal(report.error, undefined);
    assert.deepEqual(observed(report.results), {
      'client->server:8080': 'connected',
      'client->server:9090': 'refused',
      'other->server:8080': 'timeout',
    });
    assert.ok(double.requestsFor({ verb: 'watch' }).length >= 3, 'watches were re-established');
    assertSafeAndClean(double);
  });

  it('falls back to polling when every watch is cut off', async () => {
    cluster = await startCluster({ ...SHOP, connect: enforcing, faults: [faults.drop({ verb: 'watch' })] });
    const report = await cluster.runner.run(plan(), FAST);
    assert.equal(report.error, undefined);
    assert.deepEqual(observed(report.results), {
      'client->server:8080': 'connected',
      'client->server:9090': 'refused',
      'other->server:8080': 'timeout',
    });
    assert.equal(cluster.double.requestsFor({ verb: 'watch' }).filter((r) => !r.dropped).length, 0);
    assert.ok(cluster.double.requestsFor({ verb: 'list', resource: 'pods' }).length > 3, 'polled with lists');
    cluster.double.clearFaults();
    assertSafeAndClean(cluster.double);
  });

  it('bounds concurrency and refuses plans over the pod cap before creating anything', async () => {
    cluster = await startCluster({ ...SHOP, timing: { runMs: 60 } });
    const many: RunPlan = {
      sources: Array.from({ length: 6 }, (_, i) => ({
        id: `s${i}`,
        namespace: 'shop',
        labels: { app: `a${i}` },
        targets: [{ id: `s${i}t`, proto: 'TCP' as const, ip: SERVER_IP, port: 8080 }],
      })),
    };
    let alive = 0;
    let peak = 0;
    const report = await cluster.runner.run(many, {
      ...FAST,
      concurrency: 2,
      onProgress: () => {
        alive = cluster!.double
          .probePods()
          .filter((p) => !['Succeeded', 'Failed'].includes(p.status?.phase ?? '')).length;
        peak = Math.max(peak, alive);
      },
    });
    assert.equal(report.podsCreated, 6);
    assert.ok(peak <= 2, `at most 2 probe pods at once (saw ${peak})`);

    const capped = await cluster.runner.run(many, { ...FAST, maxPods: 5 });
    assert.equal(capped.error?.kind, 'too-many-pods');
    assert.match(capped.error!.message, /needs 6 probe pods, more than the cap of 5/);
    assert.equal(
      cluster.double.requestsFor({ verb: 'create', resource: 'pods' }).length,
      6,
      'the capped run created nothing',
    );
    assertSafeAndClean(cluster.double);
  });

  it('does not probe invalid targets or SCTP (unless allowed)', async () => {
    cluster = await startCluster(SHOP);
    const report = await cluster.runner.run(
      {
        sources: [
          {
            id: 'client',
            namespace: 'shop',
            labels: { app: 'client' },
            targets: [
              { id: 'sctp', proto: 'SCTP', ip: SERVER_IP, port: 9999 },
              { id: 'bad-port', proto: 'TCP', ip: SERVER_IP, port: 70000 },
              { id: 'hostname', proto: 'TCP', ip: 'server.shop.svc', port: 80 },
              { id: 'v6', proto: 'TCP', ip: 'fd00::11', port: 8080 },
            ],
          },
        ],
      },
      FAST,
    );
    const byId = Object.fromEntries(report.results.map((r) => [r.id, r]));
    assert.match(byId.sctp.detail ?? '', /SCTP probing is off by default/);
    assert.match(byId['bad-port'].detail ?? '', /port 70000 is out of range/);
    assert.match(byId.hostname.detail ?? '', /is not an IP address/);
    assert.equal(byId.v6.observed, 'connected');
    const env = cluster.double
      .receivedPods()[0]
      .spec.containers[0].env!.find((e) => e.name === 'NETREACH_TARGETS')!.value;
    assert.equal(env, 'TCP/[fd00::11]:8080');
    assertSafeAndClean(cluster.double);
  });
});
