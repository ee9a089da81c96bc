// Leaving nothing behind. After every run (success, failure, timeout, cancel, thrown
// error): delete what we created by name, then everything carrying the run-id label (a
// create whose answer was lost may still have succeeded), then check. At the next start:
// sweep what an earlier run could not remove (the editor crashed, the network went away).

import { forEachLimited, withRetry, type RetryPolicy } from './async';
import type { KubeClient } from './client';
import { ClusterError } from './errors';
import { EXPIRES_ANNOTATION, MANAGED_SELECTOR, RUN_ID_LABEL } from './probePod';
import type { Kind, WireObject, WirePod } from './types';

export interface ObjectRef {
  kind: 'Pod' | 'ConfigMap';
  namespace: string;
  name: string;
}

export interface CleanupReport {
  /** Objects deleted by name (label-based deletes come on top). */
  deleted: number;
  /** Objects of the run still present (not terminating) after cleanup. Empty is the goal. */
  leftovers: ObjectRef[];
  /** Set when cleanup could not finish or could not verify; leftovers may then be incomplete. */
  error?: ClusterError;
  /** What a person can run to finish the job, when something may be left. */
  hint?: string;
}

export interface CleanupOptions {
  retry: RetryPolicy;
  signal: AbortSignal;
  /** The pods' activeDeadlineSeconds, for the "they end by themselves" hint. */
  podDeadlineSeconds: number;
}

function isForbidden(error: unknown): boolean {
  return error instanceof ClusterError && error.kind === 'forbidden';
}

/** Deletes by label: deletecollection, or list + delete when only `delete` is granted. */
async function deleteByLabel(client: KubeClient, kind: Kind, namespace: string, selector: string, o: CleanupOptions) {
  try {
    await withRetry(() => client.deleteCollection(kind, namespace, selector, { signal: o.signal }), o.retry, o.signal);
  } catch (error) {
    if (!isForbidden(error)) throw error;
    const { items } = await withRetry(
      () => client.list(kind, { namespace, labelSelector: selector, signal: o.signal }),
      o.retry,
      o.signal,
    );
    for (const item of items) {
      await withRetry(
        () => client.delete(kind, namespace, item.metadata?.name ?? '', { signal: o.signal }),
        o.retry,
        o.signal,
      );
    }
  }
}

export async function cleanupRun(
  client: KubeClient,
  runId: string,
  created: ObjectRef[],
  namespaces: string[],
  o: CleanupOptions,
): Promise<CleanupReport> {
  const selector = `${RUN_ID_LABEL}=${runId}`;
  let deleted = 0;
  let error: ClusterError | undefined;
  const note = (e: unknown) => {
    error ??= e instanceof ClusterError ? e : new ClusterError('unknown', `Cleanup failed: ${String(e)}`);
  };
  // Pods before their owner ConfigMap: the pods are what matters, and deleting the owner
  // first would leave their removal to the garbage collector's schedule.
  for (const kind of ['Pod', 'ConfigMap'] as const) {
    await forEachLimited(
      created.filter((r) => r.kind === kind),
      8,
      async (ref) => {
        try {
          if (
            await withRetry(() => client.delete(kind, ref.namespace, ref.name, { signal: o.signal }), o.retry, o.signal)
          )
            deleted++;
        } catch (e) {
          note(e);
        }
      },
    );
    for (const namespace of namespaces) {
      try {
        await deleteByLabel(client, kind, namespace, selector, o);
      } catch (e) {
        note(e);
      }
    }
  }
  const leftovers: ObjectRef[] = [];
  let verified = true;
  for (const namespace of namespaces) {
    for (const kind of ['Pod', 'ConfigMap'] as const) {
      try {
        const { items } = await withRetry(
          () => client.list(kind, { namespace, labelSelector: selector, signal: o.signal }),
          o.retry,
          o.signal,
        );
        for (const item of items) {
          if (!item.metadata?.deletionTimestamp) leftovers.push({ kind, namespace, name: item.metadata?.name ?? '' });
        }
      } catch (e) {
        verified = false;
        note(e);
      }
    }
  }
  const report: CleanupReport = { deleted, leftovers, ...(error ? { error } : {}) };
  if (leftovers.length || !verified) {
    const commands = namespaces.map((ns) => `kubectl delete pods,configmaps -n ${ns} -l ${selector}`);
    report.hint =
      `Some probe objects of run ${runId} may remain${error ? ` (${error.message})` : ''}. Probe pods stop by themselves ` +
      `after ${o.podDeadlineSeconds} s, and the next netreach run removes leftovers; to remove them now:\n  ${commands.join('\n  ')}`;
  }
  return report;
}

export interface SweepReport {
  deleted: ObjectRef[];
  error?: ClusterError;
}

export interface SweepOptions {
  /** Only these namespaces (default: all namespaces, which needs cluster-wide list). */
  namespaces?: string[];
  retry: RetryPolicy;
  signal: AbortSignal;
  now: number;
  /** For pods without activeDeadlineSeconds (not ours, or edited): how old is stale. */
  fallbackStaleSeconds: number;
}

/**
 * A pod is stale once creation + activeDeadlineSeconds has passed: by then the kubelet has
 * stopped it, or it never got scheduled and never will matter. Younger pods may belong to
 * a run in progress (another window, another user) and are left alone.
 */
function podExpiry(pod: WirePod, fallbackSeconds: number): number {
  const created = Date.parse(pod.metadata?.creationTimestamp ?? '');
  const seconds = pod.spec?.activeDeadlineSeconds ?? fallbackSeconds;
  return Number.isNaN(created) ? Infinity : created + seconds * 1000;
}

function configMapExpiry(cm: WireObject, fallbackSeconds: number): number {
  const annotated = Date.parse(cm.metadata?.annotations?.[EXPIRES_ANNOTATION] ?? '');
  if (!Number.isNaN(annotated)) return annotated;
  const created = Date.parse(cm.metadata?.creationTimestamp ?? '');
  return Number.isNaN(created) ? Infinity : created + fallbackSeconds * 1000;
}

export async function sweepStale(client: KubeClient, o: SweepOptions): Promise<SweepReport> {
  const deleted: ObjectRef[] = [];
  let error: ClusterError | undefined;
  const scopes: (string | undefined)[] = o.namespaces ? [...new Set(o.namespaces)] : [undefined];
  for (const kind of ['Pod', 'ConfigMap'] as const) {
    for (const namespace of scopes) {
      try {
        const { items } = await withRetry(
          () => client.list(kind, { namespace, labelSelector: MANAGED_SELECTOR, signal: o.signal }),
          o.retry,
          o.signal,
        );
        const stale = items.filter((item) =>
          kind === 'Pod'
            ? podExpiry(item as WirePod, o.fallbackStaleSeconds) < o.now
            : configMapExpiry(item, o.fallbackStaleSeconds) < o.now,
        );
        for (const item of stale) {
          const ref: ObjectRef = {
            kind,
            namespace: item.metadata?.namespace ?? namespace ?? '',
            name: item.metadata?.name ?? '',
          };
          if (
            await withRetry(() => client.delete(kind, ref.namespace, ref.name, { signal: o.signal }), o.retry, o.signal)
          ) {
            deleted.push(ref);
          }
        }
      } catch (e) {
        error ??=
          e instanceof ClusterError
            ? e
            : new ClusterError('unknown', `Sweeping stale probe objects failed: ${String(e)}`);
      }
    }
  }
  return { deleted, ...(error ? { error } : {}) };
}
