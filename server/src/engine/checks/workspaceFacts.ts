/**
 * Facts about the workspace that several workspace checks share (NR025-NR034,
 * NR070-NR072), computed once per reachability index: the distinct pod label sets of
 * each namespace, which namespaces the workspace knows and which labels they carry, and
 * the YAML nodes behind a selector. Also the "nearest labels" hints for selectors that
 * match nothing.
 *
 * Everything here answers from the index's workload groups (one entry per distinct
 * namespace + labels), never from pairs of workloads, so it stays cheap on large
 * workspaces.
 */
import { isMap, isPair, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import { rangeOf } from '../edits';
import { locate } from './documentEdits';
import type { Span } from '../findings';
import {
  describeRequirement,
  NAMESPACE_NAME_LABEL,
  requirementMatches,
  selectorMatches,
  type Labels,
  type Requirement,
  type Selector,
} from '../labels';
import type { Policy, SelectorField, Workload } from '../model';
import type { ReachabilityIndex } from '../reachability';
import type { ParsedFile } from '../yamlFile';
import type { Check, CheckContext } from './context';

/** One distinct label set of a namespace's pods, with the workloads that carry it. */
export interface LabelSet {
  readonly namespace: string;
  readonly labels: Labels;
  readonly workloads: readonly Workload[];
}

export interface Elsewhere {
  /** Sorted. */
  readonly namespaces: readonly string[];
  /** Up to three examples, one per namespace first. */
  readonly examples: readonly LabelSet[];
}

const NOWHERE: Elsewhere = { namespaces: [], examples: [] };

export interface WorkspaceFacts {
  /** Distinct pod label sets per namespace (only namespaces with workloads). */
  readonly labelSets: ReadonlyMap<string, readonly LabelSet[]>;
  readonly allLabelSets: readonly LabelSet[];
  /** Label keys that some known namespace carries (always the automatic name label). */
  readonly namespaceKeys: ReadonlySet<string>;
  /** Some Namespace manifest of the workspace sets labels of its own. */
  readonly labelledNamespaces: boolean;
  readonly policiesByNamespace: ReadonlyMap<string, readonly Policy[]>;
  /** Whether the pod selector matches some workload of the namespace (cached). */
  matchesIn(namespace: string, selector: Selector): boolean;
  /** The other namespaces than `namespace` with pods the pod selector matches, and a few of those pods' label sets. */
  matchesElsewhere(namespace: string, selector: Selector): Elsewhere;
  /** The known namespaces a namespace selector matches (cached). */
  namespacesMatching(selector: Selector): readonly string[];
  /** The label sets of the namespace whose workloads define a container port `name` with `protocol`. */
  definers(namespace: string, name: string, protocol: string): readonly LabelSet[];
  /** The pods of these namespaces as candidates, and `selectorHint` for a pod selector that matches none of them (cached). */
  podSelectorHint(namespaces: readonly string[], selector: Selector, what: string): PodSelectorHint;
}

export interface PodSelectorHint {
  readonly candidates: readonly Candidate[];
  readonly text: string;
  readonly nearest?: Nearest;
}

const cache = new WeakMap<ReachabilityIndex, WorkspaceFacts>();

export function factsOf(context: CheckContext): WorkspaceFacts {
  let facts = cache.get(context.index);
  if (!facts) {
    facts = computeFacts(context);
    cache.set(context.index, facts);
  }
  return facts;
}

/** What the facts know from the workload groups alone: kept while the groups are the same (see `groupsToken`). */
type GroupFacts = Pick<
  WorkspaceFacts,
  'labelSets' | 'allLabelSets' | 'matchesIn' | 'matchesElsewhere' | 'definers' | 'podSelectorHint'
>;

const groupFactsCache = new WeakMap<object, GroupFacts>();

function groupFactsOf(index: ReachabilityIndex): GroupFacts {
  let facts = groupFactsCache.get(index.groupsToken);
  if (!facts) {
    facts = computeGroupFacts(index);
    groupFactsCache.set(index.groupsToken, facts);
  }
  return facts;
}

function computeGroupFacts(index: ReachabilityIndex): GroupFacts {
  const labelSets = new Map<string, LabelSet[]>();
  const allLabelSets: LabelSet[] = [];
  for (const group of index.groups) {
    const set: LabelSet = { namespace: group.namespace, labels: group.labels, workloads: group.workloads };
    allLabelSets.push(set);
    const list = labelSets.get(group.namespace);
    if (list) list.push(set);
    else labelSets.set(group.namespace, [set]);
  }
  const matchCache = new Map<string, Map<string, boolean>>();
  const anywhereCache = new Map<string, Map<string, LabelSet[]>>();
  const hintCache = new Map<string, PodSelectorHint>();
  let portNames: Map<string, Map<string, LabelSet[]>> | undefined;
  return {
    labelSets,
    allLabelSets,
    matchesIn(namespace, selector) {
      let byNamespace = matchCache.get(selector.key);
      if (!byNamespace) matchCache.set(selector.key, (byNamespace = new Map()));
      let result = byNamespace.get(namespace);
      if (result === undefined) {
        result = (labelSets.get(namespace) ?? []).some((s) => selectorMatches(selector, s.labels));
        byNamespace.set(namespace, result);
      }
      return result;
    },
    matchesElsewhere(namespace, selector) {
      let anywhere = anywhereCache.get(selector.key);
      if (!anywhere) {
        anywhere = new Map();
        for (const set of allLabelSets) {
          if (!selectorMatches(selector, set.labels)) continue;
          const list = anywhere.get(set.namespace);
          if (list) list.push(set);
          else anywhere.set(set.namespace, [set]);
        }
        anywhereCache.set(selector.key, anywhere);
      }
      if (anywhere.size === 0 || (anywhere.size === 1 && anywhere.has(namespace))) return NOWHERE;
      const namespaces = [...anywhere.keys()].filter((ns) => ns !== namespace).sort();
      return { namespaces, examples: namespaces.slice(0, 3).map((ns) => anywhere!.get(ns)![0]) };
    },
    definers(namespace, name, protocol) {
      if (!portNames) {
        portNames = new Map();
        for (const set of allLabelSets) {
          let byName = portNames.get(set.namespace);
          if (!byName) portNames.set(set.namespace, (byName = new Map()));
          for (const workload of set.workloads) {
            for (const port of workload.ports) {
              if (!port.name) continue;
              const key = `${port.name}/${port.protocol}`;
              const list = byName.get(key);
              if (!list) byName.set(key, [set]);
              else if (list[list.length - 1] !== set) list.push(set);
            }
          }
        }
      }
      return portNames.get(namespace)?.get(`${name}/${protocol}`) ?? [];
    },
    podSelectorHint(namespaces, selector, what) {
      const key = `${namespaces.join('\u0000')}\u0001${selector.key}\u0001${what}`;
      let hint = hintCache.get(key);
      if (!hint) {
        const candidates = namespaces
          .flatMap((ns) => labelSets.get(ns) ?? [])
          .map((s) => ({ labels: s.labels, name: s.workloads[0].id, span: s.workloads[0].labelsSpan }));
        hint = { candidates, ...selectorHint(selector, candidates, what) };
        hintCache.set(key, hint);
      }
      return hint;
    },
  };
}

function computeFacts(context: CheckContext): WorkspaceFacts {
  const namespaceKeys = new Set<string>([NAMESPACE_NAME_LABEL]);
  let labelledNamespaces = false;
  for (const namespace of context.workspace.namespaces.values()) {
    for (const key of namespace.labels.keys()) namespaceKeys.add(key);
    if (namespace.object && [...namespace.labels.keys()].some((k) => k !== NAMESPACE_NAME_LABEL))
      labelledNamespaces = true;
  }
  const policiesByNamespace = new Map<string, Policy[]>();
  for (const policy of context.workspace.policies) {
    const list = policiesByNamespace.get(policy.namespace);
    if (list) list.push(policy);
    else policiesByNamespace.set(policy.namespace, [policy]);
  }
  const namespaceCache = new Map<string, string[]>();
  return {
    ...groupFactsOf(context.index),
    namespaceKeys,
    labelledNamespaces,
    policiesByNamespace,
    namespacesMatching(selector) {
      let result = namespaceCache.get(selector.key);
      if (!result) {
        result = [...context.workspace.namespaces.values()]
          .filter((n) => selectorMatches(selector, n.labels))
          .map((n) => n.name);
        namespaceCache.set(selector.key, result);
      }
      return result;
    },
  };
}

// ------------------------------------------------------------------ selector YAML

/** Where one requirement of a selector is written. */
export interface RequirementNode {
  readonly requirement: Requirement;
  /** `key: value` of matchLabels, or the whole match expression. */
  readonly span: Span;
  /** The key scalar (matchLabels key, or the expression's `key` value). */
  readonly keySpan?: Span;
  /** The value scalar of a matchLabels entry. */
  readonly valueSpan?: Span;
  readonly fromMatchLabels: boolean;
}

export interface SelectorNodes {
  /** `podSelector: ...`, key to end of value. */
  readonly pair: Pair;
  readonly keySpan: Span;
  /** The value node (a mapping), when there is one. */
  readonly value: Node | undefined;
  readonly valueSpan: Span | undefined;
  /** The requirements with their nodes, in the order of `selector.requirements`; undefined if they could not be lined up. */
  readonly requirements: readonly RequirementNode[] | undefined;
}

function spanOf(file: ParsedFile, node: Node | Pair | null | undefined): Span | undefined {
  const range = node ? rangeOf(node) : undefined;
  return range ? { uri: file.uri, start: range[0], end: range[1] } : undefined;
}

/** The YAML behind a selector field (`podSelector`/`namespaceSelector`). Never throws. */
export function selectorNodes(file: ParsedFile, field: SelectorField, keyName: string): SelectorNodes | undefined {
  try {
    const found = locate(file, field.span);
    let pair: Pair | undefined;
    if (found && isPair(found) && isScalar(found.key) && String(found.key.value) === keyName) pair = found;
    else if (found && isMap(found)) pair = found.items.find((p) => isScalar(p.key) && String(p.key.value) === keyName);
    if (!pair) return undefined;
    const keySpan = spanOf(file, pair.key as Node)!;
    const value = (pair.value ?? undefined) as Node | undefined;
    const valueSpan = spanOf(file, value);
    const requirements: RequirementNode[] = [];
    if (value && isMap(value)) {
      const matchLabels = value.get('matchLabels', true) as Node | undefined;
      if (matchLabels && isMap(matchLabels)) {
        for (const entry of matchLabels.items) {
          if (!isScalar(entry.key)) continue;
          const valueNode = entry.value as Node | null;
          const text = valueNode && isScalar(valueNode) ? valueNode.value : undefined;
          if (typeof text !== 'string') continue;
          requirements.push({
            requirement: { key: String(entry.key.value), operator: 'In', values: [text] },
            span: spanOf(file, entry)!,
            keySpan: spanOf(file, entry.key as Node),
            valueSpan: spanOf(file, valueNode),
            fromMatchLabels: true,
          });
        }
      }
      const expressions = value.get('matchExpressions', true) as Node | undefined;
      if (expressions && isSeq(expressions)) {
        for (const item of expressions.items) {
          if (!isMap(item)) continue;
          const keyNode = (item as YAMLMap).get('key', true) as Node | undefined;
          if (!keyNode || !isScalar(keyNode) || typeof keyNode.value !== 'string') continue;
          requirements.push({
            requirement: { key: keyNode.value, operator: 'In', values: [] },
            span: spanOf(file, item as Node)!,
            keySpan: spanOf(file, keyNode),
            fromMatchLabels: false,
          });
        }
      }
    }
    const lined =
      requirements.length === field.selector.requirements.length &&
      requirements.every((r, i) => r.requirement.key === field.selector.requirements[i].key);
    return {
      pair,
      keySpan,
      value,
      valueSpan,
      requirements: lined
        ? requirements.map((r, i) => ({ ...r, requirement: field.selector.requirements[i] }))
        : undefined,
    };
  } catch {
    return undefined;
  }
}

/**
 * Whether the selector is written with content although it has no requirements
 * (`matchLabels: {}`, `matchExpressions: []`): it means `{}`, everything.
 */
export function writtenEmptySelector(file: ParsedFile, field: SelectorField): boolean {
  if (field.invalid || field.selector.requirements.length > 0) return false;
  // Cheap test first: `podSelector: {}` and `podSelector:` are the plain spellings.
  const text = file.text.slice(field.span.start, field.span.end);
  const afterKey = text
    .slice(text.indexOf(':') + 1)
    .replace(/#[^\n]*/g, '')
    .trim();
  return afterKey !== '' && afterKey !== '{}' && afterKey !== 'null' && afterKey !== '~';
}

// ------------------------------------------------------------------ nearest labels

/**
 * Edit distance counting a swap of two neighbours as one edit (optimal string alignment),
 * giving up (returning `limit + 1`) beyond `limit`; only a band around the diagonal is computed.
 */
export function editDistance(a: string, b: string, limit = 64): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const far = limit + 1;
  let before = new Array<number>(b.length + 1).fill(far);
  let previous = new Array<number>(b.length + 1);
  let current = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) previous[j] = j <= limit ? j : far;
  for (let i = 1; i <= a.length; i++) {
    current.fill(far);
    current[0] = i <= limit ? i : far;
    let rowMin = current[0];
    for (let j = Math.max(1, i - limit); j <= Math.min(b.length, i + limit); j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let value = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (
        i > 1 &&
        j > 1 &&
        a.charCodeAt(i - 1) === b.charCodeAt(j - 2) &&
        a.charCodeAt(i - 2) === b.charCodeAt(j - 1)
      ) {
        value = Math.min(value, before[j - 2] + 1);
      }
      current[j] = Math.min(value, far);
      if (current[j] < rowMin) rowMin = current[j];
    }
    if (rowMin > limit) return far;
    [before, previous, current] = [previous, current, before];
  }
  return Math.min(previous[b.length], far);
}

