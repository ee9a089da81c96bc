/**
 * Policies and rules that change nothing (NR025, NR026): another policy selects the same
 * pods and already isolates them, or a wider rule already allows what a rule allows.
 * "Covered" means covered by the text of the policies, whatever pods exist, so the
 * answer holds for the whole cluster, not only for the workspace.
 */
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { pairIn, rangeOf } from '../edits';
import type { Fix, Span } from '../findings';
import { NAMESPACE_NAME_LABEL, type Requirement, type Selector } from '../labels';
import {
  isolates,
  rulesOf,
  type Direction,
  type Peer,
  type Policy,
  type Rule,
  type SelectorField,
  type PortSpec,
} from '../model';
import { DIRECTIONS, isAllowAll, keyOnly, peersKey, safely, type Check, type CheckContext } from './context';
import { deleteDocumentFix, deleteRuleFix } from './documentEdits';
import { factsOf, listNames, trimmingSpans } from './workspaceFacts';

/**
 * NR025: another policy selecting the same pods (all of them, by its selector's text or
 * in the workspace) allows everything in the direction, so this policy's rules, or its
 * isolation alone, change nothing.
 */
const pointlessPolicy: Check = {
  codes: ['NR025'],
  run(context) {
    for (const direction of DIRECTIONS) {
      const allowAll = new Map<Policy, Rule>();
      for (const policy of context.workspace.policies) {
        if (!isolates(policy, direction)) continue;
        const rule = rulesOf(policy, direction).find(isAllowAll);
        if (rule) allowAll.set(policy, rule);
      }
      if (allowAll.size === 0) continue;
      for (const policy of context.policies) {
        safely(() => checkPointless(context, policy, direction, allowAll));
      }
    }
  },
};

function checkPointless(
  context: CheckContext,
  policy: Policy,
  direction: Direction,
  allowAll: ReadonlyMap<Policy, Rule>,
): void {
  if (!isolates(policy, direction) || allowAll.has(policy)) return;
  const others: Policy[] = [];
  // By the text: an allow-all policy of the namespace whose selector selects at least these pods.
  for (const other of allowAll.keys()) {
    if (
      other.namespace === policy.namespace &&
      selectorWeaker(other.podSelector?.selector, policy.podSelector?.selector)
    )
      others.push(other);
  }
  if (others.length === 0) {
    // In the workspace: every selected workload is also selected by an allow-all policy.
    const selected = context.index.selectedWorkloads(policy);
    if (selected.length === 0) return;
    const involved = new Set<Policy>();
    for (const workload of selected) {
      const covering = context.index
        .isolatingPolicies(workload, direction)
        .filter((p) => p !== policy && allowAll.has(p));
      if (covering.length === 0) return;
      involved.add(covering[0]);
    }
    others.push(...involved);
  }
  const rules = rulesOf(policy, direction);
  const span = rules.length > 0 ? keySpanOfDirection(policy, direction) : policyTypeSpan(policy, direction);
  if (!span) return;
  const names = listNames(others.map((p) => `${p.namespace}/${p.name}`));
  const what = direction === 'ingress' ? 'all ingress from anywhere' : 'all egress to anywhere';
  context.report({
    code: 'NR025',
    severity: 'warning',
    message:
      rules.length > 0
        ? `These ${direction} rules change nothing: ${names} also selects these pods and allows ${what}, and allowed traffic is the union of all policies.`
        : `This ${direction === 'ingress' ? 'Ingress' : 'Egress'} isolation changes nothing: ${names} also selects these pods and allows ${what}.`,
    span,
    related: others
      .slice(0, 3)
      .map((p) => ({ span: allowAll.get(p)!.span, message: `this rule of ${p.namespace}/${p.name} allows ${what}` })),
  });
}

function keySpanOfDirection(policy: Policy, direction: Direction): Span | undefined {
  const span = direction === 'ingress' ? policy.ingressSpan : policy.egressSpan;
  return span ? keyOnly(span, direction) : undefined;
}

function policyTypeSpan(policy: Policy, direction: Direction): Span | undefined {
  if (!policy.policyTypesExplicit) return undefined;
  const spec = policy.object.map.get('spec', true) as Node | undefined;
  const pair = spec && isMap(spec) ? pairIn(spec, 'policyTypes') : undefined;
  if (!pair || !isSeq(pair.value)) return undefined;
  const type = direction === 'ingress' ? 'Ingress' : 'Egress';
  const item = pair.value.items.find((i) => isScalar(i) && i.value === type) as Node | undefined;
  const range = item ? rangeOf(item) : undefined;
  return range ? { uri: policy.object.file.uri, start: range[0], end: range[1] } : undefined;
}

// ------------------------------------------------------------------ NR026

