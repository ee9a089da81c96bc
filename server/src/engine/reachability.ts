/**
 * The reachability index: which pods each policy selects, what each rule's peers match,
 * and the allowed connections between every pair of workloads and external IP ranges.
 *
 * Built for large workspaces. Workloads with the same namespace, labels and named ports
 * (and, when ipBlocks match pods, the same pod IPs) behave identically, so they form one
 * group and every selector is evaluated once per group, with results cached per
 * selector. A destination's ingress depends only on the policies that select it (and its
 * named ports), a source's egress only on the policies that select it, so both are
 * computed once per distinct set of policies, as dense arrays of interned port sets.
 * A connection needs the source's egress and the destination's ingress: their
 * intersection.
 */
import { createBitset, forEachBit, setBit, type Bitset } from './bitset';
import { formatRange, partition, type IpFamily, type IpRange } from './ip';
import { selectorMatches, type Labels, type Selector } from './labels';
import type { Direction, Peer, Policy, Rule, Workload } from './model';
import { PortSetTable, type PortSet } from './ports';
import { DEFAULT_OPTIONS, hasNamedPorts, ipBlockCoversWorkload, rulePorts, type AnalysisOptions } from './semantics';
import type { Workspace } from './workspace';

export type Endpoint =
  { readonly kind: 'workload'; readonly workload: Workload } | { readonly kind: 'ip'; readonly range: IpRange };

export function endpointName(endpoint: Endpoint): string {
  return endpoint.kind === 'workload' ? endpoint.workload.id : `${formatRange(endpoint.range)}[External]`;
}

interface Group {
  readonly index: number;
  /** Namespace, labels, named ports (and pod IPs when they count): what makes workloads alike. */
  readonly key: string;
  readonly namespace: string;
  readonly labels: Labels;
  readonly representative: Workload;
  readonly workloads: Workload[];
  /** Named ports (name/protocol/number): all that rule ports depend on. */
  readonly portSignature: string;
}

/** What one rule's peers match. */
export interface RuleMatch {
  readonly workloads: readonly Workload[];
  /** IP ranges matched (cidr minus except), merged over the rule's ipBlock peers; everything when any peer. */
  readonly ipRanges: readonly IpRange[];
  readonly anyPeer: boolean;
}

export class ReachabilityIndex {
  readonly options: AnalysisOptions;
  readonly portSets = new PortSetTable();
  readonly groups: readonly Group[];
  /**
   * The same object as the previous index's (see the constructor) while the groups are
   * the same, workload for workload: what is computed from the groups alone can be kept
   * with it across edits.
   */
  readonly groupsToken: object;
  /** Pieces of the IP space that ingress ipBlocks tell apart (external sources). */
  readonly sourcePieces: readonly IpRange[];
  /** Pieces of the IP space that egress ipBlocks tell apart (external destinations). */
  readonly destinationPieces: readonly IpRange[];

  private readonly groupOf = new Map<Workload, Group>();
  private readonly groupsByNamespace = new Map<string, number[]>();
  private readonly groupsWithAddresses: number[] = [];
  private readonly policyNumber = new Map<Policy, number>();
  private readonly selection = new Map<Policy, Bitset>();
  private readonly isolating: { ingress: Policy[][]; egress: Policy[][] };
  private readonly rulePeers = new Map<Rule, { groups: Bitset; pieces: number[] }>();
  /** Per namespace: the groups each pod selector (by key) selects there. */
  private readonly selectorCache = new Map<string, Map<string, number[]>>();
  private readonly namespaceSelectorCache: Map<string, string[]>;
  /** What the IP partitions are cut from: equal keys, equal pieces. */
  private readonly partitionKeys: { readonly ingress: string; readonly egress: string };
  private readonly rulePortCache = new Map<Rule, number | Map<string, number>>();
  private readonly columns = new Map<string, Int32Array>();
  private readonly rows = new Map<string, Int32Array>();
  /** ingressColumn / egressRow by group index (null: not isolated; absent: not asked yet). */
  private readonly columnOfGroup: (Int32Array | null)[] = [];
  private readonly rowOfGroup: (Int32Array | null)[] = [];