/** A typo, not another word: at most two edits, and fewer than half the characters. */
export function isTypo(written: string, existing: string): boolean {
  if (written === existing) return false;
  const distance = editDistance(written, existing, 2);
  return distance <= 2 && distance * 2 < Math.max(written.length, existing.length);
}

export interface Candidate {
  readonly labels: Labels;
  /** Names the candidate in messages (a workload id, a namespace name). */
  readonly name: string;
  readonly span?: Span;
}

export interface Nearest {
  readonly candidate: Candidate;
  /** The requirements the candidate fails, each with the label of the candidate closest to it. */
  readonly misses: readonly { requirement: Requirement; closest?: [string, string] }[];
  /** Every miss is a small typo of an existing label (same key and a close value, or a close key and value). */
  readonly close: boolean;
}

/**
 * How far a label set is from satisfying one requirement, and the closest label when it
 * is a typo away. `keys` are the label keys worth looking at: the requirement's own and
 * those a typo away from it.
 */
function missCost(
  requirement: Requirement,
  labels: Labels,
  keys: readonly string[],
): { cost: number; closest?: [string, string]; close: boolean } {
  if (requirement.operator === 'NotIn' || requirement.operator === 'DoesNotExist') return { cost: 10, close: false };
  let best: { cost: number; closest?: [string, string]; close: boolean } = { cost: 10, close: false };
  for (const key of keys) {
    const value = labels.get(key);
    if (value === undefined) continue;
    const keyCost = key === requirement.key ? 0 : editDistance(requirement.key, key, 2);
    let valueCost = 0;
    if (requirement.operator === 'In' && !requirement.values.includes(value)) {
      const typo = requirement.values.find((v) => isTypo(v, value));
      valueCost = typo !== undefined ? editDistance(typo, value, 2) : 3;
    }
    // Close: a typo in the key or in the value (another word is another label, not a typo).
    const close = (keyCost === 0 || valueCost === 0) && keyCost + valueCost <= 2;
    const cost = keyCost * 2 + valueCost;
    if (cost < best.cost) best = { cost, closest: [key, value], close };
  }
  return best;
}

