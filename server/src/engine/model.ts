/**
 * The model: Namespaces, workloads, Services and NetworkPolicies read from manifests,
 * each value keeping the span it came from.
 */
import type { Span } from './findings';
import type { Cidr, IpFamily, IpRange } from './ip';
import type { Labels, Selector } from './labels';
import type { KubeObject } from './objects';
import type { Protocol } from './ports';

export const WORKLOAD_KINDS = [
  'Pod',
  'Deployment',
  'ReplicaSet',
  'ReplicationController',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
] as const;

export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

export function isWorkloadKind(kind: string): kind is WorkloadKind {
  return (WORKLOAD_KINDS as readonly string[]).includes(kind);
}

export interface Namespace {
  readonly name: string;
  /** Always includes `kubernetes.io/metadata.name`. */
  readonly labels: Labels;
  /** The Namespace manifest, when the workspace has one. */
  readonly object?: KubeObject;
}

export interface ContainerPort {
  readonly name?: string;
  readonly port: number;
  readonly protocol: Protocol;
  readonly container: string;
  readonly span: Span;
}

export interface PodAddress {
  readonly family: IpFamily;
  readonly value: bigint;
  readonly text: string;
}

export interface Workload {
  /** `namespace/name[Kind]`, the name connlist and the hovers use. */
  readonly id: string;
  /** The kind shown: a controller's pods fold into their owner. */
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  /** The pod labels: the pod template's for controllers. */
  readonly labels: Labels;
  readonly ports: readonly ContainerPort[];
  readonly hostNetwork: boolean;
  /** Pod IPs from `status.podIP(s)` of the pods behind this workload. */
  readonly addresses: readonly PodAddress[];
  /** Manifests behind this workload (several pods fold into one owner). */
  readonly objects: readonly KubeObject[];
  /** Where the pod labels are written, for hovers and related information. */
  readonly labelsSpan: Span;
  /**
   * The distinct label sets of the pods folded into this workload; more than one when
   * the pods of one owner carry different labels (then `labels` is the first pod's).
   */
  readonly podLabelSets: readonly Labels[];
}

export interface ServicePort {
  readonly name?: string;
  readonly port: number;
  readonly targetPort: number | string;
  readonly protocol: Protocol;
  readonly span: Span;
}

export interface Service {
  readonly id: string;
  readonly name: string;
  readonly namespace: string;
  /** undefined: no selector (endpoints managed by hand). */
  readonly selector: Labels | undefined;
  readonly ports: readonly ServicePort[];
  readonly type: string;
  readonly externalTrafficPolicy: string | undefined;
  readonly clusterIPs: readonly string[];
  readonly publishNotReadyAddresses: boolean;
  readonly object: KubeObject;
}

export interface SelectorField {
  readonly selector: Selector;
  readonly span: Span;
  /** The selector could not be read as the API would (invalid operator, bad key): it matches nothing here. */
  readonly invalid: boolean;
}

export interface ExceptEntry {
  readonly text: string;
  readonly cidr: Cidr | undefined;
  readonly span: Span;
}

export interface IpBlock {
  readonly cidrText: string;
  readonly cidr: Cidr | undefined;
  readonly except: readonly ExceptEntry[];
  /** cidr minus except; empty when the cidr does not parse. */
  readonly ranges: readonly IpRange[];
  readonly span: Span;
  readonly cidrSpan: Span;
}

export interface Peer {
  readonly index: number;
  readonly span: Span;
  readonly podSelector?: SelectorField;
  readonly namespaceSelector?: SelectorField;
  readonly ipBlock?: IpBlock;
}

export interface PortSpec {
  readonly index: number;
  readonly span: Span;
  readonly protocol: Protocol;
  readonly protocolExplicit: boolean;
  /** undefined: every port of the protocol. */
  readonly port?: number | string;
  readonly endPort?: number;
  readonly portSpan?: Span;
}

export type Direction = 'ingress' | 'egress';

export interface Rule {
  readonly policy: Policy;
  readonly direction: Direction;
  readonly index: number;
  readonly span: Span;
  /** `from`/`to` absent or empty: every peer (all pods of all namespaces, and all IPs). */
  readonly anyPeer: boolean;
  readonly peers: readonly Peer[];
  readonly peersSpan?: Span;
  /** `ports` absent or empty: every port of every protocol. */
  readonly anyPort: boolean;
  readonly ports: readonly PortSpec[];
  readonly portsSpan?: Span;
}

export interface Policy {
  /** `namespace/name`. */
  readonly id: string;
  readonly name: string;
  readonly namespace: string;
  /** False when `metadata.namespace` is absent (the policy lands in kubectl's current namespace). */
  readonly namespaceExplicit: boolean;
  readonly object: KubeObject;
  /** `spec.podSelector`; absent counts as `{}` (what the API server stores). */
  readonly podSelector: SelectorField | undefined;
  readonly isolatesIngress: boolean;
  readonly isolatesEgress: boolean;
  /** `policyTypes` written out (otherwise defaulted). */
  readonly policyTypesExplicit: boolean;
  readonly ingress: readonly Rule[];
  readonly egress: readonly Rule[];
  readonly ingressSpan?: Span;
  readonly egressSpan?: Span;
  readonly specSpan: Span;
}

export function rulesOf(policy: Policy, direction: Direction): readonly Rule[] {
  return direction === 'ingress' ? policy.ingress : policy.egress;
}

export function isolates(policy: Policy, direction: Direction): boolean {
  return direction === 'ingress' ? policy.isolatesIngress : policy.isolatesEgress;
}
