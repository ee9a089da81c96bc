/**
 * A deterministic generator of a large, realistic Kubernetes workspace for the benchmark.
 *
 * The shape follows what platform teams keep in Git: one folder per namespace with a
 * kustomization, one file per application (ServiceAccount, ConfigMap, workload, Service),
 * the CronJobs of the namespace together, and NetworkPolicies in their own folder: a
 * baseline file (default deny, DNS, Prometheus scraping, ingress controller) and one file
 * per application. Most namespaces deny by default, so the number of allowed pairs stays
 * close to what a real cluster has (a few percent of all pairs).
 *
 * Everything comes from one seeded PRNG: the same shape and seed give the same bytes.
 *
 *   node_modules/.bin/tsx test/bench/generate.ts [--workloads 2000] [--namespaces 100]
 *       [--policies 1000] [--seed 1] [--out .bench/workspace-...] [--pairs]
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';

export interface Shape {
  readonly workloads: number;
  readonly namespaces: number;
  readonly policies: number;
  readonly seed: number;
}

export const DEFAULT_SHAPE: Shape = { workloads: 2000, namespaces: 100, policies: 1000, seed: 1 };

export interface GeneratedSummary {
  readonly shape: Shape;
  /** A hash of this file: a changed generator means a new workspace. */
  readonly generator: string;
  readonly files: number;
  readonly bytes: number;
  readonly documents: number;
  readonly counts: Readonly<Record<string, number>>;
  /** Namespaces with a default deny (ingress and egress). */
  readonly denyNamespaces: number;
}

// ------------------------------------------------------------------ randomness

/** mulberry32: small, fast, good enough for test data, and the same on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Random {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = prng(seed);
  }
  float(): number {
    return this.next();
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((s, [, w]) => s + w, 0);
    let x = this.next() * total;
    for (const [item, w] of items) {
      x -= w;
      if (x < 0) return item;
    }
    return items[items.length - 1][0];
  }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
  hex(length: number): string {
    let s = '';
    for (let i = 0; i < length; i++) s += '0123456789abcdef'[Math.floor(this.next() * 16)];
    return s;
  }
}

// ------------------------------------------------------------------ vocabulary

const TEAMS = [
  'payments',
  'checkout',
  'catalog',
  'search',
  'identity',
  'orders',
  'shipping',
  'inventory',
  'analytics',
  'notifications',
  'billing',
  'recommend',
  'reviews',
  'media',
  'fraud',
  'ledger',
  'pricing',
  'loyalty',
  'support',
  'marketing',
  'accounts',
  'geo',
  'messaging',
  'reporting',
  'warehouse',
  'returns',
  'partners',
  'ads',
  'content',
  'compliance',
  'risk',
  'tax',
  'travel',
  'booking',
  'auth',
  'storage',
  'streaming',
  'chat',
  'feeds',
  'experiments',
];
const ENVS = ['prod', 'staging', 'dev'] as const;
const SERVICES = [
  'orders',
  'cart',
  'profile',
  'ledger',
  'search',
  'ratings',
  'media',
  'notifier',
  'reports',
  'quotes',
  'invoices',
  'shipments',
  'tracking',
  'sessions',
  'tokens',
  'feeds',
  'events',
  'audit',
  'users',
  'catalog',
  'prices',
  'stock',
  'refunds',
  'emails',
  'sms',
  'push',
  'images',
  'thumbs',
  'exports',
  'imports',
  'webhooks',
  'settings',
  'rules',
  'scores',
  'offers',
  'coupons',
  'gifts',
];
const JOBS = ['cleanup', 'backup', 'report', 'sync', 'reindex', 'rotate-keys', 'digest', 'expire'];
const REGISTRY = 'registry.example.com';

type Role = 'web' | 'api' | 'worker' | 'gateway' | 'postgres' | 'redis' | 'kafka' | 'agent' | 'cron' | 'pod';

interface Port {
  readonly name: string;
  readonly port: number;
  readonly protocol?: 'TCP' | 'UDP';
}

interface App {
  readonly name: string;
  readonly namespace: string;
  readonly kind: 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'CronJob' | 'Pod';
  readonly role: Role;
  readonly labels: Record<string, string>;
  readonly ports: readonly Port[];
  /** The file the app's manifests go to (CronJobs share one). */
  readonly file: string;
  readonly podIP?: string;
  readonly hostNetwork?: boolean;
}

interface NamespaceInfo {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly team?: string;
  readonly env?: string;
  readonly system: boolean;
  deny: boolean;
  readonly folder: string;
  readonly apps: App[];
}

interface PolicyDoc {
  readonly file: string;
  readonly doc: Record<string, unknown>;
}

const ROLE_TIER: Record<Role, string> = {
  web: 'frontend',
  gateway: 'frontend',
  api: 'backend',
  worker: 'backend',
  postgres: 'data',
  redis: 'data',
  kafka: 'data',
  agent: 'infra',
  cron: 'batch',
  pod: 'tools',
};

const ROLE_COMPONENT: Record<Role, string> = {
  web: 'web',
  gateway: 'gateway',
  api: 'api',
  worker: 'worker',
  postgres: 'database',
  redis: 'cache',
  kafka: 'queue',
  agent: 'agent',
  cron: 'batch',
  pod: 'debug',
};

