/**
 * DNS checks (NR050-NR053): egress isolation that cuts off name resolution, DNS rules that
 * forget TCP or miss NodeLocal DNSCache, and DNS opened toward any resolver. "The cluster
 * DNS" is the DNS pods found in the workspace (CoreDNS/kube-dns in kube-system), or the
 * usual CoreDNS pods assumed when the workspace does not describe them. NR052 needs the
 * NodeLocal DNSCache DaemonSet in the workspace (a platform repository, or the live
 * cluster); DNS pods on 5353 behind Service port 53 are NR041's case.
 */
import { isMap, isScalar, isSeq, type Node, type YAMLMap } from 'yaml';
import { pairIn } from '../edits';
import type { Fix, Span, TextEdit } from '../findings';
import { cidrRange, parseCidr, parseIp, type IpFamily, type IpRange } from '../ip';
import { CONTROLLER_MANAGED_KEYS, NAMESPACE_NAME_LABEL } from '../labels';
import type { Peer, Policy, PortSpec, Rule, Workload } from '../model';
import { contains, type Protocol } from '../ports';
import { portSpecPorts, ruleMatchesWorkload, rulePorts } from '../semantics';
import type { Check, CheckContext } from './context';
import { factsOf } from './workspaceFacts';
import {
  addPair,
  addPairFirst,
  appendItem,
  mapAt,
  pairLines,
  replacePairValue,
  seqAt,
  styleOf,
  type YamlValue,
} from './yamlFix';

export const DNS_PORT = 53;

/** The private IPv4 ranges: where the cluster DNS Service lives when its address is unknown. */
export const PRIVATE_RANGES: readonly IpRange[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((text) => {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(text);
  return cidrRange(parsed.cidr);
});

interface Address {
  readonly family: IpFamily;
  readonly value: bigint;
}

/** Facts about the cluster DNS, computed once per run. */
class ClusterDns {
  readonly workloads: readonly Workload[];
  /** Pod IPs and Service ClusterIPs of the DNS; empty when none is known. */
  readonly addresses: readonly Address[];
  private readonly ruleCache = new Map<Rule, { UDP: boolean; TCP: boolean }>();
  private readonly policyCache = new Map<Policy, boolean>();

  constructor(private readonly context: CheckContext) {
    this.workloads = context.dnsWorkloads;
    const addresses: Address[] = [];
    for (const workload of this.workloads) {
      addresses.push(...workload.addresses);
      if (!context.dnsFound) continue;
      for (const service of context.servicesOf(workload)) {
        for (const ip of service.clusterIPs) {
          const parsed = parseIp(ip);
          if (parsed) addresses.push({ family: parsed.family, value: parsed.value });
        }
      }
    }
    this.addresses = addresses;
  }

  isDns(workload: Workload): boolean {
    return this.context.dnsFound && this.workloads.includes(workload);
  }

  /** Whether the rule allows DNS over `protocol` to the cluster DNS. */
  ruleAllows(rule: Rule, protocol: 'UDP' | 'TCP'): boolean {
    let cached = this.ruleCache.get(rule);
    if (!cached) {
      cached = { UDP: this.computeRule(rule, 'UDP'), TCP: this.computeRule(rule, 'TCP') };
      this.ruleCache.set(rule, cached);
    }
    return cached[protocol];
  }

  /** Whether one of the policy's egress rules allows UDP 53 to the cluster DNS. */
  policyAllows(policy: Policy): boolean {
    let cached = this.policyCache.get(policy);
    if (cached === undefined) {
      cached = policy.isolatesEgress && policy.egress.some((r) => this.ruleAllows(r, 'UDP'));
      this.policyCache.set(policy, cached);
    }
    return cached;
  }

  /** The DNS pods a rule reaches on `protocol` 53 (by their labels). */
  reached(rule: Rule, protocol: Protocol): Workload[] {
    const options = this.context.index.options;
    return this.workloads.filter(
      (d) =>
        ruleMatchesWorkload(rule, d, this.context.namespaceLabels, options) &&
        contains(rulePorts(rule, d), protocol, DNS_PORT),
    );
  }

  private computeRule(rule: Rule, protocol: Protocol): boolean {
    if (this.reached(rule, protocol).length > 0) return true;
    // An ipBlock toward the DNS addresses (the Service ClusterIP before DNAT, the pods after).
    if (!contains(rulePorts(rule, undefined), protocol, DNS_PORT)) return false;
    return rule.peers.some((peer) => this.ipBlockReachesDns(peer));
  }

  private ipBlockReachesDns(peer: Peer): boolean {
    const block = peer.ipBlock;
    if (!block || peer.podSelector || peer.namespaceSelector) return false;
    if (this.addresses.length > 0) {
      return this.addresses.some((a) =>
        block.ranges.some((r) => r.family === a.family && r.start <= a.value && a.value <= r.end),
      );
    }
    // Address unknown: it is private, so the block must cover every private range.
    return PRIVATE_RANGES.every((p) =>
      block.ranges.some((r) => r.family === 4 && r.start <= p.start && p.end <= r.end),
    );
  }
}

/** The DNS pods' labels to select them by: `k8s-app` when they carry it, else their own labels. */
export function dnsPeer(context: CheckContext): { namespace: string; labels: Record<string, string> } {
  const dns = context.dnsWorkloads[0];
  const app = dns.labels.get('k8s-app');
  const labels: Record<string, string> = {};
  if (app !== undefined) labels['k8s-app'] = app;
  else for (const [k, v] of dns.labels) if (!CONTROLLER_MANAGED_KEYS.has(k)) labels[k] = v;
  return { namespace: dns.namespace, labels };
}

/** `to:` toward the cluster DNS pods. */
export function dnsPeersValue(context: CheckContext): YamlValue {
  const { namespace, labels } = dnsPeer(context);
  const peer: Record<string, YamlValue> = { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } } };
  if (Object.keys(labels).length > 0) peer.podSelector = { matchLabels: labels };
  return [peer];
}