/** The candidate whose labels come closest to satisfying the selector. */
export function nearestCandidate(selector: Selector, candidates: readonly Candidate[]): Nearest | undefined {
  const distinctKeys = new Set<string>();
  for (const candidate of candidates) for (const key of candidate.labels.keys()) distinctKeys.add(key);
  const keysFor = new Map<Requirement, string[]>(
    selector.requirements.map((r) => [r, [...distinctKeys].filter((k) => k === r.key || isTypo(r.key, k))]),
  );
  let best: (Nearest & { cost: number }) | undefined;
  for (const candidate of candidates) {
    let cost = 0;
    let close = true;
    const misses: { requirement: Requirement; closest?: [string, string] }[] = [];
    for (const requirement of selector.requirements) {
      if (requirementMatches(requirement, candidate.labels)) continue;
      const miss = missCost(requirement, candidate.labels, keysFor.get(requirement)!);
      cost += miss.cost;
      close = close && miss.close;
      misses.push({ requirement, closest: miss.closest });
      if (best && cost >= best.cost) break;
    }
    if (misses.length === 0) continue;
    if (!best || cost < best.cost) best = { candidate, misses, close, cost };
  }
  return best;
}

/** `app=web` style text of label pairs. */
export function labelText(pairs: Iterable<readonly [string, string]>): string {
  return [...pairs].map(([k, v]) => `${k}=${v}`).join(', ');
}