function rolePorts(role: Role, random: Random): Port[] {
  switch (role) {
    case 'web':
      return [
        { name: 'http', port: 8080 },
        { name: 'metrics', port: 9102 },
      ];
    case 'gateway':
      return [
        { name: 'http', port: 8080 },
        { name: 'https', port: 8443 },
        { name: 'metrics', port: 9102 },
      ];
    case 'api':
      return random.chance(0.6)
        ? [
            { name: 'http', port: 8080 },
            { name: 'grpc', port: 9090 },
            { name: 'metrics', port: 9102 },
          ]
        : [
            { name: 'http', port: random.pick([8080, 8000, 3000]) },
            { name: 'metrics', port: 9102 },
          ];
    case 'worker':
      return [{ name: 'metrics', port: 9102 }];
    case 'postgres':
      return [
        { name: 'postgres', port: 5432 },
        { name: 'metrics', port: 9187 },
      ];
    case 'redis':
      return [
        { name: 'redis', port: 6379 },
        { name: 'metrics', port: 9121 },
      ];
    case 'kafka':
      return [
        { name: 'kafka', port: 9092 },
        { name: 'kafka-internal', port: 9093 },
        { name: 'kafka-tls', port: 9094 },
        { name: 'metrics', port: 9308 },
      ];
    case 'agent':
      return [{ name: 'metrics', port: 9100 }];
    case 'cron':
      return [];
    case 'pod':
      return random.chance(0.5) ? [{ name: 'http', port: 8080 }] : [];
  }
}

// ------------------------------------------------------------------ workspace model

function systemNamespaces(count: number): NamespaceInfo[] {
  const all: NamespaceInfo[] = [
    { name: 'kube-system', labels: {}, system: true, deny: false, folder: 'cluster/kube-system', apps: [] },
    {
      name: 'monitoring',
      labels: { team: 'platform', purpose: 'monitoring', env: 'prod' },
      system: true,
      deny: true,
      folder: 'platform/monitoring',
      apps: [],
    },
    {
      name: 'ingress-nginx',
      labels: { team: 'platform', purpose: 'ingress', env: 'prod' },
      system: true,
      deny: false,
      folder: 'platform/ingress-nginx',
      apps: [],
    },
    {
      name: 'logging',
      labels: { team: 'platform', purpose: 'logging', env: 'prod' },
      system: true,
      deny: true,
      folder: 'platform/logging',
      apps: [],
    },
  ];
  return all.slice(0, count);
}