  /**
   * `previous`: the index of the workspace before an edit. What did not change is taken
   * from it (the groups of a namespace whose workloads are alike as before, the
   * namespaces a namespace selector matches, the peers of a rule object seen before),
   * and the answers are the same as without it.
   */
  constructor(
    readonly workspace: Workspace,
    options: Partial<AnalysisOptions> = {},
    previous?: ReachabilityIndex,
  ) {
    this.options = { ...DEFAULT_OPTIONS, ...options };
    this.groups = this.groupWorkloads();
    workspace.policies.forEach((p, i) => this.policyNumber.set(p, i));
    const reuse =
      previous && previous.options.ipBlockMatchesPods === this.options.ipBlockMatchesPods ? previous : undefined;
    this.namespaceSelectorCache = reuse && this.sameNamespaces(reuse) ? reuse.namespaceSelectorCache : new Map();
    if (reuse) {
      for (const [namespace, groups] of this.groupsByNamespace) {
        const before = reuse.groupsByNamespace.get(namespace);
        const cache = reuse.selectorCache.get(namespace);
        if (cache && before && sameGroups(this.groups, groups, reuse.groups, before))
          this.selectorCache.set(namespace, cache);
      }
    }

    // The same groups, index for index: a policy object seen before selects the same ones.
    const groupsBefore =
      reuse && this.groups.length === reuse.groups.length && this.groups.every((g, i) => g.key === reuse.groups[i].key)
        ? reuse
        : undefined;
    this.groupsToken =
      groupsBefore &&
      this.groups.every((g, i) => {
        const before = groupsBefore.groups[i].workloads;
        return g.workloads.length === before.length && g.workloads.every((w, j) => w === before[j]);
      })
        ? groupsBefore.groupsToken
        : {};
    const ingress: Policy[][] = this.groups.map(() => []);
    const egress: Policy[][] = this.groups.map(() => []);
    for (const policy of workspace.policies) {
      const selected = this.selectInNamespace(policy.podSelector?.selector, policy.namespace);
      const before = groupsBefore?.selection.get(policy);
      const bits = before ?? createBitset(this.groups.length);
      for (const g of selected) {
        if (!before) setBit(bits, g);
        if (policy.isolatesIngress) ingress[g].push(policy);
        if (policy.isolatesEgress) egress[g].push(policy);
      }
      this.selection.set(policy, bits);
    }
    this.isolating = { ingress, egress };

    this.partitionKeys = { ingress: this.partitionKey('ingress'), egress: this.partitionKey('egress') };
    this.sourcePieces =
      reuse?.partitionKeys.ingress === this.partitionKeys.ingress ? reuse.sourcePieces : this.ipPartition('ingress');
    this.destinationPieces =
      reuse?.partitionKeys.egress === this.partitionKeys.egress ? reuse.destinationPieces : this.ipPartition('egress');
    // A rule matches the same peers as before when every group, namespace and piece is as before.
    const peersBefore =
      groupsBefore &&
      this.namespaceSelectorCache === groupsBefore.namespaceSelectorCache &&
      this.sourcePieces === groupsBefore.sourcePieces &&
      this.destinationPieces === groupsBefore.destinationPieces
        ? groupsBefore.rulePeers
        : undefined;
    for (const policy of workspace.policies) {
      for (const rule of policy.ingress)
        this.rulePeers.set(rule, peersBefore?.get(rule) ?? this.matchRule(rule, this.sourcePieces));
      for (const rule of policy.egress)
        this.rulePeers.set(rule, peersBefore?.get(rule) ?? this.matchRule(rule, this.destinationPieces));
    }
  }