/** Whether every label set that satisfies `given` satisfies `needed`. */
function requirementImplied(needed: Requirement, given: Requirement): boolean {
  if (needed.key !== given.key) return false;
  const subset = (a: readonly string[], b: readonly string[]) => a.length > 0 && a.every((v) => b.includes(v));
  switch (needed.operator) {
    case 'Exists':
      return (given.operator === 'In' && given.values.length > 0) || given.operator === 'Exists';
    case 'In':
      return given.operator === 'In' && subset(given.values, needed.values);
    case 'NotIn':
      return (
        given.operator === 'DoesNotExist' ||
        (given.operator === 'NotIn' && needed.values.every((v) => given.values.includes(v))) ||
        (given.operator === 'In' && given.values.length > 0 && given.values.every((v) => !needed.values.includes(v)))
      );
    case 'DoesNotExist':
      return given.operator === 'DoesNotExist';
  }
}

/** `a` matches at least what `b` matches, judged by their text (absent means everything). */
export function selectorWeaker(a: Selector | undefined, b: Selector | undefined): boolean {
  const needed = a?.requirements ?? [];
  const given = b?.requirements ?? [];
  return needed.every((n) => given.some((g) => requirementImplied(n, g)));
}

function validField(field: SelectorField | undefined): boolean {
  return field === undefined || !field.invalid;
}

/** Peer `a` matches no more than peer `b` (both of policies in `namespace`). */
function peerCovered(a: Peer, b: Peer, namespace: string): boolean {
  if (
    !validField(a.podSelector) ||
    !validField(a.namespaceSelector) ||
    !validField(b.podSelector) ||
    !validField(b.namespaceSelector)
  ) {
    return false;
  }
  if (a.ipBlock || b.ipBlock) {
    if (!a.ipBlock || !b.ipBlock || a.podSelector || a.namespaceSelector || b.podSelector || b.namespaceSelector)
      return false;
    if (!a.ipBlock.cidr || !b.ipBlock.cidr) return false;
    const outer = b.ipBlock.ranges;
    return a.ipBlock.ranges.every((r) =>
      outer.some((o) => o.family === r.family && o.start <= r.start && r.end <= o.end),
    );
  }
  // Namespaces: b's must include a's.
  if (b.namespaceSelector) {
    const aNamespaces: Selector | undefined = a.namespaceSelector
      ? a.namespaceSelector.selector
      : { requirements: [{ key: NAMESPACE_NAME_LABEL, operator: 'In', values: [namespace] }], key: '' };
    if (!selectorWeaker(b.namespaceSelector.selector, aNamespaces)) return false;
  } else if (a.namespaceSelector) {
    return false;
  }
  // Pods: b's pod selector must be weaker (absent: every pod).
  if (!b.podSelector) return true;
  return selectorWeaker(b.podSelector.selector, a.podSelector?.selector);
}

function portCovered(a: PortSpec, b: PortSpec): boolean {
  if (a.protocol !== b.protocol) return false;
  if (b.port === undefined) return true;
  if (a.port === undefined) return false;
  if (typeof a.port === 'string' || typeof b.port === 'string') return a.port === b.port;
  const aEnd = a.endPort ?? a.port;
  const bEnd = b.endPort ?? b.port;
  if (aEnd < a.port || bEnd < b.port) return false;
  return b.port <= a.port && aEnd <= bEnd;
}

/** Rule `a` allows no more than rule `b` (same direction, policies of one namespace). */
function ruleCovered(a: Rule, b: Rule): boolean {
  if (!b.anyPeer) {
    if (a.anyPeer || a.peers.length === 0) return false;
    if (!a.peers.every((pa) => b.peers.some((pb) => peerCovered(pa, pb, a.policy.namespace)))) return false;
  }
  if (!b.anyPort) {
    if (a.anyPort || a.ports.length === 0) return false;
    if (!a.ports.every((pa) => b.ports.some((pb) => portCovered(pa, pb)))) return false;
  }
  return true;
}

/** The policies of the same namespace whose pod selector selects at least what `policy`'s does, by the text. */
function widerPolicies(
  policy: Policy,
  byLabel: ReadonlyMap<string, readonly Policy[]>,
  open: readonly Policy[],
): Policy[] {
  const candidates = new Set<Policy>(open);
  for (const r of policy.podSelector?.selector.requirements ?? []) {
    if (r.operator !== 'In') continue;
    for (const v of r.values) for (const other of byLabel.get(`${r.key}\u0000${v}`) ?? []) candidates.add(other);
  }
  return [...candidates].filter(
    (q) => validField(q.podSelector) && selectorWeaker(q.podSelector?.selector, policy.podSelector?.selector),
  );
}