function systemApps(ns: NamespaceInfo): App[] {
  const app = (
    name: string,
    kind: App['kind'],
    labels: Record<string, string>,
    ports: Port[],
    extra: Partial<App> = {},
  ): App => ({ name, namespace: ns.name, kind, role: 'agent', labels, ports, file: `${name}.yaml`, ...extra });
  switch (ns.name) {
    case 'kube-system':
      return [
        app('coredns', 'Deployment', { 'k8s-app': 'kube-dns' }, [
          { name: 'dns', port: 53, protocol: 'UDP' },
          { name: 'dns-tcp', port: 53, protocol: 'TCP' },
          { name: 'metrics', port: 9153 },
        ]),
        app('kube-proxy', 'DaemonSet', { 'k8s-app': 'kube-proxy' }, [], { hostNetwork: true }),
        app('calico-node', 'DaemonSet', { 'k8s-app': 'calico-node' }, [{ name: 'metrics', port: 9091 }], {
          hostNetwork: true,
        }),
        app('metrics-server', 'Deployment', { 'k8s-app': 'metrics-server' }, [{ name: 'https', port: 10250 }]),
      ];
    case 'monitoring':
      return [
        app(
          'prometheus',
          'StatefulSet',
          { 'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/component': 'server' },
          [{ name: 'web', port: 9090 }],
        ),
        app('alertmanager', 'StatefulSet', { 'app.kubernetes.io/name': 'alertmanager' }, [
          { name: 'web', port: 9093 },
          { name: 'mesh-tcp', port: 9094 },
        ]),
        app('grafana', 'Deployment', { 'app.kubernetes.io/name': 'grafana' }, [{ name: 'http', port: 3000 }]),
        app(
          'node-exporter',
          'DaemonSet',
          { 'app.kubernetes.io/name': 'node-exporter' },
          [{ name: 'metrics', port: 9100 }],
          {
            hostNetwork: true,
          },
        ),
      ];
    case 'ingress-nginx':
      return [
        app(
          'ingress-nginx-controller',
          'Deployment',
          { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' },
          [
            { name: 'http', port: 80 },
            { name: 'https', port: 443 },
            { name: 'metrics', port: 10254 },
          ],
        ),
      ];
    case 'logging':
      return [
        app('fluent-bit', 'DaemonSet', { 'app.kubernetes.io/name': 'fluent-bit' }, [{ name: 'http', port: 2020 }]),
        app('loki', 'StatefulSet', { 'app.kubernetes.io/name': 'loki' }, [
          { name: 'http-metrics', port: 3100 },
          { name: 'grpc', port: 9095 },
        ]),
      ];
    default:
      return [];
  }
}

function teamNamespaces(count: number, random: Random): NamespaceInfo[] {
  const result: NamespaceInfo[] = [];
  for (let t = 0; result.length < count; t++) {
    const team = t < TEAMS.length ? TEAMS[t] : `${TEAMS[t % TEAMS.length]}${Math.floor(t / TEAMS.length) + 1}`;
    const pci = random.chance(0.15);
    const mesh = random.chance(0.4);
    for (const env of ENVS) {
      if (result.length >= count) break;
      const name = `${team}-${env}`;
      const labels: Record<string, string> = { team, env };
      if (pci && env === 'prod') labels['compliance/pci'] = 'true';
      if (mesh) labels['istio-injection'] = 'enabled';
      if (env !== 'dev') labels['pod-security.kubernetes.io/enforce'] = 'restricted';
      // Most namespaces deny by default; some dev namespaces do not.
      const deny = env === 'dev' ? random.chance(0.6) : random.chance(0.97);
      result.push({ name, labels, team, env, system: false, deny, folder: `apps/${team}/${env}`, apps: [] });
    }
  }
  return result;
}

/** Splits `total` into `parts` positive integers with some variance, summing exactly. */
function spread(total: number, parts: number, random: Random): number[] {
  if (parts === 0) return [];
  const weights = Array.from({ length: parts }, () => 0.5 + random.float());
  const sum = weights.reduce((a, b) => a + b, 0);
  const counts = weights.map((w) => Math.max(1, Math.floor((w / sum) * total)));
  let assigned = counts.reduce((a, b) => a + b, 0);
  for (let i = 0; assigned < total; i = (i + 1) % parts, assigned++) counts[i]++;
  for (let i = 0; assigned > total; i = (i + 1) % parts) {
    if (counts[i] > 1) {
      counts[i]--;
      assigned--;
    }
  }
  return counts;
}

function teamApps(ns: NamespaceInfo, count: number, random: Random, podIps: () => string): App[] {
  const apps: App[] = [];
  const used = new Set<string>();
  const services = random.shuffle([...SERVICES]);
  let serviceIndex = 0;
  const nextService = () => {
    const base = services[serviceIndex % services.length];
    const round = Math.floor(serviceIndex / services.length);
    serviceIndex++;
    return round === 0 ? base : `${base}${round + 1}`;
  };
  const roles: Role[] = [];
  // Every namespace of a few workloads has a front, an API and a database.
  const essentials: Role[] = ['web', 'api', 'postgres', 'api', 'worker', 'redis'];
  for (let i = 0; i < count; i++) {
    roles.push(
      i < essentials.length && i < count
        ? essentials[i]
        : random.weighted<Role>([
            ['api', 34],
            ['worker', 20],
            ['cron', 12],
            ['web', 5],
            ['gateway', 3],
            ['postgres', 6],
            ['redis', 5],
            ['kafka', 3],
            ['agent', 2],
            ['pod', 1.5],
          ]),
    );
  }
  for (let i = 0; i < roles.length; i++) {
    const role = roles[i];
    const previous = apps[apps.length - 1];
    if (role === 'api' && previous?.role === 'api' && i >= essentials.length && random.chance(0.1)) {
      // A canary next to an API: the same app labels, another track and version.
      previous.labels.track = 'stable';
      const canary = `${previous.name}-canary`;
      used.add(canary);
      apps.push({
        ...previous,
        name: canary,
        labels: { ...previous.labels, track: 'canary', version: 'v9.0.0' },
      });
      continue;
    }
    let name: string;
    if (role === 'cron') name = `${ns.team}-${random.pick(JOBS)}`;
    else if (role === 'pod') name = random.pick(['debug-toolbox', 'migration-runner', 'netshoot', 'load-test']);
    else if (role === 'agent') name = `${ns.team}-node-agent`;
    else if (role === 'kafka') name = `${ns.team}-kafka`;
    else if (role === 'postgres') name = `${nextService()}-db`;
    else if (role === 'redis') name = `${nextService()}-cache`;
    else name = `${nextService()}-${role}`;
    let unique = name;
    for (let k = 2; used.has(unique); k++) unique = `${name}-${k}`;
    used.add(unique);

    const labels: Record<string, string> = {
      app: unique,
      'app.kubernetes.io/name': unique,
      'app.kubernetes.io/part-of': ns.team!,
      'app.kubernetes.io/component': ROLE_COMPONENT[role],
      tier: ROLE_TIER[role],
    };
    if (role !== 'pod' && role !== 'cron')
      labels.version = `v${random.int(1, 4)}.${random.int(0, 12)}.${random.int(0, 9)}`;
    if (ns.labels['compliance/pci'] && (role === 'postgres' || role === 'api')) labels['compliance/pci'] = 'true';
    const kind: App['kind'] =
      role === 'postgres' || role === 'redis' || role === 'kafka'
        ? 'StatefulSet'
        : role === 'agent'
          ? 'DaemonSet'
          : role === 'cron'
            ? 'CronJob'
            : role === 'pod'
              ? 'Pod'
              : 'Deployment';
    apps.push({
      name: unique,
      namespace: ns.name,
      kind,
      role,
      labels,
      ports: rolePorts(role, random),
      file: role === 'cron' ? 'cronjobs.yaml' : role === 'pod' ? 'pods.yaml' : `${unique}.yaml`,
      podIP: role === 'pod' ? podIps() : undefined,
    });
  }
  return apps;
}

// ------------------------------------------------------------------ manifests

function containerSpec(app: App, random: Random): Record<string, unknown> {
  const container: Record<string, unknown> = {
    name: app.role === 'postgres' ? 'postgres' : app.role === 'redis' ? 'redis' : app.name,
    image: `${REGISTRY}/${app.labels['app.kubernetes.io/part-of'] ?? 'platform'}/${app.name}:${app.labels.version ?? '1.0.0'}`,
    imagePullPolicy: 'IfNotPresent',
  };
  if (app.role === 'cron') container.args = ['--job', app.name, '--log-format=json'];
  if (app.ports.length) {
    container.ports = app.ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: p.protocol ?? 'TCP' }));
  }
  container.env = [
    { name: 'LOG_LEVEL', value: random.pick(['info', 'warn', 'debug']) },
    { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://otel-collector.monitoring:4317' },
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    ...(app.role === 'api' || app.role === 'worker'
      ? [
          { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: `${app.name}-db`, key: 'url' } } },
          { name: 'CACHE_ADDR', value: `redis://${app.namespace}-cache:6379` },
        ]
      : []),
  ];
  container.envFrom = [{ configMapRef: { name: `${app.name}-config` } }];
  container.resources = {
    requests: { cpu: `${random.pick([50, 100, 200, 250, 500])}m`, memory: `${random.pick([64, 128, 256, 512])}Mi` },
    limits: { memory: `${random.pick([256, 512, 1024, 2048])}Mi` },
  };
  const http = app.ports.find((p) => p.name === 'http');
  if (http) {
    container.readinessProbe = { httpGet: { path: '/healthz/ready', port: 'http' }, periodSeconds: 10 };
    container.livenessProbe = {
      httpGet: { path: '/healthz/live', port: 'http' },
      initialDelaySeconds: 10,
      periodSeconds: 20,
    };
  } else if (app.ports.length) {
    container.readinessProbe = { tcpSocket: { port: app.ports[0].name }, periodSeconds: 10 };
  }
  container.securityContext = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
  };
  container.volumeMounts = [{ name: 'tmp', mountPath: '/tmp' }];
  return container;
}