  // ---------------------------------------------------------------- queries

  /** The workloads a policy selects (whatever its policyTypes). */
  selectedWorkloads(policy: Policy): Workload[] {
    const bits = this.selection.get(policy);
    return bits ? this.workloadsOf(bits) : [];
  }

  /** The policies that select the workload and isolate it in the direction. */
  isolatingPolicies(workload: Workload, direction: Direction): readonly Policy[] {
    const group = this.groupOf.get(workload);
    return group ? this.isolating[direction][group.index] : [];
  }

  /** The workloads and IP ranges a rule's peers match. */
  ruleMatch(rule: Rule): RuleMatch {
    const peers = this.rulePeers.get(rule);
    const pieces = rule.direction === 'ingress' ? this.sourcePieces : this.destinationPieces;
    return {
      workloads: peers ? this.workloadsOf(peers.groups) : [],
      ipRanges: peers ? mergeRanges(peers.pieces.map((i) => pieces[i])) : [],
      anyPeer: rule.anyPeer,
    };
  }

  /** The workloads one peer matches (the peer of `rule`). */
  peerWorkloads(rule: Rule, peer: Peer): Workload[] {
    const bits = createBitset(this.groups.length);
    for (const g of this.matchPeer(rule.policy, peer)) setBit(bits, g);
    return this.workloadsOf(bits);
  }

  /** The connections allowed from `source` to `destination`: egress at one, ingress at the other. */
  connection(source: Endpoint, destination: Endpoint): PortSet {
    return this.portSets.get(this.connectionId(source, destination));
  }

  connectionId(source: Endpoint, destination: Endpoint): number {
    const table = this.portSets;
    if (source.kind === 'ip' && destination.kind === 'ip') return table.none; // not governed by policies
    if (source.kind === 'workload' && destination.kind === 'workload') {
      // A workload with itself too: policies govern the traffic between its pods (replicas).
      return this.groupConnection(
        this.groupOf.get(source.workload)!.index,
        this.groupOf.get(destination.workload)!.index,
      );
    }
    if (source.kind === 'ip' && destination.kind === 'workload') {
      const d = this.groupOf.get(destination.workload)!.index;
      const column = this.ingressColumn(d);
      if (!column) return table.all;
      let result: number | undefined;
      for (const piece of piecesWithin(this.sourcePieces, source.range)) {
        const id = column[this.groups.length + piece];
        result = result === undefined ? id : table.intersect(result, id);
      }
      return result ?? this.anyPeerPorts('ingress', d);
    }
    if (source.kind === 'workload' && destination.kind === 'ip') {
      const s = this.groupOf.get(source.workload)!.index;
      const row = this.egressRow(s);
      if (!row) return table.all;
      let result: number | undefined;
      for (const piece of piecesWithin(this.destinationPieces, destination.range)) {
        const id = row[this.groups.length + piece];
        result = result === undefined ? id : table.intersect(result, id);
      }
      return result ?? this.anyPeerPorts('egress', s);
    }
    return table.none;
  }

