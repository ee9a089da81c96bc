/**
 * Selectors judged against the rest of the workspace (NR027-NR031, NR034): selectors that
 * match nothing or everything, peers aimed at the wrong namespace, namespace labels
 * nobody set, and rules left dead by them (or by named ports no destination defines).
 *
 * False positives cost more than misses here: the workspace rarely holds the whole
 * cluster. A selector is only said to match nothing where the workspace describes the
 * pods it could match (the namespace has workloads in the workspace), and a namespace
 * label is only said to be missing when the workspace declares labelled Namespaces (or it
 * is the well-known `name` mistake).
 */
import { isMap, isPair, isScalar, isSeq, type Node, type YAMLMap } from 'yaml';
import { rangeOf, replaceSpan, yamlScalar } from '../edits';
import type { Fix, RelatedLocation, Span, TextEdit } from '../findings';
import {
  EVERYTHING,
  NAMESPACE_NAME_LABEL,
  requirementMatches,
  selectorMatches,
  type Requirement,
  type Selector,
} from '../labels';
import { isolates, type Peer, type Policy, type Rule, type SelectorField } from '../model';
import { keyOnly, peersKey, safely, type Check, type CheckContext } from './context';
import { deleteRuleFix, locate, styleOf } from './documentEdits';
import {
  factsOf,
  isTypo,
  listNames,
  selectorHint,
  selectorNodes,
  writtenEmptySelector,
  type Candidate,
  type Elsewhere,
  type Nearest,
  type RequirementNode,
  type SelectorNodes,
  type WorkspaceFacts,
  trimmingSpans,
} from './workspaceFacts';

/** NR027 names the namespaces a pod selector was probably meant for, when they are this few. */
const MAX_OTHER_NAMESPACES = 3;

function nearestRelated(nearest: Nearest | undefined): RelatedLocation[] {
  return nearest?.close && nearest.candidate.span?.uri
    ? [{ span: nearest.candidate.span, message: `the labels of ${nearest.candidate.name}` }]
    : [];
}

/**
 * The smallest node to blame for a selector that matches nothing: the one requirement
 * that on its own matches no candidate, else the whole selector field.
 */
function blameSpan(field: SelectorField, nodes: SelectorNodes | undefined, candidates: readonly Candidate[]): Span {
  const requirements = nodes?.requirements;
  if (!requirements) return field.span;
  const failing = requirements.filter((r) => !candidates.some((c) => requirementMatches(r.requirement, c.labels)));
  return failing.length === 1 ? failing[0].span : field.span;
}

/** A fix that corrects the one mistyped matchLabels entry to the nearest existing label. */
function correctLabelFix(
  file: Policy['object']['file'],
  nodes: SelectorNodes | undefined,
  nearest: Nearest | undefined,
): Fix[] {
  if (!nodes?.requirements || !nearest?.close || nearest.misses.length !== 1) return [];
  const miss = nearest.misses[0];
  const node = nodes.requirements.find((r) => r.requirement === miss.requirement);
  if (!node || !node.fromMatchLabels || !miss.closest || !node.keySpan || !node.valueSpan) return [];
  const [key, value] = miss.closest;
  const edits: TextEdit[] = [];
  if (key !== miss.requirement.key) edits.push(replaceSpan(node.keySpan, yamlScalar(key)));
  if (value !== miss.requirement.values[0]) edits.push(replaceSpan(node.valueSpan, yamlScalar(value)));
  if (edits.length === 0 || edits.some((e) => e.uri !== file.uri)) return [];
  return [{ title: `Change to ${key}: ${value}`, edits }];
}

/** Replaces a selector's value with `{}`, from the end of its key. */
function emptySelectorFix(file: Policy['object']['file'], nodes: SelectorNodes | undefined, title: string): Fix[] {
  if (!nodes?.value) return [];
  const range = rangeOf(nodes.value);
  if (!range) return [];
  let end = range[1];
  while (end > range[0] && /\s/.test(file.text[end - 1])) end--;
  return [{ title, edits: [{ uri: file.uri, start: nodes.keySpan.end, end, text: ': {}' }], preferred: true }];
}

