/**
 * The probe planner: which connections to test for the object the user picked, from
 * which probe identities, to which pod IPs and ports, and what the engine predicts for each.
 *
 * - A policy: sources inside what its ingress rules allow (one per peer) and outside them
 *   (one in its namespace, one elsewhere), toward the pods it selects, on the ports its rules
 *   open; for egress, from the pods it selects toward allowed and not-allowed peers.
 * - A workload: peers predicted to reach it and peers predicted not to (and, when it is
 *   isolated for egress, what it should and should not reach).
 * - A pair (`--from`, `--to`): that connection on the ports that matter, or one side against
 *   every workload.
 * - Namespaces, a file, the whole cluster: a bounded matrix.
 *
 * Targets are real pod IPs (`status.podIP`, one representative Running pod per workload, the
 * first by name) and ports: one per rule that matters, preferring a port the destination's
 * containers declare (named ports resolved on the destination). Sources are probe identities:
 * the source's namespace and its values for the label keys policy selectors reference, never
 * controller-managed keys; sources with the same identity share one probe pod. Everything is
 * sorted, so the same cluster gives the same plan. Pure: no cluster access.
 */
import {
  contains,
  describeEndpoint,
  describePorts,
  explain,
  isEmpty,
  rulePorts,
  verdictFor,
  type Direction,
  type Endpoint,
  type Peer,
  type Policy,
  type PortSet,
  type Protocol,
  type ReachabilityIndex,
  type Rule,
  type Workload,
} from '../engine';
import { CONTROLLER_MANAGED_KEYS, MANAGED_BY_LABEL, RUN_ID_LABEL } from '../cluster/probePod';
import type { ProbeSource, RunPlan } from '../cluster/runner';

export interface PortChoice {
  readonly protocol: Protocol;
  readonly port: number;
}

/** A policy (and rule) that decides a prediction; `rule` is 1-based, absent when no rule allows. */
export interface RuleRef {
  readonly policy: string;
  readonly direction: Direction;
  readonly rule?: number;
}

export interface PlannedCheck {
  /** Unique in the plan; the runner's target id. */
  readonly id: string;
  readonly from: Workload;
  readonly to: Workload;
  readonly protocol: Protocol;
  readonly port: number;
  /** The destination pod probed: its IP and `namespace/name`. */
  readonly target: { readonly ip: string; readonly pod: string };
  readonly predicted: 'allowed' | 'denied';
  /** Why, from explain(): the allowing rules, or the isolating policies that deny. */
  readonly decidedBy: string;
  readonly deciding: readonly RuleRef[];
  /** Why the planner picked this connection. */
  readonly purpose: string;
  /** What the files' policies predict, when it differs from the cluster's (not applied yet, changed). */
  readonly filesPredict?: 'allowed' | 'denied';
  /**
   * Why a probe pod cannot stand in exactly for the source here (a policy selects on a label
   * every probe pod must carry, an ipBlock allows the source by its pod IP): a disagreement
   * is then inconclusive, not a mismatch.
   */
  readonly caveat?: string;
}

export interface PlannedSource {
  /** The runner's source id. */
  readonly id: string;
  readonly namespace: string;
  /** The identity the probe pod carries. */
  readonly labels: Readonly<Record<string, string>>;
  /** The workloads it stands for (same namespace and identity). */
  readonly workloads: readonly string[];
}

export interface ProbePlan {
  readonly scope: string;
  readonly checks: readonly PlannedCheck[];
  readonly sources: readonly PlannedSource[];
  /** What the runner needs. */
  readonly run: RunPlan;
  /** Connections or workloads that could not be planned, and why. */
  readonly skipped: readonly { readonly what: string; readonly reason: string }[];
  /** Caps that cut the plan, and similar remarks. */
  readonly notes: readonly string[];
}

export type PlanScope =
  | { readonly kind: 'policies'; readonly policies: readonly Policy[] }
  | { readonly kind: 'workload'; readonly workload: Workload }
  | { readonly kind: 'pair'; readonly from?: Workload; readonly to?: Workload }
  | { readonly kind: 'namespaces'; readonly namespaces: readonly string[]; readonly title?: string }
  | { readonly kind: 'cluster' };

