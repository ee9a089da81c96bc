/**
 * ipBlock checks (NR060-NR064): address blocks whose meaning depends on the network
 * plugin or on address translation: blocks over pod IPs, `0.0.0.0/0` that also covers
 * the cluster's private ranges and the cloud metadata endpoint, sources rewritten by
 * Services, and ClusterIPs matched before or after DNAT.
 */
import { isSeq, type Node } from 'yaml';
import { appendToSequence, columnOf, lineEndOf, pairIn, rangeOf } from '../edits';
import type { Fix, TextEdit } from '../findings';
import { cidrRange, parseIp, type IpFamily, type IpRange } from '../ip';
import { CONTROLLER_MANAGED_KEYS, NAMESPACE_NAME_LABEL } from '../labels';
import type { IpBlock, Peer, Policy, Rule, Service, Workload } from '../model';
import type { Check } from './context';
import { PRIVATE_RANGES } from './dns';
import { addPair, commentsIn, mapAt, pairAt, pairLines, styleOf, yamlScalar, type YamlValue } from './yamlFix';

const PRIVATE_TEXT = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];
const METADATA_TEXT = '169.254.169.254/32';
const METADATA = parseIp('169.254.169.254')!;

interface BlockPeer {
  readonly policy: Policy;
  readonly rule: Rule;
  readonly peer: Peer;
  readonly block: IpBlock;
}

/** Every ipBlock peer (alone, as the API requires) whose cidr parses. */
function* blockPeers(policies: readonly Policy[]): Generator<BlockPeer> {
  for (const policy of policies) {
    for (const rule of [...policy.ingress, ...policy.egress]) {
      for (const peer of rule.peers) {
        const block = peer.ipBlock;
        if (!block || !block.cidr || peer.podSelector || peer.namespaceSelector) continue;
        yield { policy, rule, peer, block };
      }
    }
  }
}

function isWholeSpace(block: IpBlock): boolean {
  return block.cidr !== undefined && block.cidr.prefix === 0;
}

function exceptCovers(block: IpBlock, range: IpRange): boolean {
  return block.except.some((e) => {
    if (!e.cidr || e.cidr.family !== range.family) return false;
    const r = cidrRange(e.cidr);
    return r.start <= range.start && range.end <= r.end;
  });
}

/** Adds entries to `except` (creating it when absent), in one edit. */
function addExceptFix(bp: BlockPeer, entries: readonly string[], title: string, preferred: boolean): Fix[] {
  const file = bp.policy.object.file;
  const map = mapAt(file, bp.block.span);
  if (!map) return [];
  const except = pairIn(map, 'except');
  let edit: TextEdit | undefined;
  if (except && isSeq(except.value) && except.value.items.length > 0 && !except.value.flow) {
    const seq = except.value;
    const last = seq.items[seq.items.length - 1] as Node;
    const end = lineEndOf(file.text, rangeOf(last)![1] - 1);
    const indent = ' '.repeat(columnOf(file.text, seq.range![0]));
    edit = { uri: file.uri, start: end, end, text: entries.map((e) => `\n${indent}- ${yamlScalar(e)}`).join('') };
  } else if (except && isSeq(except.value)) {
    edit = appendToSequence(file, except.value, entries.map((e) => yamlScalar(e)).join(', '));
  } else if (!except) {
    edit = addPair(file, map, 'except', [...entries], bp.block.span.start);
  }
  return edit ? [{ title, edits: [edit], preferred }] : [];
}

/**
 * Replaces the `ipBlock:` pair of a peer with selectors of the given pods (and their
 * namespace when it is not the policy's).
 */
function replaceWithSelectorsFix(
  bp: BlockPeer,
  namespace: string,
  labels: Record<string, string>,
  title: string,
  preferred: boolean,
): Fix[] {
  if (Object.keys(labels).length === 0) return [];
  const file = bp.policy.object.file;
  const located = pairAt(file, bp.block.span);
  if (!located || located.map.flow) return [];
  const range = rangeOf(located.pair);
  if (!range) return [];
  const indent = ' '.repeat(columnOf(file.text, range[0]));
  const style = styleOf(file);
  const lines: string[] = [];
  if (namespace !== bp.policy.namespace)
    lines.push(...pairLines('namespaceSelector', { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } }, style));
  lines.push(...pairLines('podSelector', { matchLabels: labels } as YamlValue, style));
  let end = range[1];
  while (end > range[0] && /\s/.test(file.text[end - 1])) end--;
  // Comments inside the replaced ipBlock stay, on the first new line.
  const comments = commentsIn(file.text.slice(range[0], end));
  if (comments.length > 0) lines[0] += ` ${comments.join(' ')}`;
  return [
    {
      title,
      edits: [
        { uri: file.uri, start: range[0], end, text: lines.map((l, i) => (i === 0 ? l : indent + l)).join('\n') },
      ],
      preferred,
    },
  ];
}

