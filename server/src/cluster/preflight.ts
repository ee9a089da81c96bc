// Checks before any probe pod exists: which permissions are missing (asked with
// SelfSubjectAccessReview, so we can name each one instead of failing halfway), and whether
// a probe pod carrying a source's labels would be picked up by something in its namespace.

import { DEFAULT_RETRY, forEachLimited, withRetry, type RetryPolicy } from './async';
import type { KubeClient, RequestOptions } from './client';
import { ClusterError, describePermission, type Permission } from './errors';
import { probeLabels } from './probePod';
import { labelSelectorMatches, mapSelectorMatches } from './selectors';
import type { Kind, LabelSelector, WireObject } from './types';

export interface PermissionNeed {
  permission: Permission;
  /** Why netreach needs it, in words. */
  why: string;
  /** The runner copes without it (a slower fallback exists). */
  optional?: boolean;
}

/** Everything the probe runner (and reading the cluster) needs, for the given source namespaces. */
export function requiredPermissions(
  namespaces: string[],
  options: { includeClusterRead?: boolean } = {},
): PermissionNeed[] {
  const needs: PermissionNeed[] = [];
  if (options.includeClusterRead ?? true) {
    for (const resource of ['namespaces', 'pods', 'services']) {
      needs.push({
        permission: { verb: 'list', resource, group: '' },
        why: 'read the cluster to compute expectations',
      });
    }
    needs.push({
      permission: { verb: 'list', resource: 'networkpolicies', group: 'networking.k8s.io' },
      why: 'read the cluster to compute expectations',
    });
  }
  for (const namespace of [...new Set(namespaces)].sort()) {
    const core = (verb: string, resource: string, why: string, optional = false): PermissionNeed => ({
      permission: { verb, resource, group: '', namespace },
      why,
      ...(optional ? { optional } : {}),
    });
    needs.push(
      core('create', 'pods', 'create probe pods'),
      core('get', 'pods', 'read probe results'),
      core('list', 'pods', 'follow probe pods and find leftovers'),
      core('watch', 'pods', 'follow probe pods'),
      core('delete', 'pods', 'remove probe pods'),
      core('deletecollection', 'pods', 'remove probe pods by label in one call', true),
      core('create', 'configmaps', "create the run's owner object"),
      core('get', 'configmaps', "read back the run's owner object after a lost answer"),
      core('delete', 'configmaps', "remove the run's owner object"),
      core('list', 'configmaps', 'find leftovers of earlier runs'),
      core('list', 'services', 'check that no Service would send traffic to a probe pod'),
      core('list', 'replicationcontrollers', 'check that no controller would adopt a probe pod'),
    );
    for (const [resource, group] of [
      ['replicasets', 'apps'],
      ['daemonsets', 'apps'],
      ['jobs', 'batch'],
      ['poddisruptionbudgets', 'policy'],
    ]) {
      needs.push({
        permission: { verb: 'list', resource, group, namespace },
        why:
          resource === 'poddisruptionbudgets'
            ? 'check that no PodDisruptionBudget would count a probe pod'
            : 'check that no controller would adopt a probe pod',
      });
    }
  }
  return needs;
}

export interface PermissionReport {
  missing: PermissionNeed[];
  /** Missing but optional: the runner falls back. */
  missingOptional: PermissionNeed[];
}

export interface CheckOptions extends RequestOptions {
  concurrency?: number;
  /** Reads are retried after transient failures (dropped connections, 5xx). */
  retry?: RetryPolicy;
}

export async function checkPermissions(
  client: KubeClient,
  needs: PermissionNeed[],
  options: CheckOptions = {},
): Promise<PermissionReport> {
  const denied: PermissionNeed[] = [];
  const retry = options.retry ?? DEFAULT_RETRY;
  await forEachLimited(needs, options.concurrency ?? 8, async (need) => {
    const allowed = await withRetry(
      () => client.canI(need.permission, { signal: options.signal }),
      retry,
      options.signal,
    );
    if (!allowed) denied.push(need);
  });
  const order = (a: PermissionNeed, b: PermissionNeed) => needs.indexOf(a) - needs.indexOf(b);
  return {
    missing: denied.filter((n) => !n.optional).sort(order),
    missingOptional: denied.filter((n) => n.optional).sort(order),
  };
}

/** One ClusterError naming every missing permission and why it is needed. */
export function missingPermissionsError(missing: PermissionNeed[], context?: string): ClusterError {
  const lines = missing.map((n) => `  - ${describePermission(n.permission)} (to ${n.why})`);
  return new ClusterError(
    'forbidden',
    `You lack ${missing.length === 1 ? 'a permission' : `${missing.length} permissions`} the probe needs` +
      `${context ? ` in context "${context}"` : ''}:\n${lines.join('\n')}\n` +
      'Ask a cluster administrator to grant them; deploy/rbac.yaml in the netreach repository lists them as a Role and ClusterRole.',
    { status: 403, reason: 'Forbidden', missing: missing.map((n) => n.permission) },
  );
}

