// The resources the double serves, with the group/version/kind facts the API server would
// publish in discovery.

export interface ResourceInfo {
  /** Plural resource name as it appears in URLs and RBAC rules. */
  plural: string;
  kind: string;
  group: string;
  version: string;
  namespaced: boolean;
  /** Create-only review resources (SelfSubjectAccessReview) are not stored. */
  review?: boolean;
}

const LIST: ResourceInfo[] = [
  { plural: 'namespaces', kind: 'Namespace', group: '', version: 'v1', namespaced: false },
  { plural: 'pods', kind: 'Pod', group: '', version: 'v1', namespaced: true },
  { plural: 'services', kind: 'Service', group: '', version: 'v1', namespaced: true },
  { plural: 'configmaps', kind: 'ConfigMap', group: '', version: 'v1', namespaced: true },
  { plural: 'replicationcontrollers', kind: 'ReplicationController', group: '', version: 'v1', namespaced: true },
  { plural: 'networkpolicies', kind: 'NetworkPolicy', group: 'networking.k8s.io', version: 'v1', namespaced: true },
  { plural: 'replicasets', kind: 'ReplicaSet', group: 'apps', version: 'v1', namespaced: true },
  { plural: 'daemonsets', kind: 'DaemonSet', group: 'apps', version: 'v1', namespaced: true },
  { plural: 'deployments', kind: 'Deployment', group: 'apps', version: 'v1', namespaced: true },
  { plural: 'statefulsets', kind: 'StatefulSet', group: 'apps', version: 'v1', namespaced: true },
  { plural: 'jobs', kind: 'Job', group: 'batch', version: 'v1', namespaced: true },
  { plural: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', group: 'policy', version: 'v1', namespaced: true },
  {
    plural: 'selfsubjectaccessreviews',
    kind: 'SelfSubjectAccessReview',
    group: 'authorization.k8s.io',
    version: 'v1',
    namespaced: false,
    review: true,
  },
];

export function apiVersionOf(r: ResourceInfo): string {
  return r.group === '' ? r.version : `${r.group}/${r.version}`;
}

export function findResource(group: string, version: string, plural: string): ResourceInfo | undefined {
  return LIST.find((r) => r.group === group && r.version === version && r.plural === plural);
}

export function resourceByKind(kind: string): ResourceInfo | undefined {
  return LIST.find((r) => r.kind === kind);
}

export function resourceByPlural(plural: string): ResourceInfo | undefined {
  return LIST.find((r) => r.plural === plural);
}