export interface PlanOptions {
  /** Most probe pods (distinct probe identities) in the plan (default 20). */
  readonly maxPods?: number;
  /** Most connections tested (default 100). */
  readonly maxTargets?: number;
  /** Probe exactly these ports instead of choosing. */
  readonly ports?: readonly PortChoice[];
}

export interface PlanInput {
  /** The live cluster: predictions and explanations. */
  readonly index: ReachabilityIndex;
  /**
   * The cluster with the files' policies in place of the cluster's, when the files are the
   * scope: it chooses sources and peers (what the files intend); predictions stay the cluster's.
   */
  readonly scopeIndex?: ReachabilityIndex;
  readonly scope: PlanScope;
  readonly options?: PlanOptions;
}

export const DEFAULT_MAX_PODS = 20;
export const DEFAULT_MAX_TARGETS = 100;

/** Namespaces the whole-cluster matrix leaves out (probe them by naming them). */
export function isSystemNamespace(namespace: string): boolean {
  return namespace.startsWith('kube-') || namespace === 'local-path-storage';
}

const PROTOCOL_ORDER: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

function byId(a: Workload, b: Workload): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

const workloadEndpoint = (workload: Workload): Endpoint => ({ kind: 'workload', workload });

export function formatPort(choice: PortChoice): string {
  return `${choice.protocol} ${choice.port}`;
}

/** The representative pod probed for a workload: the first Running pod by name with an IP. */
export function representativePod(workload: Workload): { ip: string; pod: string } | undefined {
  if (workload.hostNetwork) return undefined;
  const pods = workload.objects
    .filter((o) => o.kind === 'Pod' && o.name)
    .sort((a, b) => ((a.name ?? '') < (b.name ?? '') ? -1 : 1));
  for (const pod of pods) {
    const status = (pod.map.toJSON() as { status?: { phase?: string; podIP?: string } }).status;
    if (status?.phase === 'Running' && status.podIP) {
      return { ip: status.podIP, pod: `${workload.namespace}/${pod.name}` };
    }
  }
  return undefined;
}

/** Why a workload cannot be a destination, or undefined when it can. */
function notProbeable(workload: Workload): string | undefined {
  if (workload.hostNetwork) return 'uses the host network; NetworkPolicies do not apply to it';
  if (!representativePod(workload)) return 'has no Running pod with an IP';
  return undefined;
}

/**
 * Whether the planner may pick `workload` as a source on its own initiative when probing
 * something in `home`: never a host-network pod, and no probe pods in system namespaces
 * (kube-system...) unless the scope is there too. A rule that names such a source still gets it.
 */
function mayPickSource(workload: Workload, home: string): boolean {
  return !workload.hostNetwork && (!isSystemNamespace(workload.namespace) || isSystemNamespace(home));
}

/** The label keys that some policy selector (the policy's or a peer's pod selector) references. */
export function referencedLabelKeys(policies: readonly Policy[]): Set<string> {
  const keys = new Set<string>();
  const add = (requirements: readonly { key: string }[] | undefined) => {
    for (const r of requirements ?? []) keys.add(r.key);
  };
  for (const policy of policies) {
    add(policy.podSelector?.selector.requirements);
    for (const rule of [...policy.ingress, ...policy.egress]) {
      for (const peer of rule.peers) add(peer.podSelector?.selector.requirements);
    }
  }
  return keys;
}

/** The identity a probe pod carries for `workload`: referenced keys only, never controller-managed ones. */
export function identityLabels(workload: Workload, keys: ReadonlySet<string>): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [key, value] of [...workload.labels].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (keys.has(key) && !CONTROLLER_MANAGED_KEYS.has(key)) labels[key] = value;
  }
  return labels;
}

/**
 * One port of `set` to probe on `destination`: a port its containers declare (in declaration
 * order, TCP first), else the lowest port of the set; undefined when the set is every port of
 * a protocol and the destination declares none.
 */
