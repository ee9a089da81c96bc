/**
 * Answers about one place in a file, for hovers and the reachability view: what object
 * or part of a policy is at an offset, and structured reports of what a policy, rule,
 * peer or workload means for traffic. Rendering (Markdown, HTML) is the adapters' job.
 */
import { formatCidr, formatRange, type IpRange } from './ip';
import { selectorMatches } from './labels';
import type { Direction, Namespace, Peer, Policy, PortSpec, Rule, Service, Workload } from './model';
import { isEmpty, type PortSet } from './ports';
import { endpointName, type Endpoint, type ReachabilityIndex } from './reachability';
import { portSpecPorts, rulePorts } from './semantics';
import type { Span } from './findings';
import type { Workspace } from './workspace';

export type Target =
  | {
      readonly kind: 'policy';
      readonly policy: Policy;
      readonly part: 'name' | 'podSelector' | 'policyTypes' | 'other';
    }
  | { readonly kind: 'rule'; readonly rule: Rule }
  | { readonly kind: 'peer'; readonly rule: Rule; readonly peer: Peer }
  | { readonly kind: 'port'; readonly rule: Rule; readonly port: PortSpec }
  | { readonly kind: 'workload'; readonly workload: Workload; readonly part: 'name' | 'labels' | 'other' }
  | { readonly kind: 'namespace'; readonly namespace: Namespace }
  | { readonly kind: 'service'; readonly service: Service };

const within = (span: Span | undefined, uri: string, offset: number) =>
  span !== undefined && span.uri === uri && span.start <= offset && offset <= span.end;

/** The most specific target at `offset` in the file `uri`. */
export function targetAt(workspace: Workspace, uri: string, offset: number): Target | undefined {
  for (const policy of workspace.policies) {
    if (!within(policy.object.span, uri, offset)) continue;
    for (const rule of [...policy.ingress, ...policy.egress]) {
      if (!within(rule.span, uri, offset)) continue;
      for (const peer of rule.peers) if (within(peer.span, uri, offset)) return { kind: 'peer', rule, peer };
      for (const port of rule.ports) if (within(port.span, uri, offset)) return { kind: 'port', rule, port };
      return { kind: 'rule', rule };
    }
    if (within(policy.object.nameSpan, uri, offset)) return { kind: 'policy', policy, part: 'name' };
    if (within(policy.podSelector?.span, uri, offset)) return { kind: 'policy', policy, part: 'podSelector' };
    return { kind: 'policy', policy, part: 'other' };
  }
  for (const workload of workspace.workloads) {
    const object = workload.objects.find((o) => within(o.span, uri, offset));
    if (!object) continue;
    if (within(workload.labelsSpan, uri, offset)) return { kind: 'workload', workload, part: 'labels' };
    if (within(object.nameSpan, uri, offset)) return { kind: 'workload', workload, part: 'name' };
    return { kind: 'workload', workload, part: 'other' };
  }
  for (const namespace of workspace.namespaces.values()) {
    if (namespace.object && within(namespace.object.span, uri, offset)) return { kind: 'namespace', namespace };
  }
  for (const service of workspace.services) {
    if (within(service.object.span, uri, offset)) return { kind: 'service', service };
  }
  return undefined;
}

/** One line of "who may connect": a peer endpoint and the ports. */
export interface ReachLine {
  readonly endpoint: Endpoint;
  readonly name: string;
  readonly ports: PortSet;
}

export interface WorkloadReport {
  readonly workload: Workload;
  readonly ingressPolicies: readonly Policy[];
  readonly egressPolicies: readonly Policy[];
  /** Sources that may connect to it (other workloads and external ranges). */
  readonly inbound: readonly ReachLine[];
  /** Destinations it may connect to. */
  readonly outbound: readonly ReachLine[];
  /** Sources and destinations with no connection at all. */
  readonly deniedFrom: readonly string[];
  readonly deniedTo: readonly string[];
}

export function workloadReport(index: ReachabilityIndex, workload: Workload): WorkloadReport {
  const self: Endpoint = { kind: 'workload', workload };
  const inbound: ReachLine[] = [];
  const outbound: ReachLine[] = [];
  const deniedFrom: string[] = [];
  const deniedTo: string[] = [];
  const others = index.workspace.workloads.filter((w) => w !== workload);
  for (const other of others) {
    const endpoint: Endpoint = { kind: 'workload', workload: other };
    const inPorts = index.connection(endpoint, self);
    const outPorts = index.connection(self, endpoint);
    if (isEmpty(inPorts)) deniedFrom.push(other.id);
    else inbound.push({ endpoint, name: other.id, ports: inPorts });
    if (isEmpty(outPorts)) deniedTo.push(other.id);
    else outbound.push({ endpoint, name: other.id, ports: outPorts });
  }
  for (const range of index.sourcePieces) {
    const endpoint: Endpoint = { kind: 'ip', range };
    const ports = index.connection(endpoint, self);
    if (!isEmpty(ports)) inbound.push({ endpoint, name: endpointName(endpoint), ports });
  }
  for (const range of index.destinationPieces) {
    const endpoint: Endpoint = { kind: 'ip', range };
    const ports = index.connection(self, endpoint);
    if (!isEmpty(ports)) outbound.push({ endpoint, name: endpointName(endpoint), ports });
  }
  return {
    workload,
    ingressPolicies: index.isolatingPolicies(workload, 'ingress'),
    egressPolicies: index.isolatingPolicies(workload, 'egress'),
    inbound,
    outbound,
    deniedFrom,
    deniedTo,
  };
}