function podSpec(app: App, random: Random): Record<string, unknown> {
  const spec: Record<string, unknown> = {
    serviceAccountName: app.name,
  };
  if (app.hostNetwork) spec.hostNetwork = true;
  const containers = [containerSpec(app, random)];
  if (app.role === 'api' && random.chance(0.2)) {
    containers.push({
      name: 'log-shipper',
      image: `${REGISTRY}/platform/log-shipper:2.3.1`,
      ports: [{ name: 'shipper-metrics', containerPort: 2021 }],
      resources: { requests: { cpu: '10m', memory: '32Mi' } },
    });
  }
  spec.containers = containers;
  if (app.kind === 'CronJob') spec.restartPolicy = 'OnFailure';
  spec.volumes = [{ name: 'tmp', emptyDir: {} }];
  spec.securityContext = { seccompProfile: { type: 'RuntimeDefault' } };
  if (app.role === 'postgres' || app.role === 'kafka') {
    spec.affinity = {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 100,
            podAffinityTerm: {
              labelSelector: { matchLabels: { 'app.kubernetes.io/name': app.name } },
              topologyKey: 'kubernetes.io/hostname',
            },
          },
        ],
      },
    };
  }
  return spec;
}

function metadata(
  name: string,
  namespace: string,
  labels?: Record<string, string>,
  extra: Record<string, unknown> = {},
) {
  return { name, namespace, ...(labels ? { labels } : {}), ...extra };
}

function commonLabels(app: App): Record<string, string> {
  const labels: Record<string, string> = { 'app.kubernetes.io/name': app.labels['app.kubernetes.io/name'] ?? app.name };
  if (app.labels['app.kubernetes.io/part-of'])
    labels['app.kubernetes.io/part-of'] = app.labels['app.kubernetes.io/part-of'];
  labels['app.kubernetes.io/managed-by'] = 'kustomize';
  return labels;
}

function appDocuments(app: App, random: Random): Record<string, unknown>[] {
  const docs: Record<string, unknown>[] = [];
  const ns = app.namespace;
  if (app.kind !== 'Pod') {
    docs.push({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: metadata(app.name, ns, commonLabels(app)) });
  }
  if (app.role === 'api' || app.role === 'worker' || app.role === 'web') {
    docs.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: metadata(`${app.name}-config`, ns, commonLabels(app)),
      data: {
        FEATURE_FLAGS: random.pick(['', 'new-checkout', 'fast-path,beta-ui']),
        MAX_CONNECTIONS: String(random.pick([50, 100, 200])),
        REQUEST_TIMEOUT: `${random.pick([2, 5, 10, 30])}s`,
      },
    });
  }
  const template = {
    metadata: { labels: app.labels, annotations: { 'prometheus.io/scrape': 'true' } },
    spec: podSpec(app, random),
  };
  const selector = { matchLabels: selectorLabels(app) };
  switch (app.kind) {
    case 'Deployment':
      docs.push({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: metadata(app.name, ns, commonLabels(app)),
        spec: {
          replicas: random.pick([2, 2, 3, 3, 4, 6]),
          revisionHistoryLimit: 5,
          selector,
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
          template,
        },
      });
      break;
    case 'StatefulSet':
      docs.push({
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: metadata(app.name, ns, commonLabels(app)),
        spec: {
          serviceName: `${app.name}-headless`,
          replicas: random.pick([1, 3, 3]),
          selector,
          template,
          volumeClaimTemplates: [
            {
              metadata: { name: 'data' },
              spec: {
                accessModes: ['ReadWriteOnce'],
                resources: { requests: { storage: `${random.pick([10, 20, 50, 100])}Gi` } },
              },
            },
          ],
        },
      });
      break;
    case 'DaemonSet':
      docs.push({
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: metadata(app.name, ns, commonLabels(app)),
        spec: { selector, updateStrategy: { type: 'RollingUpdate' }, template },
      });
      break;
    case 'CronJob':
      docs.push({
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: metadata(app.name, ns, commonLabels(app)),
        spec: {
          schedule: `${random.int(0, 59)} ${random.int(0, 23)} * * *`,
          concurrencyPolicy: 'Forbid',
          successfulJobsHistoryLimit: 3,
          failedJobsHistoryLimit: 1,
          jobTemplate: { spec: { backoffLimit: 2, template } },
        },
      });
      break;
    case 'Pod': {
      docs.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: metadata(app.name, ns, app.labels),
        spec: { ...podSpec(app, random), restartPolicy: 'Always' },
        status: {
          phase: 'Running',
          hostIP: `10.240.${random.int(0, 15)}.${random.int(2, 250)}`,
          podIP: app.podIP,
          podIPs: [{ ip: app.podIP }],
          conditions: [{ type: 'Ready', status: 'True' }],
          containerStatuses: [
            { name: app.name, ready: true, restartCount: 0, containerID: `containerd://${random.hex(64)}` },
          ],
        },
      });
      break;
    }
  }
  if (
    (app.kind === 'Deployment' || app.kind === 'StatefulSet') &&
    app.ports.length > 0 &&
    !app.name.endsWith('-canary')
  ) {
    docs.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: metadata(app.kind === 'StatefulSet' ? `${app.name}-headless` : app.name, ns, commonLabels(app)),
      spec: {
        type: 'ClusterIP',
        ...(app.kind === 'StatefulSet' ? { clusterIP: 'None' } : {}),
        selector: Object.fromEntries(Object.entries(selectorLabels(app)).filter(([k]) => k !== 'track')),
        ports: app.ports.map((p) => ({
          name: p.name,
          port: p.name === 'http' ? 80 : p.port,
          targetPort: p.name,
          protocol: p.protocol ?? 'TCP',
        })),
      },
    });
  }
  return docs;
}

