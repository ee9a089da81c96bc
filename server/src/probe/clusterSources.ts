/**
 * The live cluster as engine input: every object read from the API server becomes one
 * synthetic JSON document (`cluster://<namespace>/<Kind>/<name>`), so the engine's one
 * semantic model predicts the cluster exactly as it reads manifests.
 *
 * Pods are the workloads: a pod's controller ownerReference folds it into its owner, and a
 * ReplicaSet made by a Deployment (named `<deployment>-<pod-template-hash>`) is shown as the
 * Deployment, so `shop/web[Deployment]` names the same thing in the files and the cluster.
 */
import type { SourceFile } from '../engine';
import type { ClusterObjects } from '../cluster/client';
import type { WireObject } from '../cluster/types';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../cluster/probePod';

export const CLUSTER_URI_SCHEME = 'cluster://';

export function clusterUri(kind: string, namespace: string | undefined, name: string): string {
  return `${CLUSTER_URI_SCHEME}${namespace ?? name}/${kind}/${name}`;
}

export function isClusterUri(uri: string): boolean {
  return uri.startsWith(CLUSTER_URI_SCHEME);
}

const TERMINAL_PHASES = new Set(['Succeeded', 'Failed']);

/** Pods that take part in the network: not our own probe pods, not finished ones. */
export function isLivePod(pod: WireObject): boolean {
  if (pod.metadata?.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE) return false;
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  return !TERMINAL_PHASES.has(phase ?? '') && !pod.metadata?.deletionTimestamp;
}

/** Metadata noise that the engine never reads (and that can be large). */
function trimMetadata(object: WireObject): WireObject {
  const metadata = { ...object.metadata };
  delete metadata.managedFields;
  if (metadata.annotations) {
    const annotations = { ...metadata.annotations };
    delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
    metadata.annotations = annotations;
  }
  return { ...object, metadata };
}

/** A ReplicaSet owner whose name is `<deployment>-<pod-template-hash>` is shown as that Deployment. */
function withDeploymentOwner(pod: WireObject): WireObject {
  const hash = pod.metadata?.labels?.['pod-template-hash'];
  const refs = pod.metadata?.ownerReferences;
  if (!hash || !refs) return pod;
  const ownerReferences = refs.map((ref) => {
    if (ref.controller && ref.kind === 'ReplicaSet' && ref.name.endsWith(`-${hash}`)) {
      return { ...ref, apiVersion: 'apps/v1', kind: 'Deployment', name: ref.name.slice(0, -hash.length - 1) };
    }
    return ref;
  });
  return { ...pod, metadata: { ...pod.metadata, ownerReferences } };
}

function source(kind: string, object: WireObject): SourceFile {
  const meta = object.metadata ?? {};
  const uri = clusterUri(kind, kind === 'Namespace' ? undefined : meta.namespace, meta.name ?? '');
  return { uri, text: `${JSON.stringify({ ...object, kind, apiVersion: object.apiVersion }, null, 2)}\n` };
}

/** One synthetic document per object, in a stable order (namespace, kind, name). */
export function clusterSourceFiles(objects: ClusterObjects): SourceFile[] {
  const files: SourceFile[] = [
    ...objects.namespaces.map((o) => source('Namespace', trimMetadata({ apiVersion: 'v1', ...o }))),
    ...objects.pods
      .filter(isLivePod)
      .map((o) => source('Pod', withDeploymentOwner(trimMetadata({ apiVersion: 'v1', ...o })))),
    ...objects.services.map((o) => source('Service', trimMetadata({ apiVersion: 'v1', ...o }))),
    ...objects.networkPolicies.map((o) =>
      source('NetworkPolicy', trimMetadata({ apiVersion: 'networking.k8s.io/v1', ...o })),
    ),
  ];
  return files.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));
}
