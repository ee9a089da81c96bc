/**
 * Hover text: what a policy selects and allows, what a rule or peer matches, who can
 * reach a workload and what it can reach. Short, grouped, capped lists.
 */
import {
  describePorts,
  describeIpBlock,
  describeSelector,
  formatRange,
  isAll,
  peerNamespaces,
  policyReport,
  positionAt,
  ruleReport,
  targetAt,
  workloadReport,
  type Peer,
  type Policy,
  type ReachLine,
  type Rule,
  type RuleReport,
  type Target,
  type Workload,
  type Workspace,
} from '../engine';
import type { AnalysisResult } from './analysis';

const CAP = 8;

export function hoverMarkdown(result: AnalysisResult, uri: string, offset: number): string | undefined {
  const target = targetAt(result.workspace, uri, offset);
  return target ? renderTarget(result, target) : undefined;
}

export function renderTarget(result: AnalysisResult, target: Target): string | undefined {
  switch (target.kind) {
    case 'policy':
      return target.part === 'other' ? undefined : policyHover(result, target.policy);
    case 'rule':
      return ruleHover(result, target.rule);
    case 'peer':
      return peerHover(result, target.rule, target.peer);
    case 'port':
      return ruleHover(result, target.rule);
    case 'workload':
      return workloadHover(result, target.workload);
    case 'namespace':
      return namespaceHover(result, target.namespace.name);
    case 'service':
      return undefined;
  }
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

function where(workspace: Workspace, w: Workload): string {
  const object = w.objects[0];
  const file = object ? workspace.files.get(object.file.uri)?.file : undefined;
  if (!object || !file) return '';
  const name = object.file.uri.slice(object.file.uri.lastIndexOf('/') + 1);
  return ` (${name}:${positionAt(file, object.nameSpan.start).line + 1})`;
}

/** A capped bullet list with "and N more". */
function capped(items: readonly string[], cap = CAP): string[] {
  if (items.length <= cap) return items.map((i) => `- ${i}`);
  return [...items.slice(0, cap).map((i) => `- ${i}`), `- … and ${items.length - cap} more`];
}

function directions(policy: Policy): string {
  const types = [policy.isolatesIngress && 'ingress', policy.isolatesEgress && 'egress'].filter(Boolean);
  return types.length ? types.join(' and ') : 'nothing';
}

function policyHover(result: AnalysisResult, policy: Policy): string {
  const report = policyReport(result.index, policy);
  const lines: string[] = [];
  lines.push(
    `**NetworkPolicy ${policy.id}** isolates ${directions(policy)}${policy.policyTypesExplicit ? '' : ' (policyTypes defaulted)'}`,
  );
  lines.push('');
  if (report.selected.length === 0) {
    lines.push(
      `Selects **no workload** in namespace ${code(policy.namespace)} (${code(describeSelector(policy.podSelector?.selector ?? { requirements: [], key: '' }))}).`,
    );
  } else {
    lines.push(`Selects ${report.selected.length} workload${report.selected.length === 1 ? '' : 's'}:`);
    lines.push(...capped(report.selected.map((w) => `${code(w.id)}${where(result.workspace, w)}`)));
  }
  if (policy.isolatesIngress) {
    lines.push('', '**Lets in:**');
    lines.push(
      ...(report.ingress.length
        ? report.ingress.map((r) => `- ${ruleSummary(r)}`)
        : ['- nothing (all ingress denied)']),
    );
  }
  if (policy.isolatesEgress) {
    lines.push('', '**Lets out:**');
    lines.push(
      ...(report.egress.length ? report.egress.map((r) => `- ${ruleSummary(r)}`) : ['- nothing (all egress denied)']),
    );
  }
  lines.push('', '_Other policies that select the same pods add to this (allowances are a union)._');
  return lines.join('\n');
}

function portsText(report: RuleReport): string {
  if (report.anyPort) return 'all ports';
  return report.ports
    .map((p) => {
      if (typeof p.spec.port !== 'string') return p.text;
      const numbers = [...new Set(p.resolutions.map((r) => describePorts(r.ports)))];
      return numbers.length ? `${p.text} (= ${numbers.join(' / ')})` : `${p.text} (resolves to no port)`;
    })
    .join(', ');
}

function peersText(report: RuleReport): string {
  if (report.anyPeer)
    return report.direction === 'ingress'
      ? 'any source (all pods, all addresses)'
      : 'any destination (all pods, all addresses)';
  const parts: string[] = [];
  if (report.workloads.length) {
    const names = report.workloads.map((w) => w.id);
    parts.push(
      names.length <= 3
        ? names.map(code).join(', ')
        : `${names.slice(0, 3).map(code).join(', ')} and ${names.length - 3} more`,
    );
  }
  // ipBlocks as written (CIDR and excepts) read better than the ranges they make.
  const blocks = report.rule.peers.filter((p) => p.ipBlock);
  if (blocks.length) parts.push(blocks.map((p) => code(describeIpBlockShort(p))).join(', '));
  return parts.length ? parts.join('; ') : 'nothing in the workspace';
}

function describeIpBlockShort(peer: Peer): string {
  const block = peer.ipBlock!;
  return block.except.length
    ? `${block.cidrText} except ${block.except.map((e) => e.text).join(', ')}`
    : block.cidrText;
}

function ruleSummary(report: RuleReport): string {
  const rule = report.rule;
  return `rule ${rule.index + 1}: ${portsText(report)} ${rule.direction === 'ingress' ? 'from' : 'to'} ${peersText(report)}`;
}

function ruleHover(result: AnalysisResult, rule: Rule): string {
  const report = ruleReport(result.index, rule);
  const lines = [
    `**${rule.direction === 'ingress' ? 'Ingress' : 'Egress'} rule ${rule.index + 1}** of ${code(rule.policy.id)}`,
    '',
  ];
  if (!(rule.direction === 'ingress' ? rule.policy.isolatesIngress : rule.policy.isolatesEgress)) {
    lines.push(`⚠ Ignored: policyTypes does not list ${rule.direction === 'ingress' ? 'Ingress' : 'Egress'}.`, '');
  }
  lines.push(`**Ports:** ${portsText(report)}`);
  lines.push('', `**${rule.direction === 'ingress' ? 'From' : 'To'}:**`);
  if (report.anyPeer) {
    lines.push(
      `- everything: every pod of every namespace and every IP address${rule.peersSpan ? ' (an empty list means any peer)' : ''}`,
    );
  } else {
    for (const peer of rule.peers) lines.push(`- ${peerDescription(result.workspace, rule, peer)}`);
    lines.push(
      '',
      `Matches ${report.workloads.length} workload${report.workloads.length === 1 ? '' : 's'}${report.workloads.length ? ':' : '.'}`,
    );
    lines.push(...capped(report.workloads.map((w) => code(w.id))));
    if (report.ipRanges.length)
      lines.push('', `IP ranges: ${report.ipRanges.map((r) => code(formatRange(r))).join(', ')}`);
  }
  return lines.join('\n');
}

function peerDescription(workspace: Workspace, rule: Rule, peer: Peer): string {
  if (peer.ipBlock) return `addresses ${code(describeIpBlock(peer))}`;
  const namespaces = peer.namespaceSelector
    ? `namespaces matching ${code(describeSelector(peer.namespaceSelector.selector))}${(() => {
        const names = peerNamespaces(workspace, rule.policy, peer);
        return names.length
          ? ` (${names.slice(0, 5).map(code).join(', ')}${names.length > 5 ? ', …' : ''})`
          : ' (none in the workspace)';
      })()}`
    : `namespace ${code(rule.policy.namespace)} (the policy's own)`;
  const pods = peer.podSelector ? `pods matching ${code(describeSelector(peer.podSelector.selector))}` : 'all pods';
  return `${pods} in ${namespaces}`;
}

function peerHover(result: AnalysisResult, rule: Rule, peer: Peer): string {
  const workloads = result.index.peerWorkloads(rule, peer);
  const lines = [
    `**Peer** of ${rule.direction} rule ${rule.index + 1} in ${code(rule.policy.id)}`,
    '',
    peerDescription(result.workspace, rule, peer),
    '',
  ];
  if (peer.ipBlock) {
    lines.push(
      result.index.options.ipBlockMatchesPods
        ? `Pods whose IP lies in this block are matched too, as Calico, Antrea and OVN-Kubernetes do; Cilium does not (_depends on the network plugin_).`
        : 'Matches external addresses only (pod IPs are not matched: `ipBlockPods: ignore`).',
    );
  }
  if (peer.namespaceSelector && peer.podSelector)
    lines.push('Both selectors in one peer: a pod must match **both** (AND).');
  if (rule.peers.length > 1) {
    const side = rule.direction === 'ingress' ? 'a source' : 'a destination';
    lines.push(`One of ${rule.peers.length} peers of this rule: ${side} matching **any** of them is allowed (OR).`);
  }
  lines.push(
    '',
    `Matches ${workloads.length} workload${workloads.length === 1 ? '' : 's'}${workloads.length ? ':' : '.'}`,
  );
  lines.push(...capped(workloads.map((w) => code(w.id))));
  return lines.join('\n');
}

function reachLines(lines: readonly ReachLine[], direction: 'from' | 'to'): string[] {
  const grouped = new Map<string, string[]>();
  for (const line of lines) {
    const ports = isAll(line.ports) ? 'all ports' : describePorts(line.ports);
    (grouped.get(ports) ?? grouped.set(ports, []).get(ports)!).push(line.name);
  }
  const result: string[] = [];
  for (const [ports, names] of grouped) {
    const shown = names.slice(0, CAP).map(code).join(', ');
    result.push(`- ${ports} ${direction} ${shown}${names.length > CAP ? ` and ${names.length - CAP} more` : ''}`);
  }
  return result;
}

function workloadHover(result: AnalysisResult, workload: Workload): string {
  const report = workloadReport(result.index, workload);
  const lines = [`**${workload.id}**`];
  if (workload.hostNetwork)
    lines.push('', '⚠ `hostNetwork: true`: NetworkPolicies do not apply to these pods as written.');
  const policyList = (policies: readonly Policy[]) => policies.map((p) => code(p.id)).join(', ');
  lines.push(
    '',
    report.ingressPolicies.length
      ? `**Ingress** isolated by ${policyList(report.ingressPolicies)}. Reached by:`
      : '**Ingress** not isolated: no policy selects it for ingress, so everything may connect.',
  );
  if (report.ingressPolicies.length) {
    lines.push(...(report.inbound.length ? reachLines(report.inbound, 'from') : ['- nobody']));
  }
  lines.push(
    '',
    report.egressPolicies.length
      ? `**Egress** isolated by ${policyList(report.egressPolicies)}. Reaches:`
      : '**Egress** not isolated: it may connect anywhere its peers let it in.',
  );
  if (report.egressPolicies.length) {
    lines.push(...(report.outbound.length ? reachLines(report.outbound, 'to') : ['- nothing']));
  }
  if (!report.egressPolicies.length && report.deniedTo.length) {
    lines.push(
      `- denied by their ingress: ${report.deniedTo.slice(0, CAP).map(code).join(', ')}${report.deniedTo.length > CAP ? ` and ${report.deniedTo.length - CAP} more` : ''}`,
    );
  }
  return lines.join('\n');
}

function namespaceHover(result: AnalysisResult, name: string): string {
  const workloads = result.workspace.workloads.filter((w) => w.namespace === name);
  const policies = result.workspace.policies.filter((p) => p.namespace === name);
  const labels = [...(result.workspace.namespaces.get(name)?.labels ?? new Map())].map(([k, v]) => `${k}=${v}`);
  return [
    `**Namespace ${name}**`,
    '',
    `Labels: ${labels.map(code).join(', ')}`,
    `${workloads.length} workload${workloads.length === 1 ? '' : 's'}, ${policies.length} polic${policies.length === 1 ? 'y' : 'ies'}.`,
  ].join('\n');
}