  /**
   * Every directed pair with a non-empty set of allowed connections, sorted by source
   * name then destination name: workload pairs, external sources toward workloads and
   * workloads toward external destinations. No self pairs and no IP-to-IP pairs.
   */
  forEachConnection(visit: (source: Endpoint, destination: Endpoint, portSetId: number) => void): void {
    const G = this.groups.length;
    const workloads = [...this.workspace.workloads].sort((a, b) => compare(a.id, b.id));
    if (workloads.length === 0) return;
    const sources: Endpoint[] = [
      ...workloads.map((workload) => ({ kind: 'workload' as const, workload })),
      ...this.sourcePieces.map((range) => ({ kind: 'ip' as const, range })),
    ].sort((a, b) => compare(endpointName(a), endpointName(b)));
    const destinations: Endpoint[] = [
      ...workloads.map((workload) => ({ kind: 'workload' as const, workload })),
      ...this.destinationPieces.map((range) => ({ kind: 'ip' as const, range })),
    ].sort((a, b) => compare(endpointName(a), endpointName(b)));
    const sourcePieceIndex = new Map(this.sourcePieces.map((r, i) => [r, i]));
    const destinationPieceIndex = new Map(this.destinationPieces.map((r, i) => [r, i]));
    const table = this.portSets;
    // Per destination, once: its group (-1 for an IP piece), ingress column, or slot in a row.
    const destinationGroup = destinations.map((e) =>
      e.kind === 'workload' ? this.groupOf.get(e.workload)!.index : -1,
    );
    const destinationColumn = destinationGroup.map((g) => (g >= 0 ? this.ingressColumn(g) : undefined));
    const destinationSlot = destinations.map((e) => (e.kind === 'ip' ? G + destinationPieceIndex.get(e.range)! : -1));

    for (const source of sources) {
      if (source.kind === 'ip') {
        const column = G + sourcePieceIndex.get(source.range)!;
        for (let i = 0; i < destinations.length; i++) {
          if (destinationGroup[i] < 0) continue;
          const ingress = destinationColumn[i];
          const id = ingress ? ingress[column] : table.all;
          if (id !== table.none) visit(source, destinations[i], id);
        }
        continue;
      }
      const s = this.groupOf.get(source.workload)!.index;
      const row = this.egressRow(s);
      for (let i = 0; i < destinations.length; i++) {
        const destination = destinations[i];
        const d = destinationGroup[i];
        let id: number;
        if (d < 0) {
          id = row ? row[destinationSlot[i]] : table.all;
        } else {
          if (destination.kind === 'workload' && destination.workload === source.workload) continue;
          const egress = row ? row[d] : table.all;
          if (egress === table.none) continue;
          const column = destinationColumn[i];
          id = column ? table.intersect(egress, column[s]) : egress;
        }
        if (id !== table.none) visit(source, destination, id);
      }
    }
  }

  // ---------------------------------------------------------------- building

  private groupWorkloads(): Group[] {
    const groups: Group[] = [];
    const byKey = new Map<string, Group>();
    for (const workload of this.workspace.workloads) {
      const { key, named, addresses } = groupKeyOf(workload, this.options.ipBlockMatchesPods);
      let group = byKey.get(key);
      if (!group) {
        group = {
          index: groups.length,
          key,
          namespace: workload.namespace,
          labels: workload.labels,
          representative: workload,
          workloads: [],
          portSignature: named,
        };
        groups.push(group);
        byKey.set(key, group);
        const inNamespace = this.groupsByNamespace.get(workload.namespace);
        if (inNamespace) inNamespace.push(group.index);
        else this.groupsByNamespace.set(workload.namespace, [group.index]);
        if (addresses) this.groupsWithAddresses.push(group.index);
      }
      group.workloads.push(workload);
      this.groupOf.set(workload, group);
    }
    return groups;
  }

  private namespaceLabels(name: string): Labels {
    return this.workspace.namespaces.get(name)?.labels ?? new Map([['kubernetes.io/metadata.name', name]]);
  }

  /** The same namespaces with groups, in the same order, with the same labels, as in `other`. */
  private sameNamespaces(other: ReachabilityIndex): boolean {
    if (this.groupsByNamespace.size !== other.groupsByNamespace.size) return false;
    const mine = [...this.groupsByNamespace.keys()];
    const theirs = [...other.groupsByNamespace.keys()];
    return mine.every((ns, i) => ns === theirs[i] && sameLabels(this.namespaceLabels(ns), other.namespaceLabels(ns)));
  }

