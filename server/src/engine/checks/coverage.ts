/**
 * Coverage (NR070-NR072): workloads that no policy isolates, namespaces without a
 * default deny, and policies that aim at host-network pods, which policies do not govern.
 *
 * To keep the noise down in workspaces that do not use policies everywhere, NR070 only
 * looks at namespaces whose policies isolate the direction in question (a namespace
 * without any policy is reported once, by NR071), and NR071 leaves the system
 * namespaces alone.
 */
import { isMap, isPair, isScalar, visit, type Node } from 'yaml';
import { rangeOf } from '../edits';
import type { Fix, RelatedLocation, Span } from '../findings';
import { CONTROLLER_MANAGED_KEYS, selectorMatches, type Labels } from '../labels';
import { isolates, rulesOf, type Direction, type Policy, type Workload } from '../model';
import type { KubeObject } from '../objects';
import type { ParsedFile } from '../yamlFile';
import { DIRECTIONS, safely, type Check, type CheckContext } from './context';
import { appendDocument, renderDocument, type YamlValue } from './documentEdits';
import { factsOf, listNames, trimmingSpans } from './workspaceFacts';

/** Namespaces of the control plane: a default deny there breaks the cluster, so it is not suggested. */
const SYSTEM_NAMESPACES: ReadonlySet<string> = new Set(['kube-system', 'kube-public', 'kube-node-lease']);

// ------------------------------------------------------------------ policy documents for fixes

/** The labels every pod of the workload carries, without those controllers set. */
function stableLabels(workload: Workload): [string, string][] {
  const sets = workload.podLabelSets.length > 0 ? workload.podLabelSets : [workload.labels];
  return [...sets[0]].filter(([k, v]) => !CONTROLLER_MANAGED_KEYS.has(k) && sets.every((s) => s.get(k) === v));
}

function freeName(context: CheckContext, namespace: string, base: string): string {
  const taken = new Set((factsOf(context).policiesByNamespace.get(namespace) ?? []).map((p) => p.name));
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}

/** The egress rule that keeps name resolution working: UDP and TCP 53 to the cluster DNS pods. */
function dnsRule(context: CheckContext): YamlValue {
  const dns = context.dnsWorkloads[0];
  return {
    to: [
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': dns.namespace } },
        podSelector: { matchLabels: Object.fromEntries(dns.labels) },
      },
    ],
    ports: [
      { protocol: 'UDP', port: 53 },
      { protocol: 'TCP', port: 53 },
    ],
  };
}

interface PolicyDraft {
  readonly name: string;
  readonly namespace: string;
  readonly labels: readonly [string, string][];
  readonly directions: readonly Direction[];
  readonly comment: string;
  /** Comments written above `ingress:`/`egress:`. */
  readonly notes: Partial<Record<Direction, string>>;
}

/** A NetworkPolicy document in the file's style, with notes above the rule lists. */
function renderPolicy(context: CheckContext, file: ParsedFile, draft: PolicyDraft): string {
  const spec: Record<string, YamlValue> = {
    podSelector: draft.labels.length > 0 ? { matchLabels: Object.fromEntries(draft.labels) } : {},
    policyTypes: draft.directions.map((d) => (d === 'ingress' ? 'Ingress' : 'Egress')),
  };
  if (draft.directions.includes('ingress')) spec.ingress = [];
  if (draft.directions.includes('egress')) spec.egress = [dnsRule(context)];
  const text = renderDocument(
    file,
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: draft.name, namespace: draft.namespace },
      spec,
    },
    draft.comment,
  );
  return text.replace(/^([ \t]+)(ingress|egress):/gm, (line, indent: string, key: Direction) => {
    const note = draft.notes[key];
    return note ? `${indent}# ${note}\n${line}` : line;
  });
}

// ------------------------------------------------------------------ NR070

const uncoveredWorkloads: Check = {
  codes: ['NR070'],
  run(context) {
    const used = new Map<string, Set<Direction>>();
    for (const policy of context.workspace.policies) {
      let set = used.get(policy.namespace);
      if (!set) used.set(policy.namespace, (set = new Set()));
      for (const direction of DIRECTIONS) if (isolates(policy, direction)) set.add(direction);
    }
    for (const workload of context.workloads) {
      if (workload.hostNetwork) continue; // NR072's subject: policies do not govern it anyway
      const inUse = used.get(workload.namespace);
      if (!inUse) continue;
      safely(() => {
        const missing = DIRECTIONS.filter(
          (d) => inUse.has(d) && context.index.isolatingPolicies(workload, d).length === 0,
        );
        if (missing.length > 0) reportUncovered(context, workload, missing);
      });
    }
  },
};