function selectorLabels(app: App): Record<string, string> {
  const keys = Object.keys(app.labels).filter(
    (k) => k === 'app.kubernetes.io/name' || k === 'k8s-app' || k === 'track',
  );
  return Object.fromEntries(keys.map((k) => [k, app.labels[k]]));
}

// ------------------------------------------------------------------ policies

const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];
const OFFICE_RANGES = ['203.0.113.0/24', '198.51.100.0/24'];

function policy(name: string, namespace: string, spec: Record<string, unknown>, labels?: Record<string, string>) {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: metadata(name, namespace, labels),
    spec,
  };
}

const byName = (app: App) => ({ matchLabels: { 'app.kubernetes.io/name': app.labels['app.kubernetes.io/name'] } });
const kubeDns = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
  podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
};

/** The policies a namespace would want, most important first: baseline, then per app. */
function namespaceCandidates(ns: NamespaceInfo, all: NamespaceInfo[], random: Random): PolicyDoc[] {
  const result: PolicyDoc[] = [];
  const baseline = 'network-policies/00-baseline.yaml';
  const add = (file: string, doc: Record<string, unknown>) => result.push({ file, doc });

  if (ns.name === 'kube-system') {
    add(
      'network-policies/coredns.yaml',
      policy('coredns-allow-dns', ns.name, {
        podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [{ namespaceSelector: {} }],
            ports: [
              { protocol: 'UDP', port: 53 },
              { protocol: 'TCP', port: 53 },
            ],
          },
          { from: [{ namespaceSelector: { matchLabels: { purpose: 'monitoring' } } }], ports: [{ port: 'metrics' }] },
        ],
      }),
    );
    return result;
  }
  if (ns.name === 'ingress-nginx') {
    add(
      'network-policies/controller.yaml',
      policy('ingress-nginx-controller', ns.name, {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
        policyTypes: ['Ingress'],
        ingress: [
          { from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 80 }, { port: 443 }] },
          { from: [{ namespaceSelector: { matchLabels: { purpose: 'monitoring' } } }], ports: [{ port: 10254 }] },
        ],
      }),
    );
    return result;
  }

  if (ns.deny) {
    if (random.chance(0.6)) {
      add(baseline, policy('default-deny-all', ns.name, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }));
    } else {
      add(baseline, policy('default-deny-ingress', ns.name, { podSelector: {}, policyTypes: ['Ingress'] }));
      add(baseline, policy('default-deny-egress', ns.name, { podSelector: {}, policyTypes: ['Egress'] }));
    }
    const namedDns = random.chance(0.3);
    add(
      baseline,
      policy('allow-dns', ns.name, {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            to: [kubeDns],
            ports: namedDns
              ? [
                  { protocol: 'UDP', port: 'dns' },
                  { protocol: 'TCP', port: 'dns-tcp' },
                ]
              : [
                  { protocol: 'UDP', port: 53 },
                  { protocol: 'TCP', port: 53 },
                ],
          },
        ],
      }),
    );
    add(
      baseline,
      policy('allow-prometheus-scrape', ns.name, {
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchLabels: { purpose: 'monitoring' } },
                podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
              },
            ],
            ports: [{ port: 'metrics' }],
          },
        ],
      }),
    );
  }

  if (ns.system) {
    if (ns.name === 'monitoring') {
      add(
        'network-policies/prometheus.yaml',
        policy('prometheus-scrape-egress', ns.name, {
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
          policyTypes: ['Egress'],
          egress: [
            {
              to: [{ namespaceSelector: {}, podSelector: {} }],
              ports: [{ port: 'metrics' }, { port: 9100 }, { port: 10254 }],
            },
          ],
        }),
      );
      add(
        'network-policies/grafana.yaml',
        policy('grafana', ns.name, {
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'grafana' } },
          policyTypes: ['Ingress', 'Egress'],
          ingress: [
            { from: [{ namespaceSelector: { matchLabels: { purpose: 'ingress' } } }], ports: [{ port: 'http' }] },
          ],
          egress: [
            {
              to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } }],
              ports: [{ port: 9090 }],
            },
          ],
        }),
      );
      add(
        'network-policies/alertmanager.yaml',
        policy('alertmanager', ns.name, {
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'alertmanager' } },
          policyTypes: ['Ingress', 'Egress'],
          ingress: [
            {
              from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } }],
              ports: [{ port: 'web' }],
            },
            {
              from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'alertmanager' } } }],
              ports: [{ port: 9094 }, { port: 9094, protocol: 'UDP' }],
            },
          ],
          egress: [
            { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: PRIVATE_RANGES } }], ports: [{ port: 443 }] },
            {
              to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'alertmanager' } } }],
              ports: [{ port: 9094 }],
            },
          ],
        }),
      );
      add(
        'network-policies/prometheus.yaml',
        policy('prometheus-from-grafana', ns.name, {
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
          ingress: [
            {
              from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'grafana' } } }],
              ports: [{ port: 'web' }],
            },
          ],
        }),
      );
    }
    if (ns.name === 'logging') {
      add(
        'network-policies/fluent-bit.yaml',
        policy('fluent-bit-to-loki', ns.name, {
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'fluent-bit' } },
          policyTypes: ['Egress'],
          egress: [
            { to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'loki' } } }], ports: [{ port: 3100 }] },
          ],
        }),
      );
      add(
        'network-policies/loki.yaml',
        policy('loki-ingest', ns.name, {
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'loki' } },
          ingress: [
            {
              from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'fluent-bit' } } }],
              ports: [{ port: 'http-metrics' }],
            },
            {
              from: [
                {
                  namespaceSelector: { matchLabels: { purpose: 'monitoring' } },
                  podSelector: { matchLabels: { 'app.kubernetes.io/name': 'grafana' } },
                },
              ],
              ports: [{ port: 3100 }],
            },
          ],
        }),
      );
    }
    return result;
  }

  const apps = ns.apps;
  const fronts = apps.filter((a) => a.role === 'web' || a.role === 'gateway');
  if (ns.deny && fronts.length > 0) {
    add(
      baseline,
      policy('allow-ingress-controller', ns.name, {
        podSelector: { matchLabels: { tier: 'frontend' } },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchLabels: { purpose: 'ingress' } },
                podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
              },
            ],
            ports: [{ port: 'http' }],
          },
        ],
      }),
    );
  }
  if (!ns.deny && random.chance(0.5)) {
    add(
      baseline,
      policy('allow-same-namespace', ns.name, {
        podSelector: {},
        ingress: [{ from: [{ podSelector: {} }] }],
      }),
    );
  }

  // Per application, in a random order so a smaller budget still covers every kind.
  const perApp: PolicyDoc[][] = [];
  const sameEnv = all.filter((o) => !o.system && o.env === ns.env && o.name !== ns.name);
  for (const app of apps) {
    const file = `network-policies/${app.name.replace(/-canary$/, '')}.yaml`;
    const list: PolicyDoc[] = [];
    const push = (doc: Record<string, unknown>) => list.push({ file, doc });
    switch (app.role) {
      case 'web':
      case 'gateway':
        push(
          policy(`${app.name}-egress`, ns.name, {
            podSelector: byName(app),
            policyTypes: ['Egress'],
            egress: [
              {
                to: [{ podSelector: { matchLabels: { tier: 'backend' } } }],
                ports: [{ port: 8080 }, { port: 9090 }, { port: 8000 }, { port: 3000 }],
              },
            ],
          }),
        );
        if (random.chance(0.25)) {
          push(
            policy(`${app.name}-from-office`, ns.name, {
              podSelector: byName(app),
              ingress: [{ from: OFFICE_RANGES.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ port: 'http' }] }],
            }),
          );
        }
        if (ns.env === 'prod' && random.chance(0.08)) {
          // A public endpoint: every source, every port.
          push(policy(`${app.name}-allow-all-ingress`, ns.name, { podSelector: byName(app), ingress: [{}] }));
        }
        break;
      case 'api': {
        push(
          policy(`${app.name}-ingress`, ns.name, {
            podSelector: byName(app),
            policyTypes: ['Ingress'],
            ingress: [
              { from: [{ podSelector: { matchLabels: { tier: 'frontend' } } }], ports: [{ port: 'http' }] },
              {
                from: [
                  {
                    podSelector: {
                      matchExpressions: [
                        { key: 'app.kubernetes.io/component', operator: 'In', values: ['api', 'worker'] },
                        { key: 'track', operator: 'NotIn', values: ['canary'] },
                      ],
                    },
                  },
                ],
                ports: app.ports.some((p) => p.name === 'grpc')
                  ? [{ port: 'grpc' }, { port: 'http' }]
                  : [{ port: 'http' }],
              },
            ],
          }),
        );
        push(
          policy(`${app.name}-egress`, ns.name, {
            podSelector: byName(app),
            policyTypes: ['Egress'],
            egress: [
              { to: [{ podSelector: { matchLabels: { tier: 'data' } } }], ports: [{ port: 5432 }, { port: 6379 }] },
              {
                to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/component': 'api' } } }],
                ports: [{ port: 8080 }, { port: 9090 }],
              },
            ],
          }),
        );
        if (random.chance(0.3)) {
          push(
            policy(`${app.name}-egress-internet`, ns.name, {
              podSelector: byName(app),
              policyTypes: ['Egress'],
              egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: PRIVATE_RANGES } }], ports: [{ port: 443 }] }],
            }),
          );
        }
        if (sameEnv.length > 0) {
          const client = random.pick(sameEnv);
          push(
            policy(`${app.name}-from-${client.team}`, ns.name, {
              podSelector: byName(app),
              ingress: [
                {
                  from: [
                    {
                      namespaceSelector: { matchLabels: { team: client.team, env: client.env } },
                      podSelector: {
                        matchExpressions: [
                          { key: 'app.kubernetes.io/component', operator: 'In', values: ['api', 'worker', 'gateway'] },
                        ],
                      },
                    },
                  ],
                  ports: [{ port: 'http' }],
                },
              ],
            }),
          );
        }
        if (random.chance(0.3)) {
          push(
            policy(`${app.name}-from-team`, ns.name, {
              podSelector: byName(app),
              ingress: [
                {
                  from: [
                    {
                      namespaceSelector: {
                        matchLabels: { team: ns.team },
                        matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }],
                      },
                      podSelector: { matchExpressions: [{ key: 'tier', operator: 'Exists' }] },
                    },
                  ],
                  ports: [{ port: 8080 }, { port: 8000, endPort: 8099 }],
                },
              ],
            }),
          );
        }
        break;
      }
      case 'worker': {
        push(
          policy(`${app.name}-egress`, ns.name, {
            podSelector: byName(app),
            policyTypes: ['Egress'],
            egress: [
              {
                to: [
                  { podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['data', 'backend'] }] } },
                ],
                ports: [{ port: 5432 }, { port: 6379 }, { port: 8080 }],
              },
              {
                to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/component': 'queue' } } }],
                ports: [{ port: 9092, endPort: 9094 }],
              },
            ],
          }),
        );
        if (random.chance(0.25)) {
          push(
            policy(`${app.name}-egress-onprem`, ns.name, {
              podSelector: byName(app),
              policyTypes: ['Egress'],
              egress: [
                {
                  to: [{ ipBlock: { cidr: '10.200.0.0/16', except: ['10.200.5.0/24', '10.200.128.0/17'] } }],
                  ports: [{ port: 1521 }, { port: 5432 }],
                },
              ],
            }),
          );
        }
        if (sameEnv.length > 0 && random.chance(0.5)) {
          const server = random.pick(sameEnv);
          push(
            policy(`${app.name}-to-${server.team}`, ns.name, {
              podSelector: byName(app),
              policyTypes: ['Egress'],
              egress: [
                {
                  to: [
                    {
                      namespaceSelector: { matchLabels: { team: server.team, env: server.env } },
                      podSelector: { matchLabels: { 'app.kubernetes.io/component': 'api' } },
                    },
                  ],
                  ports: [{ port: 8080 }, { port: 8000 }, { port: 3000 }],
                },
              ],
            }),
          );
        }
        break;
      }
      case 'postgres':
      case 'redis': {
        const portName = app.role === 'postgres' ? 'postgres' : 'redis';
        push(
          policy(`${app.name}-ingress`, ns.name, {
            podSelector: byName(app),
            policyTypes: ['Ingress'],
            ingress: [
              {
                from: [
                  {
                    podSelector: {
                      matchExpressions: [
                        { key: 'tier', operator: 'In', values: ['backend', 'batch'] },
                        { key: 'app.kubernetes.io/component', operator: 'NotIn', values: ['web', 'debug'] },
                      ],
                    },
                  },
                ],
                ports: [{ port: portName }],
              },
            ],
          }),
        );
        if (app.role === 'postgres' && random.chance(0.3)) {
          push(
            policy(`${app.name}-replication`, ns.name, {
              podSelector: byName(app),
              ingress: [{ from: [{ podSelector: byName(app) }], ports: [{ port: 'postgres' }] }],
              egress: [{ to: [{ podSelector: byName(app) }], ports: [{ port: 5432 }] }],
              policyTypes: ['Ingress', 'Egress'],
            }),
          );
        }
        if (app.role === 'postgres' && random.chance(0.2)) {
          push(
            policy(`${app.name}-backup-egress`, ns.name, {
              podSelector: byName(app),
              policyTypes: ['Egress'],
              egress: [
                {
                  to: [{ ipBlock: { cidr: '0.0.0.0/0', except: [...PRIVATE_RANGES, '100.64.0.0/10'] } }],
                  ports: [{ port: 443 }],
                },
              ],
            }),
          );
        }
        break;
      }
      case 'kafka':
        push(
          policy(`${app.name}-ingress`, ns.name, {
            podSelector: byName(app),
            ingress: [
              { from: [{ podSelector: { matchLabels: { tier: 'backend' } } }], ports: [{ port: 9092, endPort: 9094 }] },
              { from: [{ podSelector: byName(app) }], ports: [{ port: 'kafka-internal' }] },
              {
                from: [
                  {
                    namespaceSelector: {
                      matchExpressions: [{ key: 'team', operator: 'In', values: [ns.team!, 'analytics', 'reporting'] }],
                    },
                  },
                ],
                ports: [{ port: 'kafka-tls' }],
              },
            ],
          }),
        );
        break;
      case 'agent':
        push(
          policy(`${app.name}-egress`, ns.name, {
            podSelector: byName(app),
            policyTypes: ['Egress'],
            egress: [
              { to: [{ ipBlock: { cidr: '10.240.0.0/16', except: ['10.240.255.0/24'] } }], ports: [{ port: 10250 }] },
            ],
          }),
        );
        break;
      case 'cron':
        push(
          policy(`${app.name}-egress`, ns.name, {
            podSelector: byName(app),
            policyTypes: ['Egress'],
            egress: [
              { to: [{ podSelector: { matchLabels: { tier: 'data' } } }] },
              {
                to: [{ ipBlock: { cidr: '0.0.0.0/0', except: PRIVATE_RANGES } }],
                ports: [{ port: 443 }, { port: 8443 }],
              },
            ],
          }),
        );
        break;
      case 'pod':
        if (random.chance(0.5)) {
          push(
            policy(`${app.name}-allow-all-egress`, ns.name, {
              podSelector: byName(app),
              policyTypes: ['Egress'],
              egress: [{}],
            }),
          );
        }
        break;
    }
    perApp.push(list);
  }
  // Interleave: first policy of every app, then second ones, and so on.
  for (let round = 0; perApp.some((l) => l.length > round); round++) {
    for (const list of random.shuffle([...perApp])) if (list[round]) result.push(list[round]);
  }
  return result;
}