export function choosePort(set: PortSet, destination: Workload): PortChoice | undefined {
  for (const protocol of PROTOCOL_ORDER) {
    for (const declared of destination.ports) {
      if (declared.protocol === protocol && contains(set, protocol, declared.port))
        return { protocol, port: declared.port };
    }
  }
  for (const protocol of PROTOCOL_ORDER) {
    const intervals = set[protocol];
    if (intervals.length === 0) continue;
    const everything = intervals.length === 2 && intervals[0] === 1 && intervals[1] === 65535;
    if (!everything) return { protocol, port: intervals[0] };
  }
  return undefined;
}

function declaredPort(destination: Workload, port: PortChoice): boolean {
  return destination.ports.some((p) => p.protocol === port.protocol && p.port === port.port);
}

/**
 * The ports that matter between two workloads: one per rule of the policies isolating the
 * destination's ingress and the source's egress (resolved on the destination), ports the
 * destination declares first; the destination's declared ports when no policy isolates.
 */
export function portsThatMatter(index: ReachabilityIndex, source: Workload, destination: Workload): PortChoice[] {
  const found: PortChoice[] = [];
  const add = (choice: PortChoice | undefined) => {
    if (choice && !found.some((f) => f.protocol === choice.protocol && f.port === choice.port)) found.push(choice);
  };
  for (const policy of index.isolatingPolicies(destination, 'ingress')) {
    for (const rule of policy.ingress) add(choosePort(rulePorts(rule, destination), destination));
  }
  for (const policy of index.isolatingPolicies(source, 'egress')) {
    for (const rule of policy.egress) add(choosePort(rulePorts(rule, destination), destination));
  }
  if (found.length === 0) for (const port of declaredPorts(destination)) add(port);
  // Stable: declared ports first, then the others, each in rule order.
  return [...found.filter((p) => declaredPort(destination, p)), ...found.filter((p) => !declaredPort(destination, p))];
}

/**
 * The engine's prediction for one connection: whether the index's connection() contains
 * the port; and, from explain() (built on the same semantics), the deciding policies and rules.
 */
export function predict(
  index: ReachabilityIndex,
  source: Workload,
  destination: Workload,
  port: PortChoice,
): { predicted: 'allowed' | 'denied'; decidedBy: string; deciding: RuleRef[]; caveat?: string } {
  const allowed = contains(
    index.connection(workloadEndpoint(source), workloadEndpoint(destination)),
    port.protocol,
    port.port,
  );
  const explanation = explain(index, workloadEndpoint(source), workloadEndpoint(destination));
  const verdict = { ...verdictFor(explanation, port.protocol, port.port), allowed };
  const deciding: RuleRef[] = [];
  const portText = formatPort(port);
  const sides = [
    { side: explanation.egress, ok: verdict.egress, other: explanation.destination, toward: 'to' },
    { side: explanation.ingress, ok: verdict.ingress, other: explanation.source, toward: 'from' },
  ];
  if (verdict.allowed) {
    const parts: string[] = [];
    for (const { side } of sides) {
      if (side.isolatingPolicies.length === 0) continue;
      const rule = side.matchingRules.find((m) => contains(m.ports, port.protocol, port.port))?.rule;
      if (!rule) continue;
      deciding.push({ policy: rule.policy.id, direction: rule.direction, rule: rule.index + 1 });
      parts.push(`${rule.policy.id} ${rule.direction} rule ${rule.index + 1}`);
    }
    const decidedBy = parts.length
      ? `allowed by ${parts.join(' and ')}`
      : 'allowed: no NetworkPolicy isolates either side';
    // An ipBlock that allows the source by its pod IPs does not allow the probe pod's IP.
    const byAddress =
      explanation.ingress.isolatingPolicies.length > 0 &&
      explanation.ingress.matchingRules.every((m) => !contains(m.ports, port.protocol, port.port) || m.peer?.ipBlock);
    return {
      predicted: 'allowed',
      decidedBy,
      deciding,
      ...(byAddress ? { caveat: `an ipBlock allows ${source.id} by its pod IPs, and a probe pod has another IP` } : {}),
    };
  }
  const parts: string[] = [];
  for (const { side, ok, other, toward } of sides) {
    if (ok) continue;
    const policies = side.isolatingPolicies.map((p) => p.id);
    for (const id of policies) deciding.push({ policy: id, direction: side.direction });
    const self = describeEndpoint(side.endpoint);
    const header = side.direction === 'ingress' ? `ingress to ${self}` : `egress from ${self}`;
    const open = side.matchingRules.filter((m) => !isEmpty(m.ports));
    const only = open.length
      ? ` (its rules allow only ${describePorts(side.allowed)} ${toward} ${describeEndpoint(other)})`
      : '';
    parts.push(
      `${header} is isolated by ${policies.join(', ')} and no rule allows ${portText} ${toward} ${describeEndpoint(other)}${only}`,
    );
  }
  return { predicted: 'denied', decidedBy: `denied: ${parts.join('; ')}`, deciding };
}