function podLabels(workload: Workload): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of workload.labels) if (!CONTROLLER_MANAGED_KEYS.has(k)) labels[k] = v;
  return labels;
}

interface Located<T> {
  readonly family: IpFamily;
  readonly value: bigint;
  readonly text: string;
  readonly item: T;
}

/** Addresses sorted per family, for finding those inside a range by binary search. */
class AddressIndex<T> {
  private readonly sorted: Located<T>[];
  constructor(entries: Located<T>[]) {
    this.sorted = entries.sort((a, b) => a.family - b.family || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  }
  get size(): number {
    return this.sorted.length;
  }
  within(range: IpRange): Located<T>[] {
    const s = this.sorted;
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const e = s[mid];
      if (e.family < range.family || (e.family === range.family && e.value < range.start)) lo = mid + 1;
      else hi = mid;
    }
    const result: Located<T>[] = [];
    for (let i = lo; i < s.length && s[i].family === range.family && s[i].value <= range.end; i++) result.push(s[i]);
    return result;
  }
}

/** NR060: an ipBlock over pod IPs. */
const blockOverPods: Check = {
  codes: ['NR060'],
  run(context) {
    const entries: Located<Workload>[] = [];
    for (const workload of context.workspace.workloads) {
      for (const a of workload.addresses)
        entries.push({ family: a.family, value: a.value, text: a.text, item: workload });
    }
    if (entries.length === 0) return;
    const addresses = new AddressIndex(entries);
    for (const bp of blockPeers(context.policies)) {
      if (isWholeSpace(bp.block)) continue; // NR061 speaks about 0.0.0.0/0
      const hits = bp.block.ranges.flatMap((r) => addresses.within(r));
      if (hits.length === 0) continue;
      const workloads = [...new Set(hits.map((h) => h.item))];
      const shown = workloads
        .slice(0, 3)
        .map(
          (w) =>
            `${w.id} (${hits
              .filter((h) => h.item === w)
              .map((h) => h.text)
              .slice(0, 2)
              .join(', ')})`,
        )
        .join(', ');
      const single = bp.block.cidr!.prefix === (bp.block.cidr!.family === 4 ? 32 : 128);
      const fixes = (): Fix[] =>
        workloads.length === 1
          ? replaceWithSelectorsFix(
              bp,
              workloads[0].namespace,
              podLabels(workloads[0]),
              `Select the pods of ${workloads[0].id} by their labels instead`,
              single,
            )
          : [];
      context.report({
        code: 'NR060',
        severity: 'warning',
        message: `This ipBlock covers the pod IPs of ${shown}${workloads.length > 3 ? ` and ${workloads.length - 3} more` : ''}: whether an ipBlock matches pods depends on the network plugin (Cilium ignores pod IPs), and pod IPs change when pods are recreated.`,
        span: bp.block.cidrSpan,
        related: workloads.slice(0, 3).map((w) => ({ span: w.labelsSpan, message: `the pods of ${w.id}` })),
        fixes,
        data: { workloads: workloads.map((w) => w.id) },
      });
    }
  },
};

/** NR061, NR062: `0.0.0.0/0` that keeps the private ranges, or (egress) the cloud metadata address. */
const wholeInternet: Check = {
  codes: ['NR061', 'NR062'],
  run(context) {
    for (const bp of blockPeers(context.policies)) {
      const cidr = bp.block.cidr!;
      if (cidr.prefix !== 0 || cidr.family !== 4) continue;
      const missing = PRIVATE_TEXT.filter((_, i) => !exceptCovers(bp.block, PRIVATE_RANGES[i]));
      const metadataOpen =
        bp.rule.direction === 'egress' &&
        !exceptCovers(bp.block, { family: 4, start: METADATA.value, end: METADATA.value });
      if (missing.length > 0) {
        const fixes = (): Fix[] => [
          ...addExceptFix(bp, missing, `Add except for the private ranges (${missing.join(', ')})`, true),
          ...(metadataOpen
            ? addExceptFix(
                bp,
                [...missing, METADATA_TEXT],
                `Add except for the private ranges and the cloud metadata address ${METADATA_TEXT}`,
                false,
              )
            : []),
        ];
        context.report({
          code: 'NR061',
          severity: 'warning',
          message: `\`${bp.block.cidrText}\` also covers the private ranges ${missing.join(', ')}, where pods, Services and nodes live: on plugins that match pod IPs this opens ${bp.rule.direction === 'ingress' ? 'this policy to every pod' : 'every pod and Service'}, not only the internet.`,
          span: bp.block.cidrSpan,
          fixes,
          data: { missing },
        });
      }
      if (metadataOpen) {
        context.report({
          code: 'NR062',
          severity: 'warning',
          message: `Egress to \`${bp.block.cidrText}\` includes the cloud metadata endpoint 169.254.169.254, which hands out the node's cloud credentials on many providers. Except it unless these pods need it.`,
          span: bp.block.cidrSpan,
          fixes: () =>
            addExceptFix(bp, [METADATA_TEXT], `Add except ${METADATA_TEXT} (the cloud metadata endpoint)`, true),
        });
      }
    }
  },
};