// ------------------------------------------------------------------ writing

function namespaceDoc(ns: NamespaceInfo) {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns.name, ...(Object.keys(ns.labels).length ? { labels: ns.labels } : {}) },
  };
}

function yamlText(docs: readonly Record<string, unknown>[], header: string): string {
  return `# ${header}\n` + docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n');
}

export function generatorHash(): string {
  return createHash('sha256').update(readFileSync(__filename)).digest('hex').slice(0, 16);
}

/** Writes the workspace into `dir` (emptied first) and returns what it holds. */
export function generate(dir: string, shape: Shape = DEFAULT_SHAPE): GeneratedSummary {
  const random = new Random(shape.seed);
  const systemCount = shape.namespaces >= 8 ? 4 : Math.min(2, shape.namespaces);
  const namespaces = [...systemNamespaces(systemCount), ...teamNamespaces(shape.namespaces - systemCount, random)];

  let podCounter = 0;
  const podIps = () => {
    podCounter++;
    return `10.244.${Math.floor(podCounter / 250)}.${(podCounter % 250) + 2}`;
  };
  for (const ns of namespaces) if (ns.system) ns.apps.push(...systemApps(ns));
  const systemWorkloads = namespaces.reduce((s, n) => s + n.apps.length, 0);
  const teams = namespaces.filter((n) => !n.system);
  const counts = spread(Math.max(teams.length, shape.workloads - systemWorkloads), teams.length, random);
  teams.forEach((ns, i) => ns.apps.push(...teamApps(ns, counts[i], random, podIps)));

  // Files: path -> documents.
  const files = new Map<string, { header: string; docs: Record<string, unknown>[] }>();
  const addDoc = (file: string, header: string, doc: Record<string, unknown>) => {
    let entry = files.get(file);
    if (!entry) {
      entry = { header, docs: [] };
      files.set(file, entry);
    }
    entry.docs.push(doc);
  };
  for (const ns of namespaces)
    addDoc('cluster/namespaces.yaml', 'Namespaces of the cluster, managed by the platform team.', namespaceDoc(ns));
  for (const ns of namespaces) {
    for (const app of ns.apps) {
      for (const doc of appDocuments(app, random)) addDoc(`${ns.folder}/${app.file}`, `${app.name} (${ns.name})`, doc);
    }
  }

  // Policies: every namespace lists what it wants, most important first; the budget is
  // handed out round-robin so each namespace gets its share of it.
  const candidates = namespaces.map((ns) => namespaceCandidates(ns, namespaces, random));
  const chosen: { ns: NamespaceInfo; policy: PolicyDoc }[] = [];
  for (let round = 0; chosen.length < shape.policies && candidates.some((c) => c.length > round); round++) {
    for (let i = 0; i < namespaces.length && chosen.length < shape.policies; i++) {
      const candidate = candidates[i][round];
      if (candidate) chosen.push({ ns: namespaces[i], policy: candidate });
    }
  }
  // A larger budget than the candidates: extra per-app monitoring allows, numbered.
  for (let extra = 0; chosen.length < shape.policies; extra++) {
    const ns = namespaces[extra % namespaces.length];
    const app = ns.apps[Math.floor(extra / namespaces.length) % Math.max(1, ns.apps.length)];
    if (!app) continue;
    chosen.push({
      ns,
      policy: {
        file: 'network-policies/extra.yaml',
        doc: policy(`extra-${extra}`, ns.name, {
          podSelector: byName(app),
          ingress: [
            {
              from: [{ namespaceSelector: { matchLabels: { purpose: 'monitoring' } } }],
              ports: [{ port: 9102 + (extra % 50) }],
            },
          ],
        }),
      },
    });
  }
  const denyNamespaces = new Set<string>();
  for (const { ns, policy: p } of chosen) {
    addDoc(`${ns.folder}/${p.file}`, `NetworkPolicies of ${ns.name}`, p.doc);
    const meta = p.doc.metadata as { name: string };
    if (meta.name === 'default-deny-all' || meta.name === 'default-deny-egress') denyNamespaces.add(ns.name);
  }
  for (const ns of namespaces) {
    const prefix = `${ns.folder}/`;
    const resources = [...files.keys()]
      .filter((f) => f.startsWith(prefix))
      .map((f) => f.slice(prefix.length))
      .sort();
    addDoc(`${ns.folder}/kustomization.yaml`, 'kustomize', {
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      namespace: ns.name,
      resources,
    });
  }

  rmSync(dir, { recursive: true, force: true });
  let bytes = 0;
  let documents = 0;
  const kinds: Record<string, number> = {};
  for (const [file, { header, docs }] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const full = path.join(dir, file);
    mkdirSync(path.dirname(full), { recursive: true });
    const text = yamlText(docs, header);
    writeFileSync(full, text);
    bytes += Buffer.byteLength(text);
    documents += docs.length;
    for (const d of docs) kinds[d.kind as string] = (kinds[d.kind as string] ?? 0) + 1;
  }
  const summary: GeneratedSummary = {
    shape,
    generator: generatorHash(),
    files: files.size,
    bytes,
    documents,
    counts: Object.fromEntries(Object.entries(kinds).sort()),
    denyNamespaces: denyNamespaces.size,
  };
  writeFileSync(path.join(dir, '..', `${path.basename(dir)}.meta.json`), JSON.stringify(summary, null, 2) + '\n');
  return summary;
}