/** An egress rule allowing DNS (UDP and TCP 53) to the cluster DNS pods. */
export function dnsRuleValue(context: CheckContext): YamlValue {
  return {
    to: dnsPeersValue(context),
    ports: [
      { protocol: 'UDP', port: DNS_PORT },
      { protocol: 'TCP', port: DNS_PORT },
    ],
  };
}

function specMap(policy: Policy): YAMLMap | undefined {
  const spec = policy.object.map.get('spec', true) as Node | undefined;
  return spec && isMap(spec) ? spec : undefined;
}

/** Where egress isolation comes from: the `Egress` entry of policyTypes, else the `egress` key. */
function isolationSpan(policy: Policy): Span {
  const file = policy.object.file;
  const spec = specMap(policy);
  const types = spec && pairIn(spec, 'policyTypes');
  if (policy.policyTypesExplicit && types && isSeq(types.value)) {
    for (const item of types.value.items) {
      if (isScalar(item) && typeof item.value === 'string' && item.value.toLowerCase() === 'egress' && item.range) {
        return { uri: file.uri, start: item.range[0], end: item.range[1] };
      }
    }
  }
  if (policy.egressSpan) return { ...policy.egressSpan, end: policy.egressSpan.start + 'egress'.length };
  return policy.object.nameSpan;
}

function names(workloads: readonly Workload[], max = 3): string {
  const shown = workloads.slice(0, max).map((w) => w.id);
  return workloads.length > max ? `${shown.join(', ')} and ${workloads.length - max} more` : shown.join(', ');
}