/** The namespaces a selector pins by the automatic name label (`kubernetes.io/metadata.name In [...]`). */
function pinnedNames(selector: Selector): string[] | undefined {
  let names: string[] | undefined;
  for (const r of selector.requirements) {
    if (r.key !== NAMESPACE_NAME_LABEL || r.operator !== 'In') continue;
    names = names ? names.filter((n) => r.values.includes(n)) : [...r.values];
  }
  return names;
}

// ------------------------------------------------------------------ NR029, NR031 on spec.podSelector; NR027, NR028, NR030, NR031, NR034 on rules

interface SelectorState {
  readonly context: CheckContext;
  readonly facts: WorkspaceFacts;
  /** Namespaces declared by a Namespace manifest, by name. */
  readonly declared: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

const selectorChecks: Check = {
  codes: ['NR027', 'NR028', 'NR029', 'NR030', 'NR031', 'NR034'],
  run(context) {
    const facts = factsOf(context);
    const declared = new Map<string, ReadonlyMap<string, string>>();
    for (const namespace of context.workspace.namespaces.values()) {
      if (namespace.object) declared.set(namespace.name, namespace.labels);
    }
    const state: SelectorState = { context, facts, declared };
    for (const policy of context.policies) {
      safely(() => checkPolicySelector(state, policy));
      for (const rule of [...policy.ingress, ...policy.egress]) safely(() => checkRule(state, rule));
    }
  },
};

/** NR031 and NR029 on `spec.podSelector`. */
function checkPolicySelector(state: SelectorState, policy: Policy): void {
  const { context, facts } = state;
  const field = policy.podSelector;
  if (!field || field.invalid) return;
  const file = policy.object.file;
  if (writtenEmptySelector(file, field))
    reportWrittenEmpty(context, policy, field, 'podSelector', 'every pod of the namespace');
  const selector = field.selector;
  if (selector.requirements.length === 0) return;
  const namespace = policy.namespace;
  const here = facts.labelSets.get(namespace);
  if (here && facts.matchesIn(namespace, selector)) return;
  const elsewhere = facts.matchesElsewhere(namespace, selector);
  const otherNamespaces = elsewhere.namespaces;
  // Pods the workspace does not describe; or a pattern copied to many namespaces.
  if (!here && (otherNamespaces.length === 0 || otherNamespaces.length > MAX_OTHER_NAMESPACES)) return;
  const nodes = selectorNodes(file, field, 'podSelector');
  if (otherNamespaces.length > 0 && otherNamespaces.length <= MAX_OTHER_NAMESPACES) {
    const metadata = policy.object.map.get('metadata', true) as Node | undefined;
    const namespaceNode =
      metadata && isMap(metadata) ? (metadata.get('namespace', true) as Node | undefined) : undefined;
    const namespaceRange = namespaceNode && isScalar(namespaceNode) ? rangeOf(namespaceNode) : undefined;
    const namespaceSpan: Span | undefined = namespaceRange
      ? { uri: file.uri, start: namespaceRange[0], end: namespaceRange[1] }
      : undefined;
    const fixes: Fix[] =
      namespaceSpan && otherNamespaces.length === 1
        ? [
            {
              title: `Move the policy to namespace ${otherNamespaces[0]}`,
              edits: [replaceSpan(namespaceSpan, yamlScalar(otherNamespaces[0]))],
            },
          ]
        : [];
    context.report({
      code: 'NR029',
      severity: 'warning',
      message: `This policy selects no pod: nothing in namespace ${namespace} carries these labels, but pods in ${otherNamespaces.join(', ')} do. A policy only selects pods of its own namespace, so it protects nothing.`,
      span: namespaceSpan ?? field.span,
      related: elsewhere.examples.map((s) => ({
        span: s.workloads[0].labelsSpan,
        message: `${s.workloads[0].id} carries these labels`,
      })),
      fixes,
      data: { namespaces: otherNamespaces },
    });
    return;
  }
  const hint = facts.podSelectorHint([namespace], selector, `the pods of ${namespace}`);
  const candidates = hint.candidates;
  context.report({
    code: 'NR029',
    severity: 'warning',
    message:
      `This podSelector selects no pod of namespace ${namespace} in the workspace, so the policy isolates and allows nothing. ${hint.text}`.trim(),
    span: blameSpan(field, nodes, candidates),
    related: nearestRelated(hint.nearest),
    fixes: () => correctLabelFix(file, nodes, hint.nearest),
  });
}

function reportWrittenEmpty(
  context: CheckContext,
  policy: Policy,
  field: SelectorField,
  key: string,
  meaning: string,
): void {
  const file = policy.object.file;
  const nodes = selectorNodes(file, field, key);
  context.report({
    code: 'NR031',
    severity: 'info',
    message: `This ${key} has no conditions, so it matches ${meaning}. Write \`${key}: {}\` to say so plainly.`,
    span: nodes?.valueSpan ?? field.span,
    fixes: () => emptySelectorFix(file, nodes, `Replace with ${key}: {}`),
  });
}

/** Whether the namespace selector is always true: only `kubernetes.io/metadata.name Exists`. */
function matchesEveryNamespace(selector: Selector): boolean {
  return (
    selector.requirements.length > 0 &&
    selector.requirements.every((r) => r.key === NAMESPACE_NAME_LABEL && r.operator === 'Exists')
  );
}

function checkRule(state: SelectorState, rule: Rule): void {
  const effective = isolates(rule.policy, rule.direction);
  let certainlyDead = 0;
  for (const peer of rule.peers) {
    if (checkPeer(state, rule, peer)) certainlyDead++;
  }
  if (!effective) return;
  if (!rule.anyPeer && rule.peers.length > 0 && certainlyDead === rule.peers.length && rule.peersSpan) {
    reportDeadRule(
      state.context,
      rule,
      keyOnly(rule.peersSpan, peersKey(rule.direction)),
      rule.peers.length === 1
        ? `This rule allows nothing: its only peer matches no pod, so the rule is dead.`
        : `This rule allows nothing: none of its ${rule.peers.length} peers matches a pod, so the rule is dead.`,
    );
    return;
  }
  const names = deadPortNames(state, rule);
  if (names && rule.portsSpan) {
    const side = rule.direction === 'ingress' ? 'the selected pods' : 'the peer pods';
    reportDeadRule(
      state.context,
      rule,
      keyOnly(rule.portsSpan, 'ports'),
      `This rule allows nothing: ${side} define no port named ${names}, so its ports resolve to nothing and the rule is dead.`,
    );
  }
}

function reportDeadRule(context: CheckContext, rule: Rule, span: Span, message: string): void {
  const fixes = (): Fix[] => {
    const fix = deleteRuleFix(rule, 'Delete this rule (it allows nothing)');
    return fix ? [fix] : [];
  };
  context.report({ code: 'NR034', severity: 'warning', message, span, fixes });
}

/**
 * Every port of the rule is a name and no destination defines any of them (ingress: the
 * selected pods; egress: the pods of peers whose namespaces the workspace describes).
 * Returns the names, or undefined when the rule's ports may resolve.
 */
function deadPortNames(state: SelectorState, rule: Rule): string | undefined {
  if (rule.anyPort || rule.ports.length === 0) return undefined;
  for (const spec of rule.ports) if (typeof spec.port !== 'string') return undefined;
  const { facts } = state;
  /** Whether a pod of `namespace` matched by `selector` defines one of the rule's port names. */
  const resolves = (namespace: string, selector: Selector) => {
    for (const spec of rule.ports) {
      for (const set of facts.definers(namespace, spec.port as string, spec.protocol)) {
        if (selectorMatches(selector, set.labels)) return true;
      }
    }
    return false;
  };
  if (rule.direction === 'ingress') {
    const namespace = rule.policy.namespace;
    const selector = rule.policy.podSelector?.selector ?? EVERYTHING;
    if (!facts.matchesIn(namespace, selector) || resolves(namespace, selector)) return undefined;
    return deadNames(rule);
  }
  if (rule.anyPeer) return undefined;
  let matchesSome = false;
  for (const peer of rule.peers) {
    const targets = closedTargets(state, rule.policy, peer);
    if (!targets) return undefined;
    const selector = peer.podSelector?.selector ?? EVERYTHING;
    for (const namespace of targets) {
      if (!facts.labelSets.has(namespace)) return undefined; // pods the workspace does not describe
      if (resolves(namespace, selector)) return undefined;
      matchesSome ||= facts.matchesIn(namespace, selector);
    }
  }
  return matchesSome ? deadNames(rule) : undefined;
}

function deadNames(rule: Rule): string {
  return listNames(
    rule.ports.map((p) => `${String(p.port)} (${p.protocol})`),
    4,
  );
}

/**
 * The namespaces a selector peer can only ever reach, when they are fixed by the text:
 * the policy's own namespace for a pod selector alone, or the names a namespace selector
 * pins. Undefined otherwise.
 */
function closedTargets(state: SelectorState, policy: Policy, peer: Peer): string[] | undefined {
  if (peer.ipBlock) return undefined;
  if (!peer.namespaceSelector) return [policy.namespace];
  if (peer.namespaceSelector.invalid) return undefined;
  const pinned = pinnedNames(peer.namespaceSelector.selector);
  if (!pinned) return undefined;
  const namespaces = state.context.workspace.namespaces;
  // Other requirements may still rule a pinned namespace out; then it is no target.
  return pinned.filter((name) => {
    const known = namespaces.get(name);
    return !known || peer.namespaceSelector!.selector.requirements.every((r) => requirementMatches(r, known.labels));
  });
}

/** Checks one peer's selectors; returns true when the peer certainly matches no pod. */
function checkPeer(state: SelectorState, rule: Rule, peer: Peer): boolean {
  if (peer.ipBlock) return false;
  const { context, facts } = state;
  const policy = rule.policy;
  const file = policy.object.file;
  const nsField = peer.namespaceSelector;
  const podField = peer.podSelector;
  let namespaceProblem = false;
  let matchedNamespaces: readonly string[] = [];
  if (nsField && !nsField.invalid) {
    if (writtenEmptySelector(file, nsField))
      reportWrittenEmpty(context, policy, nsField, 'namespaceSelector', 'every namespace');
    else if (matchesEveryNamespace(nsField.selector)) {
      const nodes = selectorNodes(file, nsField, 'namespaceSelector');
      context.report({
        code: 'NR031',
        severity: 'info',
        message: `Every namespace carries \`${NAMESPACE_NAME_LABEL}\`, so this namespaceSelector matches every namespace. Write \`namespaceSelector: {}\` to say so plainly.`,
        span: nodes?.valueSpan ?? nsField.span,
        fixes: () => emptySelectorFix(file, nodes, 'Replace with namespaceSelector: {}'),
      });
    }
    namespaceProblem = checkNamespaceLabels(state, policy, nsField);
    matchedNamespaces = facts.namespacesMatching(nsField.selector);
    if (!namespaceProblem && matchedNamespaces.length === 0 && nsField.selector.requirements.length > 0) {
      namespaceProblem = checkNamespaceMatchesNothing(state, policy, nsField);
    }
  }
  if (podField && !podField.invalid && writtenEmptySelector(file, podField)) {
    reportWrittenEmpty(
      context,
      policy,
      podField,
      'podSelector',
      nsField ? 'every pod of the selected namespaces' : `every pod of ${policy.namespace}`,
    );
  }
  if (namespaceProblem || !podField || podField.invalid || podField.selector.requirements.length === 0) return false;
  if (nsField?.invalid) return false;

  // Which namespaces the pod selector looks in, and whether that set is fixed by the text.
  let targets: string[];
  let closed: boolean;
  if (!nsField) {
    targets = [policy.namespace];
    closed = true;
  } else {
    const pinned = closedTargets(state, policy, peer);
    if (pinned) {
      targets = pinned;
      closed = true;
    } else if (nsField.selector.requirements.length === 0) {
      return false; // every namespace, including those the workspace does not describe
    } else {
      targets = matchedNamespaces.filter((ns) => state.declared.has(ns));
      closed = false;
    }
  }
  const selector = podField.selector;
  if (targets.length === 0 || targets.some((ns) => facts.matchesIn(ns, selector))) return false;
  let elsewhereNote = '';
  if (!nsField) {
    const elsewhere = facts.matchesElsewhere(policy.namespace, selector);
    const count = elsewhere.namespaces.length;
    // A few namespaces: the peer was meant for one of them. Many: the pattern is meant
    // for each namespace's own pods, and this namespace lacks them (NR030 below).
    // Only where the workspace describes the policy's own namespace: otherwise its pods are unknown.
    if (count > 0 && count <= MAX_OTHER_NAMESPACES && facts.labelSets.has(policy.namespace)) {
      reportOtherNamespace(context, rule, peer, podField, elsewhere);
      return false;
    }
    if (count > 0) elsewhereNote = ` (Pods in ${count} other namespaces carry these labels.)`;
  }
  if (targets.some((ns) => !facts.labelSets.has(ns))) return false; // pods the workspace does not describe
  const nodes = selectorNodes(file, podField, 'podSelector');
  const where = targets.length === 1 ? `namespace ${targets[0]}` : `namespaces ${targets.join(', ')}`;
  const hint = facts.podSelectorHint(targets, selector, `the pods of ${where}`);
  const candidates = hint.candidates;
  context.report({
    code: 'NR030',
    severity: 'warning',
    message:
      `This podSelector matches no pod of ${where} in the workspace, so this peer allows no traffic. ${hint.text}${elsewhereNote}`.trim(),
    span: blameSpan(podField, nodes, candidates),
    related: nearestRelated(hint.nearest),
    fixes: () => correctLabelFix(file, nodes, hint.nearest),
  });
  return closed;
}

/** NR027: a pod selector alone (the policy's namespace) whose labels only exist in other namespaces. */
function reportOtherNamespace(
  context: CheckContext,
  rule: Rule,
  peer: Peer,
  podField: SelectorField,
  elsewhere: Elsewhere,
): void {
  const policy = rule.policy;
  const file = policy.object.file;
  const namespaces = elsewhere.namespaces;
  const fixes = (): Fix[] => {
    const result: Fix[] = [];
    const peerNode = peerMap(rule, peer);
    // Next to a namespace-only peer, merging the two (NR022) may be what was meant: then
    // neither fix is applied on its own ("fix all" would otherwise write two namespaceSelectors).
    const besideNamespacePeer = rule.peers.some(
      (p) => Math.abs(p.index - peer.index) === 1 && p.namespaceSelector && !p.podSelector && !p.ipBlock,
    );
    if (peerNode) {
      for (const namespace of namespaces.slice(0, 3)) {
        const edit = addNamespaceSelector(file, peerNode, namespace);
        if (edit)
          result.push({
            title: `Add namespaceSelector for namespace ${namespace}`,
            edits: [edit],
            preferred: namespaces.length === 1 && !besideNamespacePeer,
          });
      }
    }
    return result;
  };
  const side = rule.direction === 'ingress' ? 'from' : 'to';
  context.report({
    code: 'NR027',
    severity: 'warning',
    message: `A podSelector alone means pods of the policy's own namespace (${policy.namespace}), where no pod carries these labels; they exist only in ${namespaces.join(', ')}. This peer does not allow traffic ${side} those pods: add a namespaceSelector to the same peer.`,
    span: podField.span,
    related: elsewhere.examples.map((s) => ({
      span: s.workloads[0].labelsSpan,
      message: `${s.workloads[0].id} carries these labels`,
    })),
    fixes,
    data: { namespaces },
  });
}

/** The mapping of a peer, found through its rule's `from`/`to` list. */
function peerMap(rule: Rule, peer: Peer): YAMLMap | undefined {
  if (!rule.peersSpan) return undefined;
  const pair = locate(rule.policy.object.file, rule.peersSpan);
  if (!pair || !isPair(pair) || !isSeq(pair.value)) return undefined;
  const item = pair.value.items[peer.index];
  return isMap(item) ? item : undefined;
}

/** `namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ns}}` added to a peer, in the peer's style. */
function addNamespaceSelector(file: Policy['object']['file'], peer: YAMLMap, namespace: string): TextEdit | undefined {
  const range = peer.range;
  if (!range || peer.items.length === 0) return undefined;
  const value = yamlScalar(namespace);
  if (peer.flow) {
    return {
      uri: file.uri,
      start: range[1] - 1,
      end: range[1] - 1,
      text: `, namespaceSelector: {matchLabels: {${NAMESPACE_NAME_LABEL}: ${value}}}`,
    };
  }
  const first = peer.items[0];
  const firstRange = rangeOf(first);
  if (!firstRange) return undefined;
  const lineStart = file.text.lastIndexOf('\n', firstRange[0] - 1) + 1;
  const indent = ' '.repeat(firstRange[0] - lineStart);
  const unit = styleOf(file).unit;
  // Before the first key: it keeps the peer's dash on the first line and the selector's lines together.
  const text = `namespaceSelector:\n${indent}${unit}matchLabels:\n${indent}${unit}${unit}${NAMESPACE_NAME_LABEL}: ${value}\n${indent}`;
  return { uri: file.uri, start: firstRange[0], end: firstRange[0], text };
}

/**
 * NR028: a namespace selector on a label no namespace carries. Reported for the
 * well-known `name` label always, for other labels only when the workspace declares
 * labelled Namespaces (otherwise the labels may well be set in the cluster).
 * Returns true when something was reported.
 */
function checkNamespaceLabels(state: SelectorState, policy: Policy, field: SelectorField): boolean {
  const { context, facts } = state;
  const file = policy.object.file;
  let reported = false;
  let nodes: SelectorNodes | undefined | null = null;
  for (const requirement of field.selector.requirements) {
    if (requirement.operator !== 'In' && requirement.operator !== 'Exists') continue;
    if (facts.namespaceKeys.has(requirement.key)) continue;
    const wellKnown = requirement.key === 'name';
    if (!wellKnown && !facts.labelledNamespaces) continue;
    if (nodes === null) nodes = selectorNodes(file, field, 'namespaceSelector');
    const node: RequirementNode | undefined = nodes?.requirements?.find((r) => r.requirement === requirement);
    const fixes: Fix[] = [];
    let message: string;
    if (wellKnown) {
      const values = requirement.operator === 'In' ? requirement.values : [];
      if (node?.keySpan) {
        fixes.push({
          title: `Use ${NAMESPACE_NAME_LABEL}`,
          edits: [replaceSpan(node.keySpan, NAMESPACE_NAME_LABEL)],
          preferred: true,
        });
      }
      message = `No namespace in the workspace carries the label \`name\`: Kubernetes does not set it, so unless someone labelled the namespace by hand this matches no namespace and the peer allows nothing. Every namespace carries \`${NAMESPACE_NAME_LABEL}\`${values.length === 1 ? ` (\`${NAMESPACE_NAME_LABEL}: ${values[0]}\`)` : ''}.`;
    } else {
      const keys = [...facts.namespaceKeys].filter((k) => k !== NAMESPACE_NAME_LABEL).sort();
      const near = keys.find((k) => isTypo(requirement.key, k));
      if (near && node?.keySpan)
        fixes.push({ title: `Use ${near}`, edits: [replaceSpan(node.keySpan, yamlScalar(near))] });
      message = `No Namespace in the workspace carries the label \`${requirement.key}\`, so this selector matches none of them and the peer allows nothing (unless the cluster labels namespaces differently). ${near ? `Did you mean \`${near}\`?` : `Namespaces here carry: ${[NAMESPACE_NAME_LABEL, ...keys].join(', ')}.`}`;
    }
    context.report({
      code: 'NR028',
      severity: 'warning',
      message,
      span: node?.span ?? field.span,
      related: namespaceRelated(state, requirement),
      fixes,
    });
    reported = true;
  }
  return reported;
}

function namespaceRelated(state: SelectorState, requirement: Requirement): RelatedLocation[] {
  if (requirement.operator !== 'In') return [];
  const related: RelatedLocation[] = [];
  for (const value of requirement.values) {
    const object = state.context.workspace.namespaces.get(value)?.object;
    if (object)
      related.push({ span: object.nameSpan, message: `Namespace ${value}, without a \`${requirement.key}\` label` });
  }
  return related;
}