/**
 * A hint for a selector that matches nothing: the nearest existing labels ("did you
 * mean app=web (shop/web[Deployment])?"), or the labels in use when nothing is close.
 */
export function selectorHint(
  selector: Selector,
  candidates: readonly Candidate[],
  what: string,
): { text: string; nearest?: Nearest } {
  const nearest = nearestCandidate(selector, candidates);
  if (nearest && nearest.close) {
    const suggested = selector.requirements.map((r) => {
      const miss = nearest.misses.find((m) => m.requirement === r);
      if (!miss) return describeRequirement(r);
      return miss.closest ? `${miss.closest[0]}=${miss.closest[1]}` : describeRequirement(r);
    });
    return { text: `Did you mean ${suggested.join(', ')} (${nearest.candidate.name})?`, nearest };
  }
  const keys = new Set(selector.requirements.map((r) => r.key));
  const inUse = new Set<string>();
  for (const candidate of candidates) {
    for (const [k, v] of candidate.labels) if (keys.has(k) && k !== NAMESPACE_NAME_LABEL) inUse.add(`${k}=${v}`);
  }
  if (inUse.size === 0) {
    for (const candidate of candidates)
      for (const [k, v] of candidate.labels) if (k !== NAMESPACE_NAME_LABEL) inUse.add(`${k}=${v}`);
  }
  if (inUse.size === 0) return { text: '' };
  const list = [...inUse].sort();
  const shown = list.slice(0, 6).join(', ') + (list.length > 6 ? `, and ${list.length - 6} more` : '');
  return { text: `Labels ${what} carry: ${shown}.`, nearest };
}

/** Up to `max` names, then "and N more". */
export function listNames(names: readonly string[], max = 3): string {
  const unique = [...new Set(names)];
  if (unique.length <= max) return unique.join(', ');
  return `${unique.slice(0, max).join(', ')} and ${unique.length - max} more`;
}

/**
 * The check, reporting spans without the trailing line breaks and blanks that the YAML
 * ranges of block values include: the range is the node, not the lines after it.
 */
export function trimmingSpans(check: Check): Check {
  return {
    codes: check.codes,
    run(context) {
      const trim = (span: Span): Span => {
        const text = context.workspace.files.get(span.uri)?.file.text;
        if (!text) return span;
        let end = span.end;
        while (end > span.start + 1 && /\s/.test(text[end - 1])) end--;
        return end === span.end ? span : { ...span, end };
      };
      check.run({
        ...context,
        report: (finding) =>
          context.report({
            ...finding,
            span: trim(finding.span),
            related: finding.related?.map((r) => ({ ...r, span: trim(r.span) })),
          }),
      });
    },
  };
}