/** NR050: egress isolation without DNS. */
const egressWithoutDns: Check = {
  codes: ['NR050'],
  run(context) {
    const dns = new ClusterDns(context);
    const { index } = context;
    const facts = factsOf(context);
    // The namespaces with workloads, and the policies of each namespace.
    const namespacesWithWorkloads = facts.labelSets;
    const byNamespace = facts.policiesByNamespace;
    // Workloads with the same egress-isolating policies share the answer (the index hands out one array per group).
    const hasDns = new Map<readonly Policy[], boolean>();
    const dnsAllowedFor = (workload: Workload) => {
      const policies = index.isolatingPolicies(workload, 'egress');
      let result = hasDns.get(policies);
      if (result === undefined) {
        result = policies.some((p) => dns.policyAllows(p));
        hasDns.set(policies, result);
      }
      return result;
    };
    const dnsName = context.dnsFound ? names(dns.workloads, 2) : 'the CoreDNS pods of kube-system';

    for (const policy of context.policies) {
      if (!policy.isolatesEgress || dns.policyAllows(policy)) continue;
      let affected: Workload[] | undefined;
      if (namespacesWithWorkloads.has(policy.namespace)) {
        affected = index.selectedWorkloads(policy).filter((w) => !w.hostNetwork && !dns.isDns(w) && !dnsAllowedFor(w));
        if (affected.length === 0) continue;
      } else {
        // No pods of this namespace in the workspace: judge by the policies, a policy
        // selecting all pods (or the same pods) of the namespace may allow DNS for them.
        const key = policy.podSelector?.selector.key ?? '';
        const covered = (byNamespace.get(policy.namespace) ?? []).some(
          (other) =>
            dns.policyAllows(other) &&
            ((other.podSelector?.selector.key ?? '') === '' || other.podSelector?.selector.key === key),
        );
        if (covered) continue;
      }
      const who = affected ? `${names(affected)} cannot resolve names` : 'the pods it selects cannot resolve names';
      context.report({
        code: 'NR050',
        severity: 'warning',
        message: `This makes the selected pods egress-isolated, and no egress rule selecting them allows DNS (UDP 53) to the cluster DNS (${dnsName}): ${who}.`,
        span: isolationSpan(policy),
        related: [
          ...(context.dnsFound
            ? dns.workloads.slice(0, 2).map((w) => ({ span: w.labelsSpan, message: `the cluster DNS pods ${w.id}` }))
            : []),
          ...(affected ?? [])
            .slice(0, 3)
            .map((w) => ({ span: w.labelsSpan, message: `${w.id} is egress-isolated without DNS` })),
        ],
        fixes: () => [...addDnsRuleFix(context, policy), ...allowDnsPolicyFix(context, policy)],
        data: { workloads: affected?.map((w) => w.id) },
      });
    }
  },
};

function addDnsRuleFix(context: CheckContext, policy: Policy): Fix[] {
  const file = policy.object.file;
  const spec = specMap(policy);
  if (!spec) return [];
  const rule = dnsRuleValue(context);
  const title = `Add an egress rule allowing DNS (UDP and TCP 53) to ${dnsPeer(context).namespace} DNS pods`;
  const egress = pairIn(spec, 'egress');
  let edit: TextEdit | undefined;
  if (egress) {
    const value = egress.value as Node | null;
    if (value && isSeq(value) && value.items.length > 0) edit = appendItem(file, value, rule);
    else edit = replacePairValue(file, egress, [rule]);
  } else {
    const specPair = policy.object.map.items.find((p) => isScalar(p.key) && p.key.value === 'spec');
    const offset = (specPair?.key as Node | undefined)?.range?.[0] ?? policy.specSpan.start;
    edit = addPair(file, spec, 'egress', [rule], offset);
  }
  return edit ? [{ title, edits: [edit], preferred: true }] : [];
}