/** The summary of a workspace generated earlier with the same shape and generator, if any. */
export function existingWorkspace(dir: string, shape: Shape): GeneratedSummary | undefined {
  try {
    const summary = JSON.parse(
      readFileSync(path.join(dir, '..', `${path.basename(dir)}.meta.json`), 'utf8'),
    ) as GeneratedSummary;
    const same =
      summary.generator === generatorHash() &&
      summary.shape.workloads === shape.workloads &&
      summary.shape.namespaces === shape.namespaces &&
      summary.shape.policies === shape.policies &&
      summary.shape.seed === shape.seed;
    return same ? summary : undefined;
  } catch {
    return undefined;
  }
}

export function workspaceDir(root: string, shape: Shape): string {
  return path.join(root, `workspace-w${shape.workloads}-n${shape.namespaces}-p${shape.policies}-s${shape.seed}`);
}

export function workloadCount(summary: GeneratedSummary): number {
  const c = summary.counts;
  return (c.Deployment ?? 0) + (c.StatefulSet ?? 0) + (c.DaemonSet ?? 0) + (c.CronJob ?? 0) + (c.Pod ?? 0);
}

export function shapeFromArgs(
  values: Record<string, string | boolean | undefined>,
  base: Shape = DEFAULT_SHAPE,
): Shape {
  const number = (name: keyof Shape) => {
    const text = values[name];
    if (typeof text !== 'string') return base[name];
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number (got "${text}")`);
    return n;
  };
  return {
    workloads: number('workloads'),
    namespaces: number('namespaces'),
    policies: number('policies'),
    seed: number('seed'),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      workloads: { type: 'string' },
      namespaces: { type: 'string' },
      policies: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      pairs: { type: 'boolean' },
    },
  });
  const shape = shapeFromArgs(values);
  const dir = path.resolve(values.out ?? workspaceDir('.bench', shape));
  const summary = generate(dir, shape);
  console.log(`wrote ${dir}`);
  console.log(JSON.stringify(summary, null, 2));
  if (values.pairs) {
    const { readdirSync } = await import('node:fs');
    const { buildWorkspace, ReachabilityIndex, connlist } = await import('../../server/src/engine');
    const sources = (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
      .filter((e) => e.isFile() && e.name.endsWith('.yaml'))
      .map((e) => path.join(e.parentPath, e.name))
      .map((file) => ({ uri: file, text: readFileSync(file, 'utf8') }));
    const entries = connlist(new ReachabilityIndex(buildWorkspace(sources)));
    console.log(`allowed pairs: ${entries.length}`);
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
