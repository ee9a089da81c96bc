// Finding the cluster: which kubeconfig and context we use, what we refuse to guess, what
// we show the user, and that credentials never show up in it. Then reading the cluster in
// the wire shape the engine expects.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect, readClusterObjects } from '../../server/src/cluster/client';
import { ClusterError } from '../../server/src/cluster/errors';
import { KubeApiDouble, writeKubeconfig } from './double';
import { workloadPod } from './helpers';

const SECRET = 'sEcReT-t0ken-do-not-print-1234567890';

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'netreach-kc-'));
}

async function failure(promise: Promise<unknown>): Promise<ClusterError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ClusterError, `expected a ClusterError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a failure');
}

describe('kubeconfig and connection target', () => {
  it('reports a missing kubeconfig instead of falling back to http://localhost:8080', async () => {
    const error = await failure(connect({ env: {}, homeDir: tempDir() }));
    assert.equal(error.kind, 'no-kubeconfig');
    assert.match(error.message, /No kubeconfig found/);
    assert.match(error.message, /localhost:8080/);
    assert.match(error.message, /--kubeconfig/);
  });

  it('reports a --kubeconfig path that does not exist, and a KUBECONFIG naming no existing file', async () => {
    const missing = path.join(tempDir(), 'nope');
    assert.match(
      (await failure(connect({ kubeconfig: missing }))).message,
      /nope \(given with --kubeconfig\) does not exist/,
    );
    const error = await failure(
      connect({ env: { KUBECONFIG: `${missing}${path.delimiter}${missing}2` }, homeDir: tempDir() }),
    );
    assert.equal(error.kind, 'no-kubeconfig');
    assert.match(error.message, /KUBECONFIG is set to/);
  });

  it('uses --kubeconfig, then KUBECONFIG (first file wins, missing entries skipped), then ~/.kube/config', async () => {
    const home = tempDir();
    const dir = tempDir();
    const homeConfig = path.join(home, '.kube', 'config');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(path.dirname(homeConfig));
    writeKubeconfig({ server: 'https://home.example:6443', token: SECRET, context: 'home', file: homeConfig });
    const a = writeKubeconfig({
      server: 'https://a.example:6443',
      token: SECRET,
      context: 'a',
      file: path.join(dir, 'a'),
    });
    const b = writeKubeconfig({
      server: 'https://b.example:6443',
      token: SECRET,
      context: 'b',
      file: path.join(dir, 'b'),
      extraContexts: [{ context: 'a', server: 'https://shadowed.example', token: 'x' }],
    });

    assert.equal((await connect({ env: {}, homeDir: home })).target.context, 'home');
    const fromEnv = await connect({
      env: { KUBECONFIG: [path.join(dir, 'missing'), a, b].join(path.delimiter) },
      homeDir: home,
    });
    assert.equal(fromEnv.target.context, 'a', 'current-context from the first file that sets one');
    assert.equal(fromEnv.target.server, 'https://a.example:6443', 'the first file defining a name wins');
    assert.deepEqual(fromEnv.target.source, [a, b]);
    const other = await connect({ env: { KUBECONFIG: [a, b].join(path.delimiter) }, context: 'b', homeDir: home });
    assert.equal(other.target.server, 'https://b.example:6443');
    assert.equal((await connect({ kubeconfig: b, env: { KUBECONFIG: a }, homeDir: home })).target.context, 'b');
  });

  it('names the available contexts when --context is wrong or no current context is set', async () => {
    const file = writeKubeconfig({
      server: 'https://a.example',
      token: SECRET,
      context: 'prod',
      extraContexts: [{ context: 'staging', server: 'https://s.example', token: SECRET }],
      noCurrentContext: true,
    });
    const none = await failure(connect({ kubeconfig: file }));
    assert.equal(none.kind, 'bad-kubeconfig');
    assert.match(none.message, /has no current context; pick one with --context\. Available contexts: prod, staging\./);
    const wrong = await failure(connect({ kubeconfig: file, context: 'prd' }));
    assert.match(wrong.message, /There is no context "prd".*Available contexts: prod, staging/);
  });

  it('never puts kubeconfig contents in errors: a broken file is reported by line only', async () => {
    const file = path.join(tempDir(), 'config');
    writeFileSync(file, `apiVersion: v1\nusers:\n- name: u\n  user:\n    token: ${SECRET}\n   bad: [indent\n`);
    const error = await failure(connect({ kubeconfig: file }));
    assert.equal(error.kind, 'bad-kubeconfig');
    assert.match(error.message, /is not valid YAML at line \d+/);
    assert.ok(!error.message.includes(SECRET));
  });

  it('shows where it will connect without credentials, and makes no request before asked', async () => {
    const double = await KubeApiDouble.start({});
    try {
      const serverWithUserinfo = double.url.replace('http://', `http://admin:${SECRET}@`);
      const file = writeKubeconfig({
        server: serverWithUserinfo,
        token: SECRET,
        context: 'kind-demo',
        namespace: 'shop',
      });
      const client = await connect({ kubeconfig: file });
      assert.deepEqual(client.target, {
        context: 'kind-demo',
        cluster: 'kind-demo-cluster',
        server: double.url,
        user: 'kind-demo-user',
        namespace: 'shop',
        source: [file],
      });
      assert.ok(!JSON.stringify(client.target).includes(SECRET));
      assert.equal(double.requests.length, 0, 'connect() alone sends nothing: the user confirms first');
    } finally {
      await double.close();
    }
  });
});

