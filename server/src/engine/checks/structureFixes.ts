/**
 * Fixes for the findings the readers report (NR001-NR014), built from the facts they
 * recorded in `data` and from the YAML around the finding's span.
 *
 * Decisions: NR002 offers both meanings of an empty peer (any peer, or all pods) and
 * prefers neither; NR004 adds `port` equal to `endPort` (a one-port range the user then
 * widens) or renames `endPort` to `port`; NR011 adds `values` only with values the
 * workspace actually uses for that label key (never a placeholder), and otherwise offers
 * the operator that needs no values (In -> Exists, NotIn -> DoesNotExist).
 */
import { isMap, isPair, isScalar, isSeq, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { columnOf, lineEndOf, pairIn, rangeOf } from '../edits';
import { fixesOf, type Finding, type Fix, type Span, type TextEdit } from '../findings';
import type { Policy, PortSpec, Rule, Workload } from '../model';
import { portNameProblem } from '../read/policy';
import { DEFAULT_OPTIONS, policySelects, ruleMatchesWorkload } from '../semantics';
import type { Workspace } from '../workspace';
import type { ParsedFile } from '../yamlFile';
import {
  addPair,
  addPairFirst,
  pairAt,
  pathAt,
  reindent,
  removePair,
  replacePairValue,
  replaceScalar,
  scalarText,
} from './yamlFix';

type Fixer = (finding: Finding, workspace: Workspace, file: ParsedFile) => Fix[];

const API_VERSION = 'networking.k8s.io/v1';

function trimmedEnd(text: string, end: number): number {
  while (end > 0 && /\s/.test(text[end - 1])) end--;
  return end;
}

function nodeSpan(file: ParsedFile, node: Node | Pair): Span | undefined {
  const range = rangeOf(node);
  return range ? { uri: file.uri, start: range[0], end: range[1] } : undefined;
}

/** NR001: move the ipBlock out of the peer into a peer of its own. */
const splitIpBlock: Fixer = (finding, _workspace, file) => {
  const located = pairAt(file, finding.span);
  if (!located) return [];
  const { pair, map, path } = located;
  const seq = path[path.length - 3];
  if (!isSeq(seq) || seq.flow || map.flow || !seq.range) return [];
  const range = rangeOf(pair);
  const mapRange = rangeOf(map);
  if (!range || !mapRange) return [];
  const pairEnd = trimmedEnd(file.text, range[1]);
  const dashIndent = ' '.repeat(columnOf(file.text, seq.range[0]));
  const moved = reindent(file.text.slice(range[0], pairEnd), dashIndent.length + 2 - columnOf(file.text, range[0]));
  const title = 'Split into two peers: the ipBlock on its own (either peer then matches)';
  if (map.items[map.items.length - 1] === pair) {
    // The last key of the peer: turn its lines into the next list item.
    const lineStart = file.text.lastIndexOf('\n', range[0] - 1) + 1;
    if (file.text.slice(lineStart, range[0]).trim() !== '') return [];
    return [
      {
        title,
        edits: [{ uri: file.uri, start: lineStart, end: pairEnd, text: `${dashIndent}- ${moved}` }],
        preferred: true,
      },
    ];
  }
  const removal = removePair(file, map, pair, false);
  if (!removal) return [];
  const at = lineEndOf(file.text, trimmedEnd(file.text, mapRange[1]) - 1);
  return [
    {
      title,
      edits: [removal, { uri: file.uri, start: at, end: at, text: `\n${dashIndent}- ${moved}` }],
      preferred: true,
    },
  ];
};

/** NR002: an empty peer: drop `from`/`to` (any peer), or select all pods. */
const emptyPeer: Fixer = (finding, _workspace, file) => {
  const path = pathAt(file, finding.span);
  if (!path) return [];
  // Find the peers list: the empty peer's parent, or the node itself for a null item.
  let seqIndex = -1;
  for (let i = path.length - 1; i >= 0; i--) {
    if (isSeq(path[i])) {
      seqIndex = i;
      break;
    }
  }
  if (seqIndex < 2) return [];
  const seq = path[seqIndex] as YAMLSeq;
  const peersPair = path[seqIndex - 1];
  const ruleMap = path[seqIndex - 2];
  if (!isPair(peersPair) || !isMap(ruleMap)) return [];
  const key = scalarText(peersPair.key) ?? 'from';
  const fixes: Fix[] = [];
  const everything = key === 'from' ? 'every source' : 'every destination';
  if (!ruleMap.flow) {
    const only = ruleMap.items.length === 1;
    const range = rangeOf(peersPair);
    const edit: TextEdit | undefined = only
      ? range && { uri: file.uri, start: range[0], end: trimmedEnd(file.text, range[1]), text: '{}' }
      : removePair(file, ruleMap, peersPair);
    if (edit)
      fixes.push({ title: `Remove \`${key}\`: allow ${everything} (all pods and all IP addresses)`, edits: [edit] });
  }
  // The empty item itself.
  const item = seq.items.find((it) => {
    const span = it && typeof it === 'object' ? nodeSpan(file, it as Node) : undefined;
    return span && span.start >= finding.span.start && span.end <= finding.span.end;
  }) as Node | undefined;
  const itemRange = item ? rangeOf(item) : undefined;
  if (item && itemRange && isMap(item) && item.items.length === 0) {
    const text = seq.flow ? '{namespaceSelector: {}}' : 'namespaceSelector: {}';
    fixes.push({
      title: 'Write `namespaceSelector: {}`: every pod of every namespace (not IP addresses)',
      edits: [{ uri: file.uri, start: itemRange[0], end: itemRange[1], text }],
    });
  } else if (item && itemRange && isScalar(item) && item.value === null && !seq.flow) {
    fixes.push({
      title: 'Write `namespaceSelector: {}`: every pod of every namespace (not IP addresses)',
      edits: [
        {
          uri: file.uri,
          start: itemRange[0],
          end: itemRange[1],
          text: `${file.text[itemRange[0] - 1] === '-' ? ' ' : ''}namespaceSelector: {}`,
        },
      ],
    });
  }
  return fixes;
};

/** NR003: spec.podSelector missing. */
const missingPodSelector: Fixer = (finding, _workspace, file) => {
  const title = 'Insert `podSelector: {}` (every pod of the namespace, what the API server assumes)';
  const path = pathAt(file, finding.span);
  if (!path) return [];
  if (finding.data?.specPresent) {
    const located = pairAt(file, finding.span);
    if (!located) return [];
    const { pair } = located;
    const value = pair.value as Node | null;
    const keyStart = (pair.key as Node).range![0];
    let edit: TextEdit | undefined;
    if (value && isMap(value)) {
      edit =
        value.items.length > 0 && !value.flow
          ? addPairFirst(file, value, 'podSelector', {}, keyStart)
          : addPair(file, value, 'podSelector', {}, keyStart);
    } else if (!value || (isScalar(value) && value.value === null)) {
      edit = replacePairValue(file, pair, { podSelector: {} });
    }
    return edit ? [{ title, edits: [edit], preferred: true }] : [];
  }
  // No spec at all: add one to the object (the mapping that holds metadata).
  let object: YAMLMap | undefined;
  for (let i = path.length - 1; i >= 0; i--) {
    const node = path[i];
    if (isMap(node) && pairIn(node, 'kind')) {
      object = node;
      break;
    }
  }
  if (!object || !object.range) return [];
  return [
    {
      title: 'Add `spec` with `podSelector: {}` (every pod of the namespace)',
      edits: [addPair(file, object, 'spec', { podSelector: {} }, object.range[0])],
      preferred: true,
    },
  ];
};

/** NR004: endPort without port. */
const endPortWithoutPort: Fixer = (finding, _workspace, file) => {
  const endPort = finding.data?.endPort;
  if (typeof endPort !== 'number') return [];
  const located = pairAt(file, finding.span);
  if (!located) return [];
  const { pair, map } = located;
  const keyRange = (pair.key as Node).range;
  if (!keyRange) return [];
  const indent = ' '.repeat(columnOf(file.text, keyRange[0]));
  const text = map.flow ? `port: ${endPort}, ` : `port: ${endPort}\n${indent}`;
  return [
    {
      title: `Add port: ${endPort} (a range of the single port ${endPort}; lower port to widen it)`,
      edits: [{ uri: file.uri, start: keyRange[0], end: keyRange[0], text }],
      preferred: true,
    },
    {
      title: `Rename endPort to port (the single port ${endPort})`,
      edits: [{ uri: file.uri, start: keyRange[0], end: keyRange[1], text: 'port' }],
    },
  ];
};

interface PortContext {
  readonly policy: Policy;
  readonly rule: Rule;
  readonly spec: PortSpec;
}

function portContextAt(workspace: Workspace, span: Span): PortContext | undefined {
  const inside = (s: Span) => s.uri === span.uri && s.start <= span.start && span.end <= s.end;
  for (const policy of workspace.policies) {
    if (!inside(policy.object.span)) continue;
    for (const rule of [...policy.ingress, ...policy.egress]) {
      if (!inside(rule.span)) continue;
      const spec = rule.ports.find((p) => inside(p.span));
      if (spec) return { policy, rule, spec };
    }
  }
  return undefined;
}

function resolveName(workloads: readonly Workload[], name: string, protocol: string): Set<number> {
  const numbers = new Set<number>();
  for (const w of workloads)
    for (const p of w.ports) if (p.name === name && p.protocol === protocol) numbers.add(p.port);
  return numbers;
}

/** NR005: endPort with a named port: use the number the name means on the destination pods. */
const namedPortWithEndPort: Fixer = (finding, workspace, file) => {
  const at = portContextAt(workspace, finding.span);
  const portSpan = at?.spec.portSpan;
  if (!at || typeof at.spec.port !== 'string' || !portSpan) return [];
  const { policy, rule, spec } = at;
  const name = spec.port as string;
  const namespaceLabels = (ns: string) =>
    workspace.namespaces.get(ns)?.labels ?? new Map([['kubernetes.io/metadata.name', ns]]);
  const destinations =
    rule.direction === 'ingress'
      ? workspace.workloads.filter((w) => policySelects(policy, w))
      : workspace.workloads.filter((w) => ruleMatchesWorkload(rule, w, namespaceLabels, DEFAULT_OPTIONS));
  let numbers = resolveName(destinations, name, spec.protocol);
  let where = 'on the destination pods';
  let preferred = true;
  if (numbers.size === 0) {
    numbers = resolveName(workspace.workloads, name, spec.protocol);
    where = 'on the pods of the workspace';
    preferred = false;
  }
  if (numbers.size !== 1) return [];
  const number = [...numbers][0];
  return [
    {
      title: `Use port ${number} (what ${name} means ${where})`,
      edits: [replaceScalar(file, portSpan, number)],
      preferred,
    },
  ];
};

/** NR006: endPort lower than port: swap them. */
const swapPorts: Fixer = (finding, _workspace, file) => {
  const { port, endPort } = (finding.data ?? {}) as { port?: number; endPort?: number };
  if (typeof port !== 'number' || typeof endPort !== 'number') return [];
  const located = pairAt(file, finding.span);
  const portValue = located && (pairIn(located.map, 'port')?.value as Node | null | undefined);
  if (!portValue?.range) return [];
  const portSpan: Span = { uri: file.uri, start: portValue.range[0], end: portValue.range[1] };
  return [
    {
      title: `Swap port and endPort (${endPort}-${port})`,
      edits: [replaceScalar(file, portSpan, endPort), replaceScalar(file, finding.span, port)],
      preferred: true,
    },
  ];
};

/** A port name made valid where the intent is clear: lowercase, `_`/`.`/spaces to `-`. */
export function normalizePortName(name: string): string | undefined {
  const candidate = name
    .trim()
    .toLowerCase()
    .replace(/[\s_.]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  return portNameProblem(candidate) ? undefined : candidate;
}

/** NR007: a quoted number, or a port name that can be made valid. */
const invalidPort: Fixer = (finding, _workspace, file) => {
  const data = (finding.data ?? {}) as { number?: number; replacement?: string };
  if (typeof data.number === 'number') {
    if (data.number < 1 || data.number > 65535) return [];
    return [
      {
        title: `Write the number ${data.number} without quotes`,
        edits: [replaceScalar(file, finding.span, data.number)],
        preferred: true,
      },
    ];
  }
  const path = pathAt(file, finding.span);
  const node = path?.[path.length - 1];
  if (!node || !isScalar(node) || typeof node.value !== 'string') return [];
  const replacement = data.replacement ?? normalizePortName(node.value);
  if (!replacement || replacement === node.value) return [];
  return [
    {
      title: `Use the port name ${replacement}`,
      edits: [replaceScalar(file, finding.span, replacement)],
      preferred: true,
    },
  ];
};

/** NR008: protocol or policy type casing. */
const casing: Fixer = (finding, _workspace, file) => {
  const replacement = finding.data?.replacement;
  if (typeof replacement !== 'string') return [];
  return [{ title: `Write ${replacement}`, edits: [replaceScalar(file, finding.span, replacement)], preferred: true }];
};

/** NR010: host bits set or leading zeros: the network, or the single host. */
const cidrForm: Fixer = (finding, _workspace, file) => {
  const { network, host } = (finding.data ?? {}) as { network?: string; host?: string };
  const fixes: Fix[] = [];
  if (typeof network === 'string') {
    fixes.push({
      title: `Use the network ${network}`,
      edits: [replaceScalar(file, finding.span, network)],
      preferred: host === undefined,
    });
  }
  if (typeof host === 'string') {
    fixes.push({ title: `Use the single address ${host}`, edits: [replaceScalar(file, finding.span, host)] });
  }
  return fixes;
};

/** The values a label key has in the workspace, most used first. */
function knownValues(workspace: Workspace, key: string, onNamespaces: boolean): string[] {
  const counts = new Map<string, number>();
  const add = (labels: ReadonlyMap<string, string>) => {
    const value = labels.get(key);
    if (value !== undefined && value !== '') counts.set(value, (counts.get(value) ?? 0) + 1);
  };
  if (onNamespaces) for (const ns of workspace.namespaces.values()) add(ns.labels);
  else for (const w of workspace.workloads) add(w.labels);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([v]) => v);
}

/** NR011: invalid selector expressions. */
const selectorFix: Fixer = (finding, workspace, file) => {
  const data = (finding.data ?? {}) as { replacement?: string; operator?: string; removeValues?: boolean };
  const located = pairAt(file, finding.span);
  if (!located) return [];
  const { map, path } = located;
  if (typeof data.replacement === 'string') {
    const value = pairIn(map, 'operator')?.value as Node | null | undefined;
    const span = value && nodeSpan(file, value);
    return span
      ? [{ title: `Write ${data.replacement}`, edits: [replaceScalar(file, span, data.replacement)], preferred: true }]
      : [];
  }
  const valuesPair = pairIn(map, 'values');
  if (data.removeValues) {
    const edit = valuesPair && removePair(file, map, valuesPair);
    return edit ? [{ title: `Remove \`values\` (${data.operator} takes none)`, edits: [edit], preferred: true }] : [];
  }
  if (data.operator !== 'In' && data.operator !== 'NotIn') return [];
  const fixes: Fix[] = [];
  const key = scalarText(pairIn(map, 'key')?.value);
  // matchExpressions -> selector -> podSelector / namespaceSelector
  const mapIndex = path.indexOf(map);
  const selectorPair = path[mapIndex - 4];
  const onNamespaces = isPair(selectorPair) && scalarText(selectorPair.key) === 'namespaceSelector';
  if (key !== undefined) {
    for (const value of knownValues(workspace, key, onNamespaces).slice(0, 3)) {
      const keyOffset = rangeOf(map)?.[0] ?? finding.span.start;
      const edit = valuesPair
        ? replacePairValue(file, valuesPair, [value])
        : addPair(file, map, 'values', [value], keyOffset);
      if (edit) fixes.push({ title: `Add values: [${value}] (a value of ${key} in the workspace)`, edits: [edit] });
    }
  }
  const operatorValue = pairIn(map, 'operator')?.value as Node | null | undefined;
  const operatorSpan = operatorValue && nodeSpan(file, operatorValue);
  if (operatorSpan) {
    const other = data.operator === 'In' ? 'Exists' : 'DoesNotExist';
    const edits = [replaceScalar(file, operatorSpan, other)];
    if (valuesPair) {
      const removal = removePair(file, map, valuesPair);
      if (removal) edits.push(removal);
    }
    fixes.push({
      title: `Use ${other} (${data.operator === 'In' ? 'any value' : 'the label absent'}) instead of ${data.operator}`,
      edits,
    });
  }
  return fixes;
};

/** NR012: the removed extensions/v1beta1 API. */
const apiVersion: Fixer = (finding, _workspace, file) => [
  { title: `Use apiVersion ${API_VERSION}`, edits: [replaceScalar(file, finding.span, API_VERSION)], preferred: true },
];

const FIXERS: Readonly<Record<string, Fixer>> = {
  NR001: splitIpBlock,
  NR002: emptyPeer,
  NR003: missingPodSelector,
  NR004: endPortWithoutPort,
  NR005: namedPortWithEndPort,
  NR006: swapPorts,
  NR007: invalidPort,
  NR008: casing,
  NR010: cidrForm,
  NR011: selectorFix,
  NR012: apiVersion,
};

export function withStructureFixes(finding: Finding, workspace: Workspace): Finding {
  if (fixesOf(finding).length) return finding;
  const fixer = FIXERS[finding.code];
  const file = workspace.files.get(finding.span.uri)?.file;
  if (!fixer || !file) return finding;
  let fixes: Fix[];
  try {
    fixes = fixer(finding, workspace, file);
  } catch {
    // A fix is a convenience: a document shape we did not foresee yields none.
    fixes = [];
  }
  return fixes.length ? { ...finding, fixes } : finding;
}