  /** Groups of one namespace matched by a pod selector (absent: all). Cached per selector. */
  private selectInNamespace(selector: Selector | undefined, namespace: string): number[] {
    const candidates = this.groupsByNamespace.get(namespace) ?? [];
    if (!selector || selector.requirements.length === 0) return candidates;
    let cache = this.selectorCache.get(namespace);
    if (!cache) this.selectorCache.set(namespace, (cache = new Map()));
    let result = cache.get(selector.key);
    if (!result) {
      result = candidates.filter((g) => selectorMatches(selector, this.groups[g].labels));
      cache.set(selector.key, result);
    }
    return result;
  }

  private namespacesMatching(selector: Selector): string[] {
    let result = this.namespaceSelectorCache.get(selector.key);
    if (!result) {
      result = [...this.groupsByNamespace.keys()].filter((ns) => selectorMatches(selector, this.namespaceLabels(ns)));
      this.namespaceSelectorCache.set(selector.key, result);
    }
    return result;
  }

  private matchPeer(policy: Policy, peer: Peer): number[] {
    if (peer.ipBlock) {
      if (peer.podSelector || peer.namespaceSelector || !this.options.ipBlockMatchesPods) return [];
      return this.groupsWithAddresses.filter((g) => ipBlockCoversWorkload(peer, this.groups[g].representative));
    }
    const namespaces = peer.namespaceSelector
      ? this.namespacesMatching(peer.namespaceSelector.selector)
      : [policy.namespace];
    return namespaces.flatMap((ns) => this.selectInNamespace(peer.podSelector?.selector, ns));
  }

  private matchRule(rule: Rule, pieces: readonly IpRange[]): { groups: Bitset; pieces: number[] } {
    const groups = createBitset(this.groups.length);
    if (rule.anyPeer) {
      for (let g = 0; g < this.groups.length; g++) setBit(groups, g);
      return { groups, pieces: pieces.map((_, i) => i) };
    }
    const matchedPieces = new Set<number>();
    for (const peer of rule.peers) {
      for (const g of this.matchPeer(rule.policy, peer)) setBit(groups, g);
      if (peer.ipBlock && !peer.podSelector && !peer.namespaceSelector) {
        pieces.forEach((piece, i) => {
          if (
            peer.ipBlock!.ranges.some((r) => r.family === piece.family && r.start <= piece.start && piece.end <= r.end)
          ) {
            matchedPieces.add(i);
          }
        });
      }
    }
    return { groups, pieces: [...matchedPieces].sort((a, b) => a - b) };
  }

  /** The ipBlock ranges `ipPartition` cuts at, as text (cached per policy object). */
  private partitionKey(direction: Direction): string {
    let key = '';
    for (const policy of this.workspace.policies) {
      let keys = partitionKeys.get(policy);
      if (!keys) {
        const of = (d: Direction) =>
          policyBlockRanges(policy, d)
            .map((r) => `${r.family}:${r.start}-${r.end}`)
            .join(',');
        partitionKeys.set(policy, (keys = { ingress: of('ingress'), egress: of('egress') }));
      }
      if (keys[direction]) key += `${keys[direction]};`;
    }
    return key;
  }

  /**
   * External peers are pieces of the address space cut at the edges of every ipBlock of
   * the direction, in every policy (even one that selects nothing), so each ipBlock is a
   * union of whole pieces.
   */
  private ipPartition(direction: Direction): IpRange[] {
    const ranges: IpRange[] = [];
    for (const policy of this.workspace.policies) ranges.push(...policyBlockRanges(policy, direction));
    const families: IpFamily[] = ranges.some((r) => r.family === 6) ? [4, 6] : [4];
    return partition(ranges, families);
  }

  private rulePortsId(rule: Rule, destination: Group | undefined): number {
    const cached = this.rulePortCache.get(rule);
    if (typeof cached === 'number') return cached;
    if (!hasNamedPorts(rule)) {
      const id = this.portSets.intern(rulePorts(rule, undefined));
      this.rulePortCache.set(rule, id);
      return id;
    }
    let byPorts = cached;
    if (!byPorts) {
      byPorts = new Map();
      this.rulePortCache.set(rule, byPorts);
    }
    const signature = destination ? destination.portSignature : '';
    let id = byPorts.get(signature);
    if (id === undefined) {
      id = this.portSets.intern(rulePorts(rule, destination?.representative));
      byPorts.set(signature, id);
    }
    return id;
  }