/**
 * NR030 for a namespace selector that matches no known namespace: a typo of a namespace
 * name, or labels that no declared Namespace carries with those values. Names of
 * namespaces the workspace does not know are left alone (kube-system, monitoring, ...).
 */
function checkNamespaceMatchesNothing(state: SelectorState, policy: Policy, field: SelectorField): boolean {
  const { context } = state;
  const file = policy.object.file;
  const known = context.workspace.namespaces;
  const pinned = pinnedNames(field.selector);
  const nodes = selectorNodes(file, field, 'namespaceSelector');
  if (pinned && pinned.length > 0 && pinned.every((n) => !known.has(n))) {
    const suggestions = pinned.map((n) => [...known.keys()].sort().find((k) => isTypo(n, k)));
    if (suggestions.some((s) => s === undefined)) return false;
    const node = nodes?.requirements?.find(
      (r) => r.requirement.key === NAMESPACE_NAME_LABEL && r.requirement.operator === 'In',
    );
    const fixes: Fix[] =
      pinned.length === 1 && node?.fromMatchLabels && node.valueSpan
        ? [{ title: `Change to ${suggestions[0]}`, edits: [replaceSpan(node.valueSpan, yamlScalar(suggestions[0]!))] }]
        : [];
    const target = known.get(suggestions[0]!)?.object;
    context.report({
      code: 'NR030',
      severity: 'warning',
      message: `No namespace named ${pinned.join(', ')} in the workspace, so this peer likely allows nothing. Did you mean ${suggestions.join(', ')}?`,
      span: node?.span ?? field.span,
      related: target ? [{ span: target.nameSpan, message: `Namespace ${suggestions[0]}` }] : [],
      fixes,
    });
    return true;
  }
  if (pinned && pinned.some((n) => !known.has(n))) return false;
  // Only where the workspace defines the labels: some declared Namespace carries each key.
  const carried = (r: Requirement) =>
    (r.operator !== 'In' && r.operator !== 'Exists') || state.facts.namespaceKeys.has(r.key);
  if (state.declared.size === 0 || !field.selector.requirements.every(carried)) return false;
  const candidates: Candidate[] = [...state.declared].map(([name, labels]) => ({
    labels,
    name: `namespace ${name}`,
    span: known.get(name)?.object?.nameSpan,
  }));
  const hint = selectorHint(field.selector, candidates, 'the declared namespaces');
  context.report({
    code: 'NR030',
    severity: 'warning',
    message:
      `This namespaceSelector matches no Namespace declared in the workspace, so this peer allows nothing unless the cluster has other namespaces with these labels. ${hint.text}`.trim(),
    span: blameSpan(field, nodes, candidates),
    related: nearestRelated(hint.nearest),
    fixes: () => correctLabelFix(file, nodes, hint.nearest),
  });
  return true;
}

export const SELECTOR_TARGET_CHECKS: readonly Check[] = [selectorChecks].map(trimmingSpans);
