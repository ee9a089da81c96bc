// Wire-shape Kubernetes objects (what `kubectl get -o json` prints): `from`, not the client
// library's `_from`; timestamps as strings. Only the fields the cluster layer reads are
// typed; everything else passes through.

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  [key: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface WireObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [key: string]: unknown;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export interface ContainerStatus {
  name: string;
  image?: string;
  ready?: boolean;
  state?: {
    waiting?: { reason?: string; message?: string };
    running?: { startedAt?: string };
    terminated?: { exitCode?: number; reason?: string; message?: string };
  };
}

export interface WirePod extends WireObject {
  metadata?: ObjectMeta;
  spec?: {
    activeDeadlineSeconds?: number;
    containers?: { name: string; image?: string; env?: { name: string; value?: string }[]; [key: string]: unknown }[];
    [key: string]: unknown;
  };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    podIP?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    containerStatuses?: ContainerStatus[];
    [key: string]: unknown;
  };
}

/** The kinds the cluster layer reads or writes. */
export type Kind =
  | 'Namespace'
  | 'Pod'
  | 'Service'
  | 'NetworkPolicy'
  | 'ConfigMap'
  | 'ReplicaSet'
  | 'DaemonSet'
  | 'Job'
  | 'ReplicationController'
  | 'PodDisruptionBudget';