const coveredRules: Check = {
  codes: ['NR026'],
  run(context) {
    const facts = factsOf(context);
    const order = new Map(context.workspace.policies.map((p, i) => [p, i]));
    for (const policies of facts.policiesByNamespace.values()) {
      const subjects = policies.filter((p) => context.wanted(p.object.file.uri));
      if (subjects.length === 0) continue;
      // Candidate wider policies: those whose requirements are all `In` are found through
      // their label pairs; the others (`{}`, Exists, NotIn...) are always candidates.
      const byLabel = new Map<string, Policy[]>();
      const open: Policy[] = [];
      for (const q of policies) {
        const requirements = q.podSelector?.selector.requirements ?? [];
        if (requirements.length === 0 || requirements.some((r) => r.operator !== 'In')) {
          open.push(q);
          continue;
        }
        for (const r of requirements) {
          for (const v of r.values) {
            const key = `${r.key}\u0000${v}`;
            const list = byLabel.get(key);
            if (list) list.push(q);
            else byLabel.set(key, [q]);
          }
        }
      }
      for (const policy of subjects) {
        safely(() => checkCovered(context, policy, widerPolicies(policy, byLabel, open), order));
      }
    }
  },
};

interface Cover {
  readonly rule: Rule;
  readonly by: Rule;
}

function checkCovered(
  context: CheckContext,
  policy: Policy,
  wider: readonly Policy[],
  order: ReadonlyMap<Policy, number>,
): void {
  if (!validField(policy.podSelector)) return;
  const sameAs = new Map<Policy, boolean>();
  const same = (q: Policy) => {
    let result = sameAs.get(q);
    if (result === undefined)
      sameAs.set(q, (result = selectorWeaker(policy.podSelector?.selector, q.podSelector?.selector)));
    return result;
  };
  const position = (r: Rule) => [order.get(r.policy) ?? 0, r.index] as const;
  const earlier = (a: Rule, b: Rule) => {
    const [pa, ia] = position(a);
    const [pb, ib] = position(b);
    return pa < pb || (pa === pb && ia < ib);
  };
  /** `by` may vouch for `rule`: covering, and not merely an equal that comes later (so one of two equals stays). */
  const admissible = (rule: Rule, by: Rule) =>
    by !== rule &&
    !(by.policy !== rule.policy && isAllowAll(by)) && // NR025 reports those
    ruleCovered(rule, by) &&
    !(same(by.policy) && ruleCovered(by, rule) && earlier(rule, by));

  const covers: Cover[] = [];
  let allCoveredByOthers = true;
  let isolatingDirections = 0;
  for (const direction of DIRECTIONS) {
    if (!isolates(policy, direction)) continue;
    isolatingDirections++;
    const candidates = wider.filter((q) => isolates(q, direction));
    // The isolation itself must be provided by another policy for the policy to be redundant.
    const isolationCovered = candidates.some(
      (q) =>
        q !== policy &&
        !rulesOf(q, direction).some(isAllowAll) &&
        (!same(q) || (order.get(q) ?? 0) < (order.get(policy) ?? 0)),
    );
    if (!isolationCovered) allCoveredByOthers = false;
    for (const rule of rulesOf(policy, direction)) {
      let byOwn: Rule | undefined;
      let byOther: Rule | undefined;
      for (const q of candidates) {
        for (const other of rulesOf(q, direction)) {
          if (!admissible(rule, other)) continue;
          if (q === policy) byOwn ??= other;
          else byOther ??= other;
        }
        if (byOther) break;
      }
      if (!byOther) allCoveredByOthers = false;
      const by = byOther ?? byOwn;
      if (by) covers.push({ rule, by });
    }
  }
  if (isolatingDirections === 0) return;
  if (allCoveredByOthers) {
    const fixes = (): Fix[] => {
      const fix = deleteDocumentFix(policy, 'Delete this policy (other policies already do what it does)');
      return fix ? [fix] : [];
    };
    const coveringPolicies = [...new Set(covers.map((c) => c.by.policy))].filter((p) => p !== policy);
    context.report({
      code: 'NR026',
      severity: 'info',
      message: `This policy changes nothing: other policies selecting the same pods (or more) already isolate them${covers.length ? ' and allow everything its rules allow' : ''}.`,
      span: policy.object.nameSpan,
      related: coveringPolicies
        .slice(0, 3)
        .map((p) => ({ span: p.object.nameSpan, message: `${p.namespace}/${p.name} covers it` })),
      fixes,
    });
    return;
  }
  for (const { rule, by } of covers) {
    const where =
      by.policy === policy
        ? `rule ${by.index + 1} of this policy`
        : `a rule of ${by.policy.namespace}/${by.policy.name}, which selects the same pods or more,`;
    const fixes = (): Fix[] => {
      const fix = deleteRuleFix(rule, 'Delete this rule (it is covered)');
      return fix ? [fix] : [];
    };
    context.report({
      code: 'NR026',
      severity: 'info',
      message: `This rule allows nothing new: ${where} already allows these ${peersKey(rule.direction) === 'from' ? 'sources' : 'destinations'} on these ports.`,
      span: rule.span,
      related: [{ span: by.span, message: 'the rule that already allows it' }],
      fixes,
    });
  }
}

export const REDUNDANCY_CHECKS: readonly Check[] = [pointlessPolicy, coveredRules].map(trimmingSpans);