export interface RuleReport {
  readonly rule: Rule;
  readonly direction: Direction;
  readonly anyPeer: boolean;
  readonly workloads: readonly Workload[];
  /** Namespaces the peers reach into (for namespaceSelector peers, even those without workloads). */
  readonly namespaces: readonly string[];
  readonly ipRanges: readonly IpRange[];
  /** Ports as written, spelled out: numbers, ranges and resolved names. */
  readonly ports: readonly PortLine[];
  readonly anyPort: boolean;
}

export interface PortLine {
  readonly spec: PortSpec;
  readonly text: string;
  /** For a named port: the numbers it resolves to on each destination workload. */
  readonly resolutions: readonly { readonly workload: Workload; readonly ports: PortSet }[];
}

export function ruleReport(index: ReachabilityIndex, rule: Rule): RuleReport {
  const match = index.ruleMatch(rule);
  const namespaces = new Set<string>();
  for (const peer of rule.peers)
    for (const ns of peerNamespaces(index.workspace, rule.policy, peer)) namespaces.add(ns);
  const destinations = rule.direction === 'ingress' ? index.selectedWorkloads(rule.policy) : match.workloads;
  return {
    rule,
    direction: rule.direction,
    anyPeer: rule.anyPeer,
    workloads: match.workloads,
    namespaces: rule.anyPeer ? [...index.workspace.namespaces.keys()] : [...namespaces].sort(),
    ipRanges: match.ipRanges,
    ports: rule.ports.map((spec) => portLine(spec, destinations)),
    anyPort: rule.anyPort,
  };
}

export function portLine(spec: PortSpec, destinations: readonly Workload[]): PortLine {
  const text =
    spec.port === undefined
      ? `all ${spec.protocol}`
      : spec.endPort !== undefined
        ? `${spec.protocol} ${spec.port}-${spec.endPort}`
        : `${spec.protocol} ${spec.port}`;
  const resolutions =
    typeof spec.port === 'string'
      ? destinations
          .map((workload) => ({ workload, ports: portSpecPorts(spec, workload) }))
          .filter((r) => !isEmpty(r.ports))
      : [];
  return { spec, text, resolutions };
}

/** Namespaces a peer covers: its namespaceSelector's matches, or the policy's own. */
export function peerNamespaces(workspace: Workspace, policy: Policy, peer: Peer): string[] {
  if (peer.ipBlock) return [];
  if (!peer.namespaceSelector) return [policy.namespace];
  const selector = peer.namespaceSelector.selector;
  return [...workspace.namespaces.values()]
    .filter((ns) => selectorMatches(selector, ns.labels))
    .map((ns) => ns.name)
    .sort();
}

/** What one policy contributes per direction: each rule with its peers and ports. */
export interface PolicyReport {
  readonly policy: Policy;
  readonly selected: readonly Workload[];
  readonly ingress: readonly RuleReport[];
  readonly egress: readonly RuleReport[];
}

export function policyReport(index: ReachabilityIndex, policy: Policy): PolicyReport {
  return {
    policy,
    selected: index.selectedWorkloads(policy),
    ingress: policy.isolatesIngress ? policy.ingress.map((r) => ruleReport(index, r)) : [],
    egress: policy.isolatesEgress ? policy.egress.map((r) => ruleReport(index, r)) : [],
  };
}

/** `10.0.0.0/8 except 10.1.0.0/16` spelled out as ranges. */
export function describeIpBlock(peer: Peer): string {
  const block = peer.ipBlock;
  if (!block) return '';
  const ranges = block.ranges.map(formatRange).join(', ');
  const cidr = block.cidr ? formatCidr(block.cidr.family, block.cidr.network, block.cidr.prefix) : block.cidrText;
  return block.except.length
    ? `${cidr} except ${block.except.map((e) => e.text).join(', ')} = ${ranges}`
    : `${cidr} = ${ranges}`;
}

/** The ports a rule opens toward one destination (named ports resolved). */
export function portsToward(rule: Rule, destination: Workload | undefined): PortSet {
  return rulePorts(rule, destination);
}