  /** Allowed ingress into group `d` from each group, then each source piece; undefined: not isolated. */
  private ingressColumn(d: number): Int32Array | undefined {
    let column = this.columnOfGroup[d];
    if (column === undefined) this.columnOfGroup[d] = column = this.computeIngressColumn(d) ?? null;
    return column ?? undefined;
  }

  private computeIngressColumn(d: number): Int32Array | undefined {
    const policies = this.isolating.ingress[d];
    if (policies.length === 0) return undefined;
    const named = policies.some((p) => p.ingress.some(hasNamedPorts));
    const signature =
      policies.map((p) => this.policyNumber.get(p)).join(',') + (named ? `|${this.groups[d].portSignature}` : '');
    let column = this.columns.get(signature);
    if (column) return column;
    const G = this.groups.length;
    const table = this.portSets;
    column = new Int32Array(G + this.sourcePieces.length).fill(table.none);
    const target = column;
    for (const policy of policies) {
      for (const rule of policy.ingress) {
        const ports = this.rulePortsId(rule, this.groups[d]);
        if (ports === table.none) continue;
        const peers = this.rulePeers.get(rule)!;
        forEachBit(peers.groups, (g) => {
          target[g] = table.union(target[g], ports);
        });
        for (const piece of peers.pieces) target[G + piece] = table.union(target[G + piece], ports);
      }
    }
    this.columns.set(signature, column);
    return column;
  }

  /** Allowed egress from group `s` to each group, then each destination piece; undefined: not isolated. */
  private egressRow(s: number): Int32Array | undefined {
    let row = this.rowOfGroup[s];
    if (row === undefined) this.rowOfGroup[s] = row = this.computeEgressRow(s) ?? null;
    return row ?? undefined;
  }

  private computeEgressRow(s: number): Int32Array | undefined {
    const policies = this.isolating.egress[s];
    if (policies.length === 0) return undefined;
    const signature = policies.map((p) => this.policyNumber.get(p)).join(',');
    let row = this.rows.get(signature);
    if (row) return row;
    const G = this.groups.length;
    const table = this.portSets;
    row = new Int32Array(G + this.destinationPieces.length).fill(table.none);
    const target = row;
    for (const policy of policies) {
      for (const rule of policy.egress) {
        const peers = this.rulePeers.get(rule)!;
        if (hasNamedPorts(rule)) {
          // Named ports resolve on each destination.
          forEachBit(peers.groups, (g) => {
            target[g] = table.union(target[g], this.rulePortsId(rule, this.groups[g]));
          });
        } else {
          const ports = this.rulePortsId(rule, undefined);
          if (ports === table.none) continue;
          forEachBit(peers.groups, (g) => {
            target[g] = table.union(target[g], ports);
          });
        }
        const external = this.rulePortsId(rule, undefined);
        for (const piece of peers.pieces) target[G + piece] = table.union(target[G + piece], external);
      }
    }
    this.rows.set(signature, row);
    return row;
  }

  /**
   * What group `g` allows from (ingress) or to (egress) an address of a family that no ipBlock of
   * that direction mentions (so it lies in no piece): only rules without peers match it.
   */
  private anyPeerPorts(direction: Direction, g: number): number {
    let result = this.portSets.none;
    for (const policy of this.isolating[direction][g]) {
      for (const rule of direction === 'ingress' ? policy.ingress : policy.egress) {
        if (rule.anyPeer)
          result = this.portSets.union(
            result,
            this.rulePortsId(rule, direction === 'ingress' ? this.groups[g] : undefined),
          );
      }
    }
    return result;
  }

