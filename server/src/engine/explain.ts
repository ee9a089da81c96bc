/**
 * Why a connection is allowed or denied: for each side, the policies that isolate it
 * and the rules that allow each part of the connection. Built from the same semantics
 * as the reachability index; the tests check that both agree.
 */
import type { IpRange } from './ip';
import type { Direction, Peer, Policy, Rule, Workload } from './model';
import { ALL_PORTS, contains, intersect, isEmpty, NO_PORTS, union, type PortSet, type Protocol } from './ports';
import type { Endpoint, ReachabilityIndex } from './reachability';
import { peerMatchesWorkload, rulePorts } from './semantics';

export interface AllowingRule {
  readonly rule: Rule;
  /** The peer of the rule that matches the other side (undefined when the rule has no peers: any). */
  readonly peer: Peer | undefined;
  /** What this rule opens toward the destination. */
  readonly ports: PortSet;
}

export interface SideExplanation {
  readonly direction: Direction;
  /** The side whose policies decide (source for egress, destination for ingress). */
  readonly endpoint: Endpoint;
  /** External addresses are not governed by NetworkPolicy. */
  readonly governed: boolean;
  readonly isolatingPolicies: readonly Policy[];
  /** Rules of the isolating policies whose peers match the other side. */
  readonly matchingRules: readonly AllowingRule[];
  readonly allowed: PortSet;
}

export interface Explanation {
  readonly source: Endpoint;
  readonly destination: Endpoint;
  readonly egress: SideExplanation;
  readonly ingress: SideExplanation;
  readonly allowed: PortSet;
}

export function explain(index: ReachabilityIndex, source: Endpoint, destination: Endpoint): Explanation {
  const egress = explainSide(index, 'egress', source, destination);
  const ingress = explainSide(index, 'ingress', destination, source);
  return { source, destination, egress, ingress, allowed: intersect(egress.allowed, ingress.allowed) };
}

function explainSide(index: ReachabilityIndex, direction: Direction, self: Endpoint, other: Endpoint): SideExplanation {
  if (self.kind !== 'workload') {
    return { direction, endpoint: self, governed: false, isolatingPolicies: [], matchingRules: [], allowed: ALL_PORTS };
  }
  const policies = index.isolatingPolicies(self.workload, direction);
  if (policies.length === 0) {
    return { direction, endpoint: self, governed: true, isolatingPolicies: [], matchingRules: [], allowed: ALL_PORTS };
  }
  // Named ports resolve on the destination: the selected pod for ingress, the peer for egress.
  const destination = direction === 'ingress' ? self.workload : other.kind === 'workload' ? other.workload : undefined;
  const matchingRules: AllowingRule[] = [];
  let allowed = NO_PORTS;
  for (const policy of policies) {
    for (const rule of direction === 'ingress' ? policy.ingress : policy.egress) {
      const matched = matchingPeer(index, rule, other);
      if (matched === false) continue;
      const ports = rulePorts(rule, destination);
      matchingRules.push({ rule, peer: matched, ports });
      allowed = union(allowed, ports);
    }
  }
  if (other.kind === 'ip') allowed = addressRangeAllowed(index, direction, other.range, matchingRules);
  return { direction, endpoint: self, governed: true, isolatingPolicies: policies, matchingRules, allowed };
}

/**
 * What every address of `range` is allowed: different rules may cover different parts of
 * it, so take, over the pieces of the address space it overlaps (each wholly inside or
 * outside every ipBlock), the intersection of what the rules matching each piece allow.
 * A range in no piece is of a family no ipBlock mentions: only rules without peers match.
 */
function addressRangeAllowed(
  index: ReachabilityIndex,
  direction: Direction,
  range: IpRange,
  rules: readonly AllowingRule[],
): PortSet {
  const partition = direction === 'ingress' ? index.sourcePieces : index.destinationPieces;
  const pieces = partition.filter((p) => p.family === range.family && p.start <= range.end && range.start <= p.end);
  let result: PortSet | undefined;
  for (const piece of pieces.length > 0 ? pieces : [range]) {
    let piecePorts = NO_PORTS;
    for (const { rule, ports } of rules) {
      const covered =
        rule.anyPeer ||
        rule.peers.some((p) => p.ipBlock && !p.podSelector && !p.namespaceSelector && covers(p.ipBlock.ranges, piece));
      if (covered) piecePorts = union(piecePorts, ports);
    }
    result = result === undefined ? piecePorts : intersect(result, piecePorts);
  }
  return result ?? NO_PORTS;
}

/** The peer of `rule` that matches `other`, undefined for a rule without peers, false when none matches. */
function matchingPeer(index: ReachabilityIndex, rule: Rule, other: Endpoint): Peer | undefined | false {
  if (rule.anyPeer) return undefined;
  for (const peer of rule.peers) {
    if (other.kind === 'workload') {
      const namespaceLabels = (ns: string) =>
        index.workspace.namespaces.get(ns)?.labels ?? new Map([['kubernetes.io/metadata.name', ns]]);
      if (peerMatchesWorkload(peer, rule.policy, other.workload, namespaceLabels, index.options)) return peer;
    } else if (
      peer.ipBlock &&
      !peer.podSelector &&
      !peer.namespaceSelector &&
      overlaps(peer.ipBlock.ranges, other.range)
    ) {
      // Matches part of the range at least; addressRangeAllowed works out what all of it gets.
      return peer;
    }
  }
  return false;
}

function covers(ranges: readonly IpRange[], range: IpRange): boolean {
  return ranges.some((r) => r.family === range.family && r.start <= range.start && range.end <= r.end);
}

function overlaps(ranges: readonly IpRange[], range: IpRange): boolean {
  return ranges.some((r) => r.family === range.family && r.start <= range.end && range.start <= r.end);
}

/** Whether one protocol/port is allowed on each side. */
export function verdictFor(explanation: Explanation, protocol: Protocol, port: number) {
  const egress = contains(explanation.egress.allowed, protocol, port);
  const ingress = contains(explanation.ingress.allowed, protocol, port);
  return { allowed: egress && ingress, egress, ingress };
}

export function isDenied(explanation: Explanation): boolean {
  return isEmpty(explanation.allowed);
}

export function workloadEndpoint(workload: Workload): Endpoint {
  return { kind: 'workload', workload };
}
