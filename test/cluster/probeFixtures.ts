// A small cluster for the probe planner and `netreach probe` tests: a Deployment "server"
// (named port http = 8080) that only app=client may reach, a Deployment "client", a bare pod
// "other" in the same namespace and a pod in another namespace; and network plugins that do
// and do not enforce the policy.

import type { KubeObject, Pod, Scenario } from './double';

export const SERVER_IP = '10.244.0.11';
export const CLIENT_IP = '10.244.0.12';
export const OTHER_IP = '10.244.0.13';
export const TOOLBOX_IP = '10.244.1.20';

interface PodOptions {
  owner?: { kind: string; name: string };
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  phase?: string;
  hostNetwork?: boolean;
}

export function pod(
  namespace: string,
  name: string,
  labels: Record<string, string>,
  ip: string | undefined,
  o: PodOptions = {},
): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      uid: `uid-${namespace}-${name}`,
      labels,
      ...(o.owner
        ? {
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: o.owner.kind,
                name: o.owner.name,
                uid: `uid-${o.owner.name}`,
                controller: true,
              },
            ],
          }
        : {}),
    },
    spec: {
      ...(o.hostNetwork ? { hostNetwork: true } : {}),
      containers: [
        {
          name: 'app',
          image: 'registry.k8s.io/e2e-test-images/agnhost:2.53',
          ...(o.ports ? { ports: o.ports.map((p) => ({ protocol: 'TCP', ...p })) } : {}),
        },
      ],
    },
    status: { phase: o.phase ?? 'Running', ...(ip ? { podIP: ip, podIPs: [{ ip }] } : {}) },
  };
}

export function networkPolicy(namespace: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

/** The policy as the API server stores it (defaults filled in). */
export const SERVER_ALLOW_CLIENT = networkPolicy('shop', 'server-allow-client', {
  podSelector: { matchLabels: { app: 'server' } },
  policyTypes: ['Ingress'],
  ingress: [
    { from: [{ podSelector: { matchLabels: { app: 'client' } } }], ports: [{ protocol: 'TCP', port: 'http' }] },
  ],
});

/** The same policy as a user writes it (no defaults). */
export const SERVER_ALLOW_CLIENT_YAML = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: server-allow-client
  namespace: shop
spec:
  podSelector:
    matchLabels:
      app: server
  ingress:
    - from:
        - podSelector:
            matchLabels:
              app: client
      ports:
        - port: http
`;

export const WORKLOADS: Pod[] = [
  pod('shop', 'server-7d9f-x1', { app: 'server', 'pod-template-hash': '7d9f' }, SERVER_IP, {
    owner: { kind: 'ReplicaSet', name: 'server-7d9f' },
    ports: [{ name: 'http', containerPort: 8080 }],
  }),
  pod('shop', 'client-5c6b-y2', { app: 'client', tier: 'front', 'pod-template-hash': '5c6b' }, CLIENT_IP, {
    owner: { kind: 'ReplicaSet', name: 'client-5c6b' },
  }),
  pod('shop', 'other', { app: 'other' }, OTHER_IP, { ports: [{ containerPort: 9000 }] }),
  pod('tools', 'toolbox', { app: 'toolbox' }, TOOLBOX_IP),
];

export function shopScenario(extra: Partial<Scenario> = {}): Scenario {
  return {
    namespaces: [{ name: 'shop', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } }, 'tools', 'default'],
    objects: [...WORKLOADS, SERVER_ALLOW_CLIENT],
    connect: enforcing,
    timing: { scheduleMs: 5, startMs: 5, runMs: 10 },
    ...extra,
  };
}

/** A plugin that enforces server-allow-client: only app=client pods of shop reach the server, on 8080. */
export const enforcing: NonNullable<Scenario['connect']> = (source, target) => {
  if (target.ip !== SERVER_IP) return 'CONNECTED';
  if (target.port !== 8080) return 'TIMEOUT';
  return source.metadata.namespace === 'shop' && source.metadata.labels?.app === 'client' ? 'CONNECTED' : 'TIMEOUT';
};

/** A plugin that does not enforce NetworkPolicy at all (e.g. kind before v0.24, flannel). */
export const notEnforcing: NonNullable<Scenario['connect']> = () => 'CONNECTED';