function reportUncovered(context: CheckContext, workload: Workload, missing: readonly Direction[]): void {
  const object = workload.objects[0];
  const both = missing.length === 2;
  const message = both
    ? `No policy selects ${workload.id}: it accepts connections from everywhere and may connect anywhere, while other pods of ${workload.namespace} are isolated.`
    : missing[0] === 'ingress'
      ? `No policy selects ${workload.id} for ingress: it accepts connections from everywhere, while other pods of ${workload.namespace} are ingress-isolated.`
      : `No policy selects ${workload.id} for egress: it may connect anywhere, while other pods of ${workload.namespace} are egress-isolated.`;
  const fixes = (): Fix[] => {
    const labels = stableLabels(workload);
    if (!object || labels.length === 0) return [];
    const file = object.file;
    const name = freeName(context, workload.namespace, workload.name);
    const text = renderPolicy(context, file, {
      name,
      namespace: workload.namespace,
      labels,
      directions: missing,
      comment: `The traffic of ${workload.name}: as written it allows ${missing.includes('egress') ? 'only DNS out and ' : ''}nothing in; add what ${workload.name} needs.`,
      notes: {
        ingress: `nothing may connect yet: add a \`- from:\` rule for each client of ${workload.name}`,
        egress: `only DNS for now: add a \`- to:\` rule for each service ${workload.name} calls`,
      },
    });
    return [{ title: `Create a NetworkPolicy "${name}" for ${workload.name}`, edits: [appendDocument(file, text)] }];
  };
  context.report({
    code: 'NR070',
    severity: 'info',
    message,
    span: object?.nameSpan ?? workload.labelsSpan,
    fixes,
    data: { directions: [...missing] },
  });
}

// ------------------------------------------------------------------ NR071

function selectsAll(policy: Policy): boolean {
  return (
    policy.podSelector === undefined ||
    (!policy.podSelector.invalid && policy.podSelector.selector.requirements.length === 0)
  );
}

/** A policy that selects every pod of its namespace and isolates the direction without allowing everything. */
function deniesByDefault(policy: Policy, direction: Direction): boolean {
  return selectsAll(policy) && isolates(policy, direction) && !rulesOf(policy, direction).some((r) => r.anyPeer);
}

const noDefaultDeny: Check = {
  codes: ['NR071'],
  run(context) {
    const facts = factsOf(context);
    const workloadsByNamespace = new Map<string, Workload[]>();
    for (const workload of context.workspace.workloads) {
      if (workload.hostNetwork) continue;
      const list = workloadsByNamespace.get(workload.namespace);
      if (list) list.push(workload);
      else workloadsByNamespace.set(workload.namespace, [workload]);
    }
    for (const [namespace, workloads] of workloadsByNamespace) {
      if (SYSTEM_NAMESPACES.has(namespace)) continue;
      const policies = facts.policiesByNamespace.get(namespace) ?? [];
      if (policies.some((p) => deniesByDefault(p, 'ingress'))) continue;
      safely(() => reportNoDefaultDeny(context, namespace, workloads, policies));
    }
  },
};

function reportNoDefaultDeny(
  context: CheckContext,
  namespace: string,
  workloads: readonly Workload[],
  policies: readonly Policy[],
): void {
  const manifest = context.workspace.namespaces.get(namespace)?.object;
  const egressDenied = policies.some((p) => deniesByDefault(p, 'egress'));
  const open = workloads.filter((w) => context.index.isolatingPolicies(w, 'ingress').length === 0);
  const span =
    manifest?.nameSpan ??
    namespaceValueSpan(workloads[0].objects[0]) ??
    workloads[0].objects[0]?.nameSpan ??
    workloads[0].labelsSpan;
  if (!context.wanted(span.uri)) return;
  const file = manifest?.file ?? mostPoliciesFile(policies) ?? workloads[0].objects[0]?.file;
  const fixes = (): Fix[] => {
    const result: Fix[] = [];
    if (!file) return result;
    const variants: { name: string; directions: Direction[]; title: string }[] = [
      { name: 'default-deny-ingress', directions: ['ingress'], title: 'Add a default-deny-ingress policy' },
    ];
    if (!egressDenied) {
      variants.push({
        name: 'default-deny-all',
        directions: ['ingress', 'egress'],
        title: 'Add a default-deny-all policy (ingress and egress, DNS allowed)',
      });
    }
    for (const variant of variants) {
      const name = freeName(context, namespace, variant.name);
      const text = renderPolicy(context, file, {
        name,
        namespace,
        labels: [],
        directions: variant.directions,
        comment:
          variant.directions.length === 1
            ? 'Isolate every pod of the namespace for incoming traffic: only what other policies allow reaches them.'
            : 'Isolate every pod of the namespace in both directions: only DNS and what other policies allow get through.',
        notes: {
          ingress: 'no ingress rules: nothing may connect to these pods',
          egress: 'only DNS is allowed out; everything else needs another policy',
        },
      });
      result.push({ title: variant.title, edits: [appendDocument(file, text)] });
    }
    return result;
  };
  const exposed = open.length > 0 ? ` (now ${listNames(open.map((w) => w.id))})` : '';
  const related: RelatedLocation[] = open
    .slice(0, 3)
    .map((w) => ({ span: w.objects[0]?.nameSpan ?? w.labelsSpan, message: `${w.id} accepts all ingress` }));
  context.report({
    code: 'NR071',
    severity: 'info',
    message: `Namespace ${namespace} has workloads but no default-deny policy${egressDenied ? ' for ingress' : ''}: every pod that no policy selects${exposed}, and every pod added later, accepts connections from everywhere.`,
    span,
    related,
    fixes,
    data: { namespace },
  });
}