interface Candidate {
  from: Workload;
  to: Workload;
  port: PortChoice;
  purpose: string;
}

/** Collects candidates in priority order, without duplicates. */
class Candidates {
  readonly list: Candidate[] = [];
  readonly skipped: { what: string; reason: string }[] = [];
  readonly notes: string[] = [];
  private readonly seen = new Set<string>();
  private readonly skippedSeen = new Set<string>();

  add(from: Workload, to: Workload, port: PortChoice | undefined, purpose: string): void {
    const what = `${from.id} -> ${to.id}`;
    if (from.hostNetwork)
      return this.skip(what, `${from.id} uses the host network; a probe pod cannot stand in for it`);
    const reason = notProbeable(to);
    if (reason) return this.skip(what, `${to.id} ${reason}`);
    if (!port) {
      return this.skip(
        what,
        `no port to probe: the rules allow every port and ${to.id} declares no container port (use --port)`,
      );
    }
    const key = `${from.id}\u0000${to.id}\u0000${port.protocol}/${port.port}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push({ from, to, port, purpose });
  }

  skip(what: string, reason: string): void {
    const key = `${what}\u0000${reason}`;
    if (this.skippedSeen.has(key)) return;
    this.skippedSeen.add(key);
    this.skipped.push({ what, reason });
  }
}

/** Workloads a rule's non-ipBlock peers match, per peer (a probe pod has another IP than the pods an ipBlock covers). */
function peerGroups(index: ReachabilityIndex, rule: Rule): { peer: Peer | undefined; workloads: Workload[] }[] {
  if (rule.anyPeer) return [{ peer: undefined, workloads: [...index.workspace.workloads].sort(byId) }];
  return rule.peers
    .filter((p) => !p.ipBlock)
    .map((peer) => ({ peer, workloads: index.peerWorkloads(rule, peer).sort(byId) }));
}

/** Same namespace first, then by id; never `avoid` unless nothing else. */
function preferred(workloads: readonly Workload[], namespace: string, avoid?: Workload): Workload[] {
  const sorted = [...workloads].sort(
    (a, b) => Number(a.namespace !== namespace) - Number(b.namespace !== namespace) || byId(a, b),
  );
  return [...sorted.filter((w) => w !== avoid), ...sorted.filter((w) => w === avoid)];
}

const MAX_DESTINATIONS_PER_POLICY = 3;
const MAX_PORTS_PER_PAIR = 3;
const PER_CLASS = 3;

function planPolicy(scopeIndex: ReachabilityIndex, policy: Policy, out: Candidates): void {
  const selected = scopeIndex.selectedWorkloads(policy).sort(byId);
  if (selected.length === 0) {
    out.skip(`NetworkPolicy ${policy.id}`, 'selects no pod in the cluster');
    return;
  }
  const all = [...scopeIndex.workspace.workloads].sort(byId);
  const eligibleSources = all.filter((w) => mayPickSource(w, policy.namespace));

  if (policy.isolatesIngress) {
    const destinations = selected.filter((w) => !notProbeable(w));
    for (const w of selected.filter((x) => notProbeable(x)))
      out.skip(`${w.id} (selected by ${policy.id})`, notProbeable(w)!);
    const chosen = destinations.slice(0, MAX_DESTINATIONS_PER_POLICY);
    if (destinations.length > chosen.length) {
      out.notes.push(
        `${policy.id} selects ${destinations.length} workloads; probing ${chosen.map((w) => w.id).join(', ')}`,
      );
    }
    const matched = new Set<Workload>();
    for (const rule of policy.ingress) for (const w of scopeIndex.ruleMatch(rule).workloads) matched.add(w);
    const rulePortsOn = (destination: Workload) =>
      policy.ingress
        .map((rule) => choosePort(rulePorts(rule, destination), destination))
        .filter((p): p is PortChoice => p !== undefined);
    for (const destination of chosen) {
      for (const rule of policy.ingress) {
        const port = choosePort(rulePorts(rule, destination), destination);
        for (const { workloads } of peerGroups(scopeIndex, rule)) {
          const candidates = preferred(
            workloads.filter((w) => !w.hostNetwork),
            policy.namespace,
            destination,
          );
          const source = candidates[0];
          if (!source) continue;
          out.add(source, destination, port, `allowed by ${policy.id} ingress rule ${rule.index + 1}`);
        }
        if (rule.peers.length > 0 && rule.peers.every((p) => p.ipBlock)) {
          out.skip(
            `${policy.id} ingress rule ${rule.index + 1}`,
            'allows only ipBlocks; sources outside the cluster are not probed',
          );
        }
      }
      // Outside what it allows: one source in its namespace, one elsewhere.
      const outside = eligibleSources.filter((w) => !matched.has(w) && w !== destination);
      const picks = [
        outside.find((w) => w.namespace === policy.namespace),
        outside.find((w) => w.namespace !== policy.namespace),
      ].filter((w): w is Workload => w !== undefined);
      let ports = rulePortsOn(destination);
      if (ports.length === 0) ports = declaredPorts(destination);
      for (const source of picks) {
        for (const port of uniquePorts(ports).slice(0, MAX_PORTS_PER_PAIR)) {
          out.add(source, destination, port, `outside what ${policy.id} allows`);
        }
        if (ports.length === 0) out.add(source, destination, undefined, `outside what ${policy.id} allows`);
      }
    }
  }

  if (policy.isolatesEgress) {
    const sources = selected.filter((w) => !w.hostNetwork).slice(0, 2);
    const matched = new Set<Workload>();
    for (const rule of policy.egress) for (const w of scopeIndex.ruleMatch(rule).workloads) matched.add(w);
    for (const source of sources) {
      for (const rule of policy.egress) {
        for (const { workloads } of peerGroups(scopeIndex, rule)) {
          const destinations = preferred(
            workloads.filter((w) => !notProbeable(w)),
            source.namespace,
            source,
          );
          const destination = destinations[0];
          if (destination) {
            out.add(
              source,
              destination,
              choosePort(rulePorts(rule, destination), destination),
              `allowed by ${policy.id} egress rule ${rule.index + 1}`,
            );
          }
        }
        if (rule.peers.length > 0 && rule.peers.every((p) => p.ipBlock)) {
          out.skip(
            `${policy.id} egress rule ${rule.index + 1}`,
            'allows only ipBlocks; destinations outside the cluster are not probed',
          );
        }
      }
      const outside = all.filter((w) => !matched.has(w) && w !== source && !notProbeable(w));
      const picks = [
        outside.find((w) => w.namespace === source.namespace),
        outside.find((w) => w.namespace !== source.namespace),
      ].filter((w): w is Workload => w !== undefined);
      for (const destination of picks) {
        out.add(
          source,
          destination,
          portsThatMatter(scopeIndex, source, destination)[0],
          `outside what ${policy.id} allows`,
        );
      }
    }
  }
}

/** The first port the destination's containers declare, per protocol. */
function declaredPorts(destination: Workload): PortChoice[] {
  const out: PortChoice[] = [];
  for (const protocol of PROTOCOL_ORDER) {
    const first = destination.ports.find((p) => p.protocol === protocol);
    if (first) out.push({ protocol, port: first.port });
  }
  return out;
}

function uniquePorts(ports: readonly PortChoice[]): PortChoice[] {
  const seen = new Set<string>();
  return ports.filter((p) => {
    const key = `${p.protocol}/${p.port}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Up to PER_CLASS peers predicted allowed and PER_CLASS predicted denied, same namespace first. */
function balanced(
  index: ReachabilityIndex,
  pairs: { from: Workload; to: Workload; port: PortChoice | undefined }[],
  namespace: string,
  purpose: (allowed: boolean) => string,
  out: Candidates,
  perClass = PER_CLASS,
): void {
  const ordered = [...pairs].sort((a, b) => {
    const pa = a.from.namespace === namespace && a.to.namespace === namespace;
    const pb = b.from.namespace === namespace && b.to.namespace === namespace;
    return Number(pb) - Number(pa) || byId(a.from, b.from) || byId(a.to, b.to);
  });
  const taken = { allowed: 0, denied: 0 };
  for (const pair of ordered) {
    if (!pair.port) {
      out.add(pair.from, pair.to, undefined, purpose(false));
      continue;
    }
    const allowed = predict(index, pair.from, pair.to, pair.port).predicted === 'allowed';
    const cls = allowed ? 'allowed' : 'denied';
    if (taken[cls] >= perClass) continue;
    taken[cls]++;
    out.add(pair.from, pair.to, pair.port, purpose(allowed));
  }
}

function planWorkload(index: ReachabilityIndex, workload: Workload, out: Candidates): void {
  const others = [...index.workspace.workloads].filter((w) => w !== workload).sort(byId);
  const reason = notProbeable(workload);
  if (reason) {
    out.skip(`connections to ${workload.id}`, `${workload.id} ${reason}`);
  } else {
    balanced(
      index,
      others
        .filter((w) => mayPickSource(w, workload.namespace))
        .map((from) => ({ from, to: workload, port: portsThatMatter(index, from, workload)[0] })),
      workload.namespace,
      (allowed) => (allowed ? `should reach ${workload.id}` : `should not reach ${workload.id}`),
      out,
    );
  }
  if (index.isolatingPolicies(workload, 'egress').length > 0 && !workload.hostNetwork) {
    balanced(
      index,
      others
        .filter((w) => !notProbeable(w))
        .map((to) => ({ from: workload, to, port: portsThatMatter(index, workload, to)[0] })),
      workload.namespace,
      (allowed) => (allowed ? `${workload.id} should reach it` : `${workload.id} should not reach it`),
      out,
    );
  }
}

function planPair(
  index: ReachabilityIndex,
  from: Workload | undefined,
  to: Workload | undefined,
  ports: readonly PortChoice[] | undefined,
  out: Candidates,
): void {
  const all = [...index.workspace.workloads].sort(byId);
  const portsFor = (s: Workload, d: Workload) => (ports?.length ? [...ports] : portsThatMatter(index, s, d));
  if (from && to) {
    const chosen = portsFor(from, to);
    if (chosen.length === 0) out.add(from, to, undefined, 'requested');
    for (const port of ports?.length ? chosen : chosen.slice(0, MAX_PORTS_PER_PAIR))
      out.add(from, to, port, 'requested');
    return;
  }
  if (from) {
    for (const to of all.filter((w) => w !== from)) {
      for (const port of ports?.length ? portsFor(from, to) : portsFor(from, to).slice(0, 1))
        out.add(from, to, port, `from ${from.id}`);
      if (!notProbeable(to) && !ports?.length && portsFor(from, to).length === 0)
        out.add(from, to, undefined, `from ${from.id}`);
    }
    return;
  }
  if (to) {
    for (const from of all.filter((w) => w !== to && mayPickSource(w, to.namespace))) {
      for (const port of ports?.length ? portsFor(from, to) : portsFor(from, to).slice(0, 1))
        out.add(from, to, port, `to ${to.id}`);
    }
  }
}

function planMatrix(
  index: ReachabilityIndex,
  members: Workload[],
  ports: readonly PortChoice[] | undefined,
  out: Candidates,
): void {
  for (const from of members) {
    if (from.hostNetwork) continue;
    for (const to of members) {
      if (to === from) continue;
      const chosen = ports?.length ? [...ports] : portsThatMatter(index, from, to).slice(0, 1);
      if (chosen.length === 0) out.add(from, to, undefined, 'matrix');
      for (const port of chosen) out.add(from, to, port, 'matrix');
    }
  }
}

/** How many workloads a matrix may take: k sources, k*(k-1) targets. */
function matrixSize(count: number, maxPods: number, maxTargets: number): number {
  const byTargets = Math.floor((1 + Math.sqrt(1 + 4 * maxTargets)) / 2);
  return Math.max(0, Math.min(count, maxPods, byTargets));
}

/** Round-robin over namespaces, so a capped matrix still spans them. */
function spread(workloads: Workload[]): Workload[] {
  const byNamespace = new Map<string, Workload[]>();
  for (const w of [...workloads].sort(byId)) {
    const list = byNamespace.get(w.namespace) ?? [];
    list.push(w);
    byNamespace.set(w.namespace, list);
  }
  const lists = [...byNamespace.values()];
  const out: Workload[] = [];
  for (let i = 0; out.length < workloads.length; i++) {
    for (const list of lists) if (i < list.length) out.push(list[i]);
  }
  return out;
}

function scopeTitle(scope: PlanScope): string {
  switch (scope.kind) {
    case 'policies':
      return scope.policies.length === 1
        ? `NetworkPolicy ${scope.policies[0].id}`
        : `${scope.policies.length} NetworkPolicies (${scope.policies.map((p) => p.id).join(', ')})`;
    case 'workload':
      return scope.workload.id;
    case 'pair':
      return `${scope.from?.id ?? 'every workload'} -> ${scope.to?.id ?? 'every workload'}`;
    case 'namespaces':
      return scope.title ?? `namespace${scope.namespaces.length === 1 ? '' : 's'} ${scope.namespaces.join(', ')}`;
    case 'cluster':
      return 'the cluster';
  }
}

export function planProbes(input: PlanInput): ProbePlan {
  const { index, scope } = input;
  const scopeIndex = input.scopeIndex ?? index;
  const maxPods = Math.max(1, input.options?.maxPods ?? DEFAULT_MAX_PODS);
  const maxTargets = Math.max(1, input.options?.maxTargets ?? DEFAULT_MAX_TARGETS);
  const ports = input.options?.ports;
  const out = new Candidates();

  switch (scope.kind) {
    case 'policies':
      for (const policy of scope.policies) {
        if (ports?.length) {
          // Fixed ports: the same sources, on the requested ports.
          const planned = new Candidates();
          planPolicy(scopeIndex, policy, planned);
          for (const c of planned.list) for (const port of ports) out.add(c.from, c.to, port, c.purpose);
          out.skipped.push(...planned.skipped);
          out.notes.push(...planned.notes);
        } else {
          planPolicy(scopeIndex, policy, out);
        }
      }
      break;
    case 'workload':
      if (ports?.length) planPair(index, undefined, scope.workload, ports, out);
      else planWorkload(index, scope.workload, out);
      break;
    case 'pair':
      planPair(index, scope.from, scope.to, ports, out);
      break;
    case 'namespaces':
    case 'cluster': {
      const wanted = scope.kind === 'namespaces' ? new Set(scope.namespaces) : undefined;
      const inScope = index.workspace.workloads.filter((w) =>
        wanted ? wanted.has(w.namespace) : !isSystemNamespace(w.namespace),
      );
      const candidates = spread(inScope.filter((w) => !w.hostNetwork && !notProbeable(w)));
      const k = matrixSize(candidates.length, maxPods, maxTargets);
      if (k < candidates.length) {
        out.notes.push(
          `the matrix is capped at ${k} of ${candidates.length} workloads (raise --max-pods, or name namespaces or workloads)`,
        );
      }
      for (const w of inScope.filter((x) => x.hostNetwork || notProbeable(x))) out.skip(w.id, notProbeable(w)!);
      planMatrix(index, candidates.slice(0, k), ports, out);
      if (scope.kind === 'cluster' && index.workspace.workloads.some((w) => isSystemNamespace(w.namespace))) {
        out.notes.push('system namespaces (kube-*) are left out of the whole-cluster matrix');
      }
      break;
    }
  }
  return assemble(index, scopeIndex, scope, out, maxPods, maxTargets);
}

function assemble(
  index: ReachabilityIndex,
  scopeIndex: ReachabilityIndex,
  scope: PlanScope,
  out: Candidates,
  maxPods: number,
  maxTargets: number,
): ProbePlan {
  const keys = referencedLabelKeys([
    ...index.workspace.policies,
    ...(scopeIndex === index ? [] : scopeIndex.workspace.policies),
  ]);
  const notes = [...out.notes];
  const carried = [MANAGED_BY_LABEL, RUN_ID_LABEL].filter((k) => keys.has(k));
  const identityCaveat = carried.length
    ? `a NetworkPolicy selects on ${carried.join(' and ')}, which every probe pod carries with its own value`
    : undefined;
  if (identityCaveat) notes.push(`${identityCaveat}: disagreements are reported as inconclusive`);
  const sources = new Map<
    string,
    {
      id: string;
      namespace: string;
      labels: Record<string, string>;
      workloads: string[];
      targets: ProbeSource['targets'];
    }
  >();
  const checks: PlannedCheck[] = [];
  let droppedForPods = 0;
  let droppedForTargets = 0;
  for (const candidate of out.list) {
    const labels = identityLabels(candidate.from, keys);
    const key = `${candidate.from.namespace}\u0000${JSON.stringify(labels)}`;
    let source = sources.get(key);
    if (!source) {
      if (sources.size >= maxPods) {
        droppedForPods++;
        continue;
      }
      source = { id: candidate.from.id, namespace: candidate.from.namespace, labels, workloads: [], targets: [] };
    }
    if (checks.length >= maxTargets) {
      droppedForTargets++;
      continue;
    }
    sources.set(key, source);
    if (!source.workloads.includes(candidate.from.id)) source.workloads.push(candidate.from.id);
    const target = representativePod(candidate.to)!;
    const prediction = predict(index, candidate.from, candidate.to, candidate.port);
    const caveat = prediction.caveat ?? identityCaveat;
    const id = `c${checks.length + 1}`;
    let filesPredict: 'allowed' | 'denied' | undefined;
    if (scopeIndex !== index) {
      const ports = scopeIndex.connection(workloadEndpoint(candidate.from), workloadEndpoint(candidate.to));
      const files = contains(ports, candidate.port.protocol, candidate.port.port) ? 'allowed' : 'denied';
      if (files !== prediction.predicted) filesPredict = files;
    }
    checks.push({
      id,
      from: candidate.from,
      to: candidate.to,
      protocol: candidate.port.protocol,
      port: candidate.port.port,
      target,
      ...prediction,
      purpose: candidate.purpose,
      ...(filesPredict ? { filesPredict } : {}),
      ...(caveat ? { caveat } : {}),
    });
    source.targets.push({ id, proto: candidate.port.protocol, ip: target.ip, port: candidate.port.port });
  }
  if (droppedForPods)
    notes.push(
      `${droppedForPods} connections left out: the plan reached its cap of ${maxPods} probe pods (--max-pods)`,
    );
  if (droppedForTargets)
    notes.push(`${droppedForTargets} connections left out: the plan reached its cap of ${maxTargets} connections`);
  const planned = [...sources.values()];
  return {
    scope: scopeTitle(scope),
    checks,
    sources: planned.map(({ id, namespace, labels, workloads }) => ({ id, namespace, labels, workloads })),
    run: { sources: planned.map(({ id, namespace, labels, targets }) => ({ id, namespace, labels, targets })) },
    skipped: out.skipped,
    notes,
  };
}