/** A separate `allow-dns` policy for the whole namespace: only when this policy selects every pod, so isolation does not change. */
function allowDnsPolicyFix(context: CheckContext, policy: Policy): Fix[] {
  const file = policy.object.file;
  if (policy.podSelector && policy.podSelector.selector.requirements.length > 0) return [];
  if (policy.object.document.document.contents !== policy.object.map) return [];
  const range = policy.object.map.range;
  if (!range) return [];
  const taken = new Set(context.workspace.policies.filter((p) => p.namespace === policy.namespace).map((p) => p.name));
  let name = 'allow-dns';
  for (let i = 2; taken.has(name); i++) name = `allow-dns-${i}`;
  const style = styleOf(file);
  const manifest: YamlValue = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: policy.namespace },
    spec: { podSelector: {}, policyTypes: ['Egress'], egress: [dnsRuleValue(context)] },
  };
  const lines = Object.entries(manifest as Record<string, YamlValue>).flatMap(([k, v]) => pairLines(k, v, style));
  let end = range[1];
  while (end > 0 && /\s/.test(file.text[end - 1])) end--;
  const lineEnd = file.text.indexOf('\n', end);
  const at = lineEnd < 0 ? file.text.length : lineEnd;
  return [
    {
      title: `Create a separate policy "${name}" allowing DNS for every pod of ${policy.namespace}`,
      edits: [{ uri: file.uri, start: at, end: at, text: `\n---\n${lines.join('\n')}` }],
    },
  ];
}

/** Whether the entry names port 53 for `protocol` (a number, or a name that is 53 on the DNS pods). */
function entryIs53(spec: PortSpec, protocol: Protocol, dns: ClusterDns): boolean {
  if (spec.protocol !== protocol || spec.port === undefined) return false;
  if (typeof spec.port === 'number') return spec.port === DNS_PORT && spec.endPort === undefined;
  return dns.workloads.some((d) => contains(portSpecPorts(spec, d), protocol, DNS_PORT));
}

function peersKey(rule: Rule): string {
  return JSON.stringify(
    rule.peers.map((p) => [
      p.podSelector?.selector.key ?? null,
      p.namespaceSelector?.selector.key ?? null,
      p.ipBlock?.cidrText ?? null,
    ]),
  );
}

/** NR051: DNS allowed on UDP only. */
const udpOnlyDns: Check = {
  codes: ['NR051'],
  run(context) {
    const dns = new ClusterDns(context);
    for (const policy of context.policies) {
      for (const rule of policy.egress) {
        if (rule.anyPort) continue;
        const udp = rule.ports.find((p) => entryIs53(p, 'UDP', dns));
        if (!udp) continue;
        const tcpHere = (r: Rule) =>
          !r.anyPort &&
          r.ports.some((p) => p.protocol === 'TCP' && contains(portSpecPorts(p, dns.workloads[0]), 'TCP', DNS_PORT));
        if (tcpHere(rule)) continue;
        // Another rule of the policy may carry TCP 53 to the same place.
        const reached = dns.reached(rule, 'UDP');
        const key = peersKey(rule);
        const elsewhere = policy.egress.some(
          (other) =>
            other !== rule &&
            (other.anyPort || tcpHere(other)) &&
            (other.anyPeer ||
              peersKey(other) === key ||
              (reached.length > 0 && reached.every((d) => dns.reached(other, 'TCP').includes(d)))),
        );
        if (elsewhere) continue;
        const file = policy.object.file;
        context.report({
          code: 'NR051',
          severity: 'warning',
          message:
            'DNS is allowed over UDP only: answers too large for UDP (many records, DNSSEC) are retried over TCP 53, and those lookups fail.',
          span: udp.span,
          fixes: (): Fix[] => {
            const seq = seqAt(file, rule.portsSpan);
            return seq
              ? [
                  {
                    title: 'Add TCP 53 beside the UDP entry',
                    edits: [appendItem(file, seq, { protocol: 'TCP', port: DNS_PORT })],
                    preferred: true,
                  },
                ]
              : [];
          },
        });
      }
    }
  },
};