function namespaceValueSpan(object: KubeObject | undefined): Span | undefined {
  if (!object) return undefined;
  const metadata = object.map.get('metadata', true) as Node | undefined;
  const value = metadata && isMap(metadata) ? (metadata.get('namespace', true) as Node | undefined) : undefined;
  const range = value && isScalar(value) ? rangeOf(value) : undefined;
  return range ? { uri: object.file.uri, start: range[0], end: range[1] } : undefined;
}

function mostPoliciesFile(policies: readonly Policy[]): ParsedFile | undefined {
  const counts = new Map<ParsedFile, number>();
  for (const policy of policies) counts.set(policy.object.file, (counts.get(policy.object.file) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}

// ------------------------------------------------------------------ NR072

/** Where `hostNetwork: true` is written in a workload's manifest. */
function hostNetworkSpan(workload: Workload): Span {
  for (const object of workload.objects) {
    let found: Span | undefined;
    visit(object.map, {
      Pair(_, pair) {
        if (
          isPair(pair) &&
          isScalar(pair.key) &&
          pair.key.value === 'hostNetwork' &&
          isScalar(pair.value) &&
          pair.value.value === true
        ) {
          const range = rangeOf(pair);
          if (range) found = { uri: object.file.uri, start: range[0], end: range[1] };
          return visit.BREAK;
        }
        return undefined;
      },
    });
    if (found) return found;
  }
  return workload.objects[0]?.nameSpan ?? workload.labelsSpan;
}

function hostRelated(workloads: readonly Workload[]): RelatedLocation[] {
  return workloads
    .slice(0, 3)
    .map((w) => ({ span: hostNetworkSpan(w), message: `${w.id} runs with hostNetwork: true` }));
}

const hostNetworkPods: Check = {
  codes: ['NR072'],
  run(context) {
    const hostLabels: Labels[] = context.workspace.workloads.filter((w) => w.hostNetwork).map((w) => w.labels);
    if (hostLabels.length === 0) return;
    for (const policy of context.policies) {
      safely(() => {
        const selected = context.index.selectedWorkloads(policy);
        const host = selected.filter((w) => w.hostNetwork);
        const targeted = policy.podSelector !== undefined && policy.podSelector.selector.requirements.length > 0;
        if (host.length > 0 && (targeted || host.length === selected.length)) {
          context.report({
            code: 'NR072',
            severity: 'warning',
            message: `This policy selects ${listNames(host.map((w) => w.id))}, which ${host.length === 1 ? 'runs' : 'run'} with hostNetwork: true. Such pods share the node's network, so on most network plugins this policy neither isolates them nor restricts their traffic.`,
            span: policy.podSelector?.span ?? policy.object.nameSpan,
            related: hostRelated(host),
          });
        }
      });
      for (const rule of [...policy.ingress, ...policy.egress]) {
        safely(() => {
          for (const peer of rule.peers) {
            const podSelector = peer.podSelector;
            if (peer.ipBlock || !podSelector || podSelector.invalid || podSelector.selector.requirements.length === 0)
              continue;
            if (!hostLabels.some((labels) => selectorMatches(podSelector.selector, labels))) continue;
            const host = context.index.peerWorkloads(rule, peer).filter((w) => w.hostNetwork);
            if (host.length === 0) continue;
            const names = listNames(host.map((w) => w.id));
            context.report({
              code: 'NR072',
              severity: 'warning',
              message:
                rule.direction === 'ingress'
                  ? `This selector matches ${names}, which uses the host network: its connections come from the node's IP, not a pod IP, so on most network plugins this peer does not match them. Allow the nodes' addresses with an ipBlock if that traffic must pass.`
                  : `This selector matches ${names}, which uses the host network: it listens on the node's IP, not a pod IP, so on most network plugins this peer does not match it. Allow the nodes' addresses with an ipBlock instead.`,
              span: podSelector.span,
              related: hostRelated(host),
            });
          }
        });
      }
    }
  },
};

export const COVERAGE_CHECKS: readonly Check[] = [uncoveredWorkloads, noDefaultDeny, hostNetworkPods].map(
  trimmingSpans,
);