export interface PreflightSource {
  /** The caller's id for the source (reported back in findings). */
  id: string;
  namespace: string;
  /** The source's identity labels, as given to the runner. */
  labels: Record<string, string>;
}

export interface AdoptionFinding {
  sourceId: string;
  namespace: string;
  kind: Kind;
  name: string;
  /** Blocking: probing this source would be unsafe, so the runner skips it. */
  blocking: boolean;
  message: string;
}

interface Candidate {
  kind: Kind;
  matches: (o: WireObject, labels: Record<string, string>) => boolean;
  blocking: (o: WireObject) => boolean;
  message: (o: WireObject) => string;
}

type Spec = { selector?: unknown; publishNotReadyAddresses?: boolean };
const spec = (o: WireObject): Spec => (o.spec ?? {}) as Spec;

const CANDIDATES: Candidate[] = [
  {
    kind: 'Service',
    matches: (o, labels) => mapSelectorMatches(spec(o).selector as Record<string, string>, labels),
    // Other Services selecting it are harmless: the readiness gate keeps the pod out of their endpoints.
    blocking: (o) => spec(o).publishNotReadyAddresses === true,
    message: (o) =>
      spec(o).publishNotReadyAddresses === true
        ? 'selects the probe pod and publishes not-ready addresses, so it would send real traffic to the probe; the source is skipped'
        : "selects the probe pod's labels; the readiness gate keeps the pod out of its endpoints",
  },
  ...(['ReplicaSet', 'DaemonSet', 'Job'] as const).map((kind): Candidate => ({
    kind,
    matches: (o, labels) => labelSelectorMatches(spec(o).selector as LabelSelector, labels),
    blocking: () => false,
    message: () => "selects the probe pod's labels; the pod's controller ownerReference keeps it from being adopted",
  })),
  {
    kind: 'ReplicationController',
    matches: (o, labels) => mapSelectorMatches(spec(o).selector as Record<string, string>, labels),
    blocking: () => false,
    message: () => "selects the probe pod's labels; the pod's controller ownerReference keeps it from being adopted",
  },
  {
    kind: 'PodDisruptionBudget',
    matches: (o, labels) => labelSelectorMatches(spec(o).selector as LabelSelector, labels),
    // The disruption controller would count a pod it cannot scale, and could block node drains.
    blocking: () => true,
    message: () => 'would count the probe pod (and could block node drains while it exists); the source is skipped',
  },
];

/** Objects in the sources' namespaces that would select a probe pod with the source's labels. */
export async function checkAdoption(
  client: KubeClient,
  sources: PreflightSource[],
  options: CheckOptions = {},
): Promise<AdoptionFinding[]> {
  const retry = options.retry ?? DEFAULT_RETRY;
  const findings: AdoptionFinding[] = [];
  const namespaces = [...new Set(sources.map((s) => s.namespace))];
  const byNamespace = new Map<string, Map<Kind, WireObject[]>>();
  await forEachLimited(namespaces, 4, async (namespace) => {
    const lists = new Map<Kind, WireObject[]>();
    await Promise.all(
      CANDIDATES.map(async (c) => {
        const list = await withRetry(
          () => client.list(c.kind, { namespace, signal: options.signal }),
          retry,
          options.signal,
        );
        lists.set(c.kind, list.items);
      }),
    );
    byNamespace.set(namespace, lists);
  });
  for (const source of sources) {
    const labels = probeLabels(source.labels, 'preflight').labels;
    // The run id is not known yet, and nothing outside netreach selects on it.
    delete labels['netreach.io/run-id'];
    for (const c of CANDIDATES) {
      for (const o of byNamespace.get(source.namespace)?.get(c.kind) ?? []) {
        if (!c.matches(o, labels)) continue;
        findings.push({
          sourceId: source.id,
          namespace: source.namespace,
          kind: c.kind,
          name: o.metadata?.name ?? '',
          blocking: c.blocking(o),
          message: `${c.kind} ${source.namespace}/${o.metadata?.name} ${c.message(o)}.`,
        });
      }
    }
  }
  return findings;
}

export interface PreflightReport {
  permissions: PermissionReport;
  adoption: AdoptionFinding[];
}

/**
 * Permissions first (adoption checks need some of them). Throws a `forbidden` ClusterError
 * naming every missing permission; otherwise returns the adoption findings.
 */
export async function preflight(
  client: KubeClient,
  sources: PreflightSource[],
  options: CheckOptions & { includeClusterRead?: boolean } = {},
): Promise<PreflightReport> {
  const needs = requiredPermissions(
    sources.map((s) => s.namespace),
    options,
  );
  const permissions = await checkPermissions(client, needs, options);
  if (permissions.missing.length) throw missingPermissionsError(permissions.missing, client.target.context);
  return { permissions, adoption: await checkAdoption(client, sources, options) };
}