/** NR053: port 53 open to any destination. */
const dnsToAnyone: Check = {
  codes: ['NR053'],
  run(context) {
    const dns = new ClusterDns(context);
    for (const policy of context.policies) {
      for (const rule of policy.egress) {
        if (!rule.anyPeer || rule.anyPort) continue;
        const entry = rule.ports.find((p) => entryIs53(p, 'UDP', dns) || entryIs53(p, 'TCP', dns));
        if (!entry) continue;
        const file = policy.object.file;
        const fixes = (): Fix[] => {
          const ruleMap = mapAt(file, rule.span);
          if (!ruleMap) return [];
          const to = pairIn(ruleMap, 'to');
          const peers = dnsPeersValue(context);
          const edit = to
            ? replacePairValue(file, to, peers)
            : addPairFirst(file, ruleMap, 'to', peers, rule.span.start);
          const { namespace } = dnsPeer(context);
          return edit
            ? [{ title: `Allow DNS only to the cluster DNS pods in ${namespace}`, edits: [edit], preferred: true }]
            : [];
        };
        context.report({
          code: 'NR053',
          severity: 'info',
          message:
            'DNS is allowed to any destination (no `to`): pods may query resolvers outside the cluster, which bypasses the cluster DNS and can carry data out.',
          span: entry.span,
          fixes,
        });
      }
    }
  },
};

/** Where NodeLocal DNSCache answers by default (its `-localip`), on every node. */
export const NODE_LOCAL_DNS_ADDRESS = '169.254.20.10';

function isNodeLocalDns(workload: Workload): boolean {
  return (
    workload.namespace === 'kube-system' &&
    (workload.labels.get('k8s-app') === 'node-local-dns' || workload.name === 'node-local-dns')
  );
}

/**
 * NR052: the workspace runs NodeLocal DNSCache, whose host-network agent answers pods on
 * a link-local address of their node; a rule that allows DNS to the CoreDNS pods only
 * does not allow that traffic, so the lookups of the pods it isolates fail.
 */
const nodeLocalDnsMissed: Check = {
  codes: ['NR052'],
  run(context) {
    const agent = context.workspace.workloads.find(isNodeLocalDns);
    if (!agent) return;
    const dns = new ClusterDns(context);
    const address = parseIp(NODE_LOCAL_DNS_ADDRESS)!;
    const nodeLocal = {
      kind: 'ip',
      range: { family: address.family, start: address.value, end: address.value },
    } as const;
    const { index } = context;
    for (const policy of context.policies) {
      if (!policy.isolatesEgress) continue;
      const dnsRules = policy.egress.filter((rule) => !rule.anyPeer && dns.reached(rule, 'UDP').length > 0);
      if (dnsRules.length === 0) continue;
      // Judged on the pods in the workspace: another policy may allow the address for them.
      const cutOff = index
        .selectedWorkloads(policy)
        .filter(
          (w) =>
            !w.hostNetwork &&
            !dns.isDns(w) &&
            !isNodeLocalDns(w) &&
            !contains(index.connection({ kind: 'workload', workload: w }, nodeLocal), 'UDP', DNS_PORT),
        );
      if (cutOff.length === 0) continue;
      for (const rule of dnsRules) {
        const file = policy.object.file;
        context.report({
          code: 'NR052',
          severity: 'warning',
          message:
            `The workspace runs NodeLocal DNSCache (${agent.id}): pods send DNS to ${NODE_LOCAL_DNS_ADDRESS} on their node, ` +
            `not to the DNS pods this rule allows, so lookups from ${names(cutOff)} fail. Also allow ${NODE_LOCAL_DNS_ADDRESS}/32.`,
          span: rule.peersSpan ?? rule.span,
          related: [{ span: agent.labelsSpan, message: `the NodeLocal DNSCache agent ${agent.id}` }],
          fixes: (): Fix[] => {
            const seq = seqAt(file, rule.peersSpan);
            return seq
              ? [
                  {
                    title: `Also allow the NodeLocal DNSCache address ${NODE_LOCAL_DNS_ADDRESS}/32`,
                    edits: [appendItem(file, seq, { ipBlock: { cidr: `${NODE_LOCAL_DNS_ADDRESS}/32` } })],
                    preferred: true,
                  },
                ]
              : [];
          },
          data: { workloads: cutOff.map((w) => w.id) },
        });
      }
    }
  },
};

export const DNS_CHECKS: readonly Check[] = [egressWithoutDns, udpOnlyDns, nodeLocalDnsMissed, dnsToAnyone];
