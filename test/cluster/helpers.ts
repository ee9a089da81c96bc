// Shared setup for cluster-layer tests: a double, a kubeconfig pointing at it, a runner
// built through the product's own connect(), fast options, and the safety assertions every
// test makes on the pods the double received.

import assert from 'node:assert/strict';
import { ProbeRunner, type RunOptions } from '../../server/src/cluster/runner';
import { KubeApiDouble, writeKubeconfig, type Pod, type Scenario } from './double';
import { checkPodSecurity } from './double/podSecurity';

export interface TestCluster {
  double: KubeApiDouble;
  kubeconfig: string;
  runner: ProbeRunner;
}

export async function startCluster(
  scenario: Scenario = {},
  connect: { requestTimeoutMs?: number } = {},
): Promise<TestCluster> {
  const double = await KubeApiDouble.start(scenario);
  const kubeconfig = writeKubeconfig({ server: double.url, token: double.token, context: 'test-cluster' });
  const runner = await ProbeRunner.connect({ kubeconfig, ...connect });
  return { double, kubeconfig, runner };
}

/** Small waits and back-offs: the double's pods finish in tens of milliseconds. */
export const FAST: RunOptions = {
  settleSeconds: 0,
  connectTimeoutSeconds: 1,
  timeoutMs: 10_000,
  watchTimeoutSeconds: 5,
  pollIntervalMs: 20,
  retry: { attempts: 4, baseDelayMs: 5, maxDelayMs: 40 },
  cleanupTimeoutMs: 5_000,
};

const CONTROLLER_KEYS = [
  'pod-template-hash',
  'controller-revision-hash',
  'job-name',
  'batch.kubernetes.io/job-name',
  'controller-uid',
];

/** The safety properties of docs/probing.md, checked on a pod body as it crossed the wire. */
export function assertSafeProbePod(pod: Pod): void {
  const where = `pod ${pod.metadata.name}`;
  const labels = pod.metadata.labels ?? {};
  assert.equal(labels['app.kubernetes.io/managed-by'], 'netreach', `${where}: managed-by label`);
  assert.match(labels['netreach.io/run-id'] ?? '', /^[a-z0-9-]+$/, `${where}: run-id label`);
  for (const key of CONTROLLER_KEYS)
    assert.ok(!(key in labels), `${where}: must not copy controller-managed label ${key}`);

  const owners = pod.metadata.ownerReferences ?? [];
  assert.equal(owners.length, 1, `${where}: one owner`);
  assert.equal(owners[0].kind, 'ConfigMap');
  assert.equal(owners[0].controller, true, `${where}: controller ownerReference prevents adoption`);
  assert.ok(owners[0].uid, `${where}: owner uid`);

  const spec = pod.spec;
  assert.ok(spec.readinessGates?.length, `${where}: a readiness gate keeps it out of Service endpoints`);
  assert.equal(spec.restartPolicy, 'Never');
  assert.ok((spec.activeDeadlineSeconds ?? 0) > 0, `${where}: activeDeadlineSeconds`);
  assert.equal(spec.terminationGracePeriodSeconds, 0);
  assert.equal(spec.automountServiceAccountToken, false, `${where}: no service account token`);
  assert.equal(spec.enableServiceLinks, false);
  assert.equal(spec.securityContext?.runAsNonRoot, true);
  assert.equal(spec.securityContext?.runAsUser, 65534);
  assert.equal(spec.securityContext?.seccompProfile?.type, 'RuntimeDefault');
  assert.ok(!spec.hostNetwork && !spec.hostPID && !spec.hostIPC, `${where}: no host namespaces`);
  assert.ok(!spec.volumes?.length, `${where}: no volumes`);
  assert.ok(!('priorityClassName' in spec), `${where}: no priority class`);
  assert.equal(pod.metadata.annotations?.['sidecar.istio.io/inject'], 'false');
  assert.equal(pod.metadata.annotations?.['linkerd.io/inject'], 'disabled');
  assert.equal(spec.containers.length, 1);
  const c = spec.containers[0];
  assert.equal(c.securityContext?.allowPrivilegeEscalation, false);
  assert.deepEqual(c.securityContext?.capabilities, { drop: ['ALL'] });
  assert.ok(!c.securityContext?.privileged);
  assert.ok(!(c.ports ?? []).some((p) => p.hostPort), `${where}: no host ports`);
  const resources = c.resources as { requests?: Record<string, string>; limits?: Record<string, string> } | undefined;
  assert.ok(resources?.requests?.cpu && resources.limits?.memory, `${where}: requests and limits`);
  const targets = c.env?.find((e) => e.name === 'NETREACH_TARGETS')?.value ?? '';
  assert.match(targets, /^(TCP|UDP|SCTP)\/\S+:\d+( (TCP|UDP|SCTP)\/\S+:\d+)*$/, `${where}: NETREACH_TARGETS`);
  assert.deepEqual(checkPodSecurity(pod, 'restricted'), [], `${where}: passes Pod Security "restricted"`);
}

/** Every pod body the double received is safe, and no probe pod or run ConfigMap is left. */
export function assertSafeAndClean(double: KubeApiDouble): void {
  for (const pod of double.receivedPods()) assertSafeProbePod(pod);
  assert.deepEqual(
    double.probePods().map((p) => `${p.metadata.namespace}/${p.metadata.name}`),
    [],
    'no probe pod remains',
  );
  assert.deepEqual(
    double
      .objects('configmaps')
      .filter((c) => c.metadata?.labels?.['app.kubernetes.io/managed-by'] === 'netreach')
      .map((c) => c.metadata?.name),
    [],
    'no run ConfigMap remains',
  );
}

export function workloadPod(namespace: string, name: string, labels: Record<string, string>, ip: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: { containers: [{ name: 'app', image: 'registry.k8s.io/e2e-test-images/agnhost:2.53' }] },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] },
  };
}