  private groupConnection(s: number, d: number): number {
    const row = this.egressRow(s);
    const column = this.ingressColumn(d);
    const egress = row ? row[d] : this.portSets.all;
    const ingress = column ? column[s] : this.portSets.all;
    return this.portSets.intersect(egress, ingress);
  }

  private workloadsOf(bits: Bitset): Workload[] {
    const result: Workload[] = [];
    forEachBit(bits, (g) => result.push(...this.groups[g].workloads));
    return result;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The ranges (cidr minus except) of a policy's ipBlock peers in one direction, every
 * policy's (even one that selects nothing), so each ipBlock is a union of whole pieces.
 */
function policyBlockRanges(policy: Policy, direction: Direction): IpRange[] {
  const ranges: IpRange[] = [];
  for (const rule of direction === 'ingress' ? policy.ingress : policy.egress) {
    for (const peer of rule.peers) {
      if (peer.ipBlock && !peer.podSelector && !peer.namespaceSelector && peer.ipBlock.cidr) {
        // cidr minus except, as contiguous ranges.
        ranges.push(...peer.ipBlock.ranges);
      }
    }
  }
  return ranges;
}

const partitionKeys = new WeakMap<Policy, { readonly ingress: string; readonly egress: string }>();

interface GroupKey {
  readonly key: string;
  /** The named ports, `name/protocol/number`, sorted. */
  readonly named: string;
  /** The pod IPs when they count, sorted; empty otherwise. */
  readonly addresses: string;
}

/** Group keys per workload object (a workload of an unchanged file is the same object after an edit). */
const groupKeys = [new WeakMap<Workload, GroupKey>(), new WeakMap<Workload, GroupKey>()];

function groupKeyOf(workload: Workload, withAddresses: boolean): GroupKey {
  const cache = groupKeys[withAddresses ? 1 : 0];
  let result = cache.get(workload);
  if (!result) {
    const labels = [...workload.labels].sort(([a], [b]) => compare(a, b));
    const named = workload.ports
      .filter((p) => p.name !== undefined)
      .map((p) => `${p.name}/${p.protocol}/${p.port}`)
      .sort()
      .join(',');
    const addresses =
      withAddresses && workload.addresses.length > 0
        ? workload.addresses
            .map((a) => a.text)
            .sort()
            .join(',')
        : '';
    const key = `${workload.namespace}\u0000${labels.map(([k, v]) => `${k}=${v}`).join('\u0001')}\u0000${named}\u0000${addresses}`;
    result = { key, named, addresses };
    cache.set(workload, result);
  }
  return result;
}

/** Groups `mine` of this index are those `theirs` of the other, index for index. */
function sameGroups(
  groups: readonly Group[],
  mine: readonly number[],
  others: readonly Group[],
  theirs: readonly number[],
): boolean {
  return mine.length === theirs.length && mine.every((g, i) => g === theirs[i] && groups[g].key === others[g].key);
}

function sameLabels(a: Labels, b: Labels): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

/** Indices of the pieces that overlap `range`. */
function piecesWithin(pieces: readonly IpRange[], range: IpRange): number[] {
  const result: number[] = [];
  pieces.forEach((piece, i) => {
    if (piece.family === range.family && piece.start <= range.end && range.start <= piece.end) result.push(i);
  });
  return result;
}

function mergeRanges(ranges: readonly IpRange[]): IpRange[] {
  const sorted = [...ranges].sort(
    (a, b) => a.family - b.family || (a.start < b.start ? -1 : a.start > b.start ? 1 : 0),
  );
  const merged: IpRange[] = [];
  for (const range of sorted) {
    const last = merged[merged.length - 1];
    if (last && last.family === range.family && range.start <= last.end + 1n) {
      if (range.end > last.end) merged[merged.length - 1] = { ...last, end: range.end };
    } else {
      merged.push(range);
    }
  }
  return merged;
}