describe('reading the cluster', () => {
  it('returns wire-shape objects: NetworkPolicy rules keep `from` (not `_from`), every item has kind and apiVersion', async () => {
    const policy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'allow-client', namespace: 'shop', creationTimestamp: '2024-05-01T10:00:00Z' },
      spec: {
        podSelector: { matchLabels: { app: 'server' } },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [{ podSelector: { matchLabels: { app: 'client' } } }],
            ports: [{ port: 'http' }, { port: 8080, protocol: 'TCP' }],
          },
        ],
      },
    };
    const double = await KubeApiDouble.start({
      namespaces: ['shop', 'other'],
      objects: [
        policy,
        workloadPod('shop', 'server-1', { app: 'server' }, '10.244.0.11'),
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'server', namespace: 'shop' },
          spec: { selector: { app: 'server' }, ports: [{ port: 80, targetPort: 'http' }] },
        },
      ],
    });
    try {
      const client = await connect({ kubeconfig: writeKubeconfig({ server: double.url, token: double.token }) });
      const all = await readClusterObjects(client);
      assert.deepEqual(
        all.namespaces.map((n) => n.metadata?.name),
        ['shop', 'other'],
      );
      const np = all.networkPolicies[0];
      assert.equal(np.kind, 'NetworkPolicy');
      assert.equal(np.apiVersion, 'networking.k8s.io/v1');
      assert.deepEqual(np.spec, policy.spec, 'the spec comes back exactly as stored');
      assert.equal(np.metadata?.creationTimestamp, '2024-05-01T10:00:00.000Z', 'timestamps are strings, not Dates');
      assert.equal(all.pods[0].kind, 'Pod');
      assert.deepEqual((all.pods[0].status as { podIP?: string }).podIP, '10.244.0.11');
      assert.equal(all.services[0].kind, 'Service');

      const scoped = await readClusterObjects(client, { namespace: 'other' });
      assert.deepEqual(
        scoped.namespaces.map((n) => n.metadata?.name),
        ['other'],
      );
      assert.equal(scoped.networkPolicies.length, 0);
    } finally {
      await double.close();
    }
  });

  it('lists every kind the runner relies on through the client library', async () => {
    const double = await KubeApiDouble.start({ namespaces: ['shop'] });
    try {
      const client = await connect({ kubeconfig: writeKubeconfig({ server: double.url, token: double.token }) });
      const kinds = [
        'Namespace',
        'Pod',
        'Service',
        'NetworkPolicy',
        'ConfigMap',
        'ReplicaSet',
        'DaemonSet',
        'Job',
        'ReplicationController',
        'PodDisruptionBudget',
      ] as const;
      for (const kind of kinds) {
        await client.list(kind, kind === 'Namespace' ? {} : { namespace: 'shop' });
      }
      assert.deepEqual(
        double.requests.map((r) => r.resource),
        [
          'namespaces',
          'pods',
          'services',
          'networkpolicies',
          'configmaps',
          'replicasets',
          'daemonsets',
          'jobs',
          'replicationcontrollers',
          'poddisruptionbudgets',
        ],
      );
      assert.ok(double.requests.every((r) => r.status === 200));
    } finally {
      await double.close();
    }
  });
});
