/**
 * NetworkPolicy semantics, one object at a time: whether a policy selects a pod, whether
 * a peer matches a pod or an address, which ports a rule opens toward a destination.
 * The reachability index and the explanations are both built on these functions, so
 * they cannot disagree.
 */
import { EVERYTHING, selectorMatches, type Labels } from './labels';
import { rangeContains, type IpFamily } from './ip';
import type { Peer, Policy, PortSpec, Rule, Workload } from './model';
import { ALL_PORTS, allPortsOf, NO_PORTS, portRange, union, type PortSet } from './ports';

export interface AnalysisOptions {
  /**
   * Whether an `ipBlock` also matches pods whose IP (`status.podIP`) lies inside it.
   * The Kubernetes e2e tests expect it (Calico, Antrea, OVN-Kubernetes do it); Cilium
   * and some analyzers do not.
   */
  readonly ipBlockMatchesPods: boolean;
}

export const DEFAULT_OPTIONS: AnalysisOptions = { ipBlockMatchesPods: true };

export type NamespaceLabels = (namespace: string) => Labels;

export function policySelects(policy: Policy, workload: Workload): boolean {
  return (
    policy.namespace === workload.namespace &&
    selectorMatches(policy.podSelector?.selector ?? EVERYTHING, workload.labels)
  );
}

/**
 * Whether the peer matches the pods of `workload`. `namespaceSelector` alone means all
 * pods of the matching namespaces, `podSelector` alone the policy's own namespace, both
 * together must both match; an `ipBlock` matches pods only by their IPs, when allowed.
 */
export function peerMatchesWorkload(
  peer: Peer,
  policy: Policy,
  workload: Workload,
  namespaceLabels: NamespaceLabels,
  options: AnalysisOptions,
): boolean {
  if (peer.ipBlock) {
    if (peer.podSelector || peer.namespaceSelector) return false; // refused by the API (NR001)
    return options.ipBlockMatchesPods && ipBlockCoversWorkload(peer, workload);
  }
  if (peer.namespaceSelector) {
    if (!selectorMatches(peer.namespaceSelector.selector, namespaceLabels(workload.namespace))) return false;
  } else if (workload.namespace !== policy.namespace) {
    return false;
  }
  return peer.podSelector ? selectorMatches(peer.podSelector.selector, workload.labels) : true;
}

/** A workload is covered when it has known pod IPs of the block's family and all of them lie in the block. */
export function ipBlockCoversWorkload(peer: Peer, workload: Workload): boolean {
  if (!peer.ipBlock) return false;
  // A dual-stack pod has an address per family; a block speaks about its own family only.
  const families = new Set(peer.ipBlock.ranges.map((r) => r.family));
  const relevant = workload.addresses.filter((a) => families.has(a.family));
  return relevant.length > 0 && relevant.every((a) => peerMatchesAddress(peer, a.family, a.value));
}

export function peerMatchesAddress(peer: Peer, family: IpFamily, value: bigint): boolean {
  return peer.ipBlock !== undefined && peer.ipBlock.ranges.some((r) => rangeContains(r, family, value));
}

export function ruleMatchesWorkload(
  rule: Rule,
  workload: Workload,
  namespaceLabels: NamespaceLabels,
  options: AnalysisOptions,
): boolean {
  return (
    rule.anyPeer || rule.peers.some((p) => peerMatchesWorkload(p, rule.policy, workload, namespaceLabels, options))
  );
}

export function hasNamedPorts(rule: Rule): boolean {
  return rule.ports.some((p) => typeof p.port === 'string');
}

/**
 * The ports one port entry opens toward a destination. A named port resolves on the
 * destination's container ports with the same protocol; toward an IP address (no
 * destination workload) a name resolves to nothing.
 */
export function portSpecPorts(spec: PortSpec, destination: Workload | undefined): PortSet {
  if (spec.port === undefined) return allPortsOf(spec.protocol);
  if (typeof spec.port === 'number') {
    const end = spec.endPort !== undefined && spec.endPort >= spec.port ? spec.endPort : spec.port;
    return spec.endPort !== undefined && spec.endPort < spec.port ? NO_PORTS : portRange(spec.protocol, spec.port, end);
  }
  let result = NO_PORTS;
  for (const containerPort of destination?.ports ?? []) {
    if (containerPort.name === spec.port && containerPort.protocol === spec.protocol) {
      result = union(result, portRange(spec.protocol, containerPort.port));
    }
  }
  return result;
}

export function rulePorts(rule: Rule, destination: Workload | undefined): PortSet {
  if (rule.anyPort) return ALL_PORTS;
  let result = NO_PORTS;
  for (const spec of rule.ports) result = union(result, portSpecPorts(spec, destination));
  return result;
}