function coversAllIpv4(block: IpBlock): boolean {
  return block.ranges.some((r) => r.family === 4 && r.start === 0n && r.end === 0xffffffffn);
}

/** NR063: ingress ipBlock on pods behind a Service that may rewrite the client address. */
const rewrittenSources: Check = {
  codes: ['NR063'],
  run(context) {
    const byPolicy = new Map<Policy, Service[]>();
    const servicesFor = (policy: Policy) => {
      let list = byPolicy.get(policy);
      if (!list) {
        const found = new Set<Service>();
        for (const workload of context.index.selectedWorkloads(policy)) {
          for (const service of context.servicesOf(workload)) {
            const external = service.type === 'LoadBalancer' || service.type === 'NodePort';
            if (external && (service.externalTrafficPolicy ?? 'Cluster') === 'Cluster') found.add(service);
          }
        }
        list = [...found];
        byPolicy.set(policy, list);
      }
      return list;
    };
    for (const bp of blockPeers(context.policies)) {
      if (bp.rule.direction !== 'ingress' || coversAllIpv4(bp.block)) continue;
      const services = servicesFor(bp.policy);
      if (services.length === 0) continue;
      const first = services[0];
      context.report({
        code: 'NR063',
        severity: 'info',
        message: `These pods are behind ${first.type} Service ${first.namespace}/${first.name}${services.length > 1 ? ` (and ${services.length - 1} more)` : ''} with externalTrafficPolicy Cluster: traffic forwarded from another node arrives with that node's IP as source, so this ipBlock may not see the client address. externalTrafficPolicy: Local keeps it.`,
        span: bp.block.cidrSpan,
        related: services
          .slice(0, 3)
          .map((s) => ({ span: s.object.nameSpan, message: `${s.type} Service ${s.namespace}/${s.name}` })),
      });
    }
  },
};

/** NR064: egress ipBlock aimed at a Service ClusterIP. */
const clusterIpBlock: Check = {
  codes: ['NR064'],
  run(context) {
    const entries: Located<Service>[] = [];
    for (const service of context.workspace.services) {
      for (const ip of service.clusterIPs) {
        const parsed = parseIp(ip);
        if (parsed) entries.push({ family: parsed.family, value: parsed.value, text: ip, item: service });
      }
    }
    if (entries.length === 0) return;
    const addresses = new AddressIndex(entries);
    for (const bp of blockPeers(context.policies)) {
      if (bp.rule.direction !== 'egress') continue;
      const cidr = bp.block.cidr!;
      // Aimed at Services: no wider than a usual Service range (/12 in IPv4).
      if (cidr.prefix < (cidr.family === 4 ? 12 : 108)) continue;
      const hits = bp.block.ranges.flatMap((r) => addresses.within(r));
      if (hits.length === 0) continue;
      const services = [...new Set(hits.map((h) => h.item))];
      const shown = services
        .slice(0, 3)
        .map((s) => `${s.namespace}/${s.name} (${hits.find((h) => h.item === s)!.text})`)
        .join(', ');
      const target = services.length === 1 ? services[0] : undefined;
      const fixes = (): Fix[] =>
        target?.selector && target.selector.size > 0
          ? replaceWithSelectorsFix(
              bp,
              target.namespace,
              Object.fromEntries(target.selector),
              `Select the pods behind Service ${target.namespace}/${target.name} instead`,
              false,
            )
          : [];
      context.report({
        code: 'NR064',
        severity: 'info',
        message: `This ipBlock covers the ClusterIP of Service ${shown}${services.length > 3 ? ` and ${services.length - 3} more` : ''}: whether policies see the ClusterIP or the pod IP after translation depends on the network plugin, so the rule may match nothing.`,
        span: bp.block.cidrSpan,
        related: services
          .slice(0, 3)
          .map((s) => ({ span: s.object.nameSpan, message: `Service ${s.namespace}/${s.name}` })),
        fixes,
        data: { services: services.map((s) => s.id) },
      });
    }
  },
};

export const IP_BLOCK_CHECKS: readonly Check[] = [blockOverPods, wholeInternet, rewrittenSources, clusterIpBlock];
