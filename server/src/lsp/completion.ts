/**
 * Completion from what the workspace contains: label keys and values inside selectors,
 * namespace names for `kubernetes.io/metadata.name`, named ports of the destination
 * pods. The YAML context is read from the text above the cursor, so it works in
 * half-typed documents that do not parse yet.
 */
import { CompletionItemKind, type CompletionItem, type Range } from 'vscode-languageserver';
import { NAMESPACE_NAME_LABEL, positionAt, targetAt, type Workload, type Workspace } from '../engine';
import type { AnalysisModel } from './analysis';

interface LineContext {
  /** Keys from the document root to the cursor's mapping; `-` marks a list item. */
  readonly path: readonly string[];
  /** The key on the cursor's line, when the cursor is in its value. */
  readonly key: string | undefined;
  /** The text typed so far for the key or value. */
  readonly prefix: string;
  readonly prefixStart: number;
  /** The cursor is on a list item (`- ...`) line. */
  readonly listItem: boolean;
  /** Offsets of the document around the cursor. */
  readonly documentStart: number;
}

const KEY_LINE = /^(\s*)(-\s+)?("[^"]*"|'[^']*'|[^\s:#][^:#]*?)\s*:(\s|$)/;

export function readLineContext(text: string, offset: number): LineContext {
  // lastIndexOf clamps a negative start to 0, where a text may begin with a line break: guard the first line.
  const lineStart = offset > 0 ? text.lastIndexOf('\n', offset - 1) + 1 : 0;
  const before = text.slice(lineStart, offset);
  let documentStart = 0;
  const separator = /^---.*$/gm;
  for (const match of text.slice(0, lineStart).matchAll(separator))
    documentStart = (match.index ?? 0) + match[0].length;

  const dash = /^(\s*)-\s*/.exec(before);
  const listItem = dash !== null;
  const afterDash = dash ? before.slice(dash[0].length) : before.trimStart();
  const keyColumn = dash ? dash[0].length : before.length - before.trimStart().length;
  const keyMatch =
    /^("[^"]*"|'[^']*'|[^:#]+?)\s*:\s+(.*)$/.exec(afterDash) ?? /^("[^"]*"|'[^']*'|[^:#]+?)\s*:$/.exec(afterDash);
  const key = keyMatch ? unquote(keyMatch[1]) : undefined;
  const prefix = keyMatch ? (keyMatch[2] ?? '').replace(/^["']/, '') : afterDash;
  const prefixStart = offset - prefix.length;

  // Walk up: a line whose key sits left of the current column is an ancestor. A list
  // item's parent key may sit at the dash's own column (`key:` then `- item` unindented).
  const path: string[] = [];
  let column = keyColumn;
  let inListItem = false;
  if (dash) {
    path.unshift('-');
    column = dash[1].length;
    inListItem = true;
  }
  let cursor = lineStart;
  while (cursor > documentStart) {
    const previousEnd = cursor - 1;
    const previousStart = previousEnd > 0 ? text.lastIndexOf('\n', previousEnd - 1) + 1 : 0;
    cursor = previousStart;
    const line = text.slice(previousStart, previousEnd);
    if (!line.trim() || line.trimStart().startsWith('#')) continue;
    const match = KEY_LINE.exec(line);
    if (!match) {
      const bareDash = /^(\s*)-\s*$/.exec(line);
      if (bareDash && bareDash[1].length < column) {
        path.unshift('-');
        column = bareDash[1].length;
        inListItem = true;
      }
      continue;
    }
    const dashColumn = match[2] ? match[1].length : undefined;
    const lineKeyColumn = match[1].length + (match[2]?.length ?? 0);
    if (dashColumn !== undefined && lineKeyColumn === column && !inListItem) {
      // The first line of the list item whose mapping holds the cursor.
      path.unshift('-');
      column = dashColumn;
      inListItem = true;
      continue;
    }
    const isAncestor = lineKeyColumn < column || (inListItem && lineKeyColumn === column);
    if (!isAncestor) continue;
    path.unshift(unquote(match[3]));
    if (dashColumn !== undefined) {
      path.unshift('-');
      column = dashColumn;
      inListItem = true;
    } else {
      column = lineKeyColumn;
      inListItem = false;
      if (column === 0) break;
    }
  }
  return { path, key, prefix, prefixStart, listItem, documentStart };
}

function unquote(text: string): string {
  return text.replace(/^["'](.*)["']$/, '$1').trim();
}

export function workspaceCompletions(
  result: AnalysisModel,
  uri: string,
  text: string,
  offset: number,
): CompletionItem[] {
  const context = readLineContext(text, offset);
  const file = result.workspace.files.get(uri)?.file;
  const toPosition = (o: number) => (file && file.text === text ? positionAt(file, o) : positionFromText(text, o));
  const range: Range = { start: toPosition(context.prefixStart), end: toPosition(offset) };
  // The cursor's own list item marker is not a parent key.
  const path = context.listItem ? context.path.slice(0, -1) : context.path;
  const last = path[path.length - 1];
  const selectorIndex = Math.max(path.lastIndexOf('podSelector'), path.lastIndexOf('namespaceSelector'));
  const documentText = text.slice(context.documentStart, nextSeparator(text, offset));
  if (!/kind:\s*NetworkPolicy\b/.test(documentText)) return [];
  const policyNamespace = /\n\s+namespace:\s*["']?([a-z0-9-]+)/.exec(documentText)?.[1] ?? 'default';

  if (selectorIndex >= 0) {
    const kind = path[selectorIndex] === 'namespaceSelector' ? 'namespace' : 'pod';
    const labels =
      kind === 'namespace'
        ? namespaceLabelValues(result.workspace)
        : podLabelValues(podScope(result.workspace, path, selectorIndex, policyNamespace, documentText));
    const tail = path.slice(selectorIndex + 1);
    if (tail[0] === 'matchLabels' && tail.length === 1) {
      if (context.key === undefined && !context.listItem) return labelKeyItems(labels, range, kind);
      if (context.key !== undefined) return labelValueItems(labels, context.key, range, kind);
    }
    if (tail[0] === 'matchExpressions') {
      if (context.key === 'key') return labelKeyItems(labels, range, kind, false);
      if (last === 'values' && context.listItem && context.key === undefined) {
        const key = siblingValue(text, offset, 'key');
        return key ? labelValueItems(labels, key, range, kind) : [];
      }
    }
    return [];
  }

  if (context.key === 'port' && path.includes('ports')) {
    // Ask for the rule at the key: spans end at the content, so the cursor after `port: ` at the end of a rule is outside it.
    const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
    const keyOffset = lineStart + /^\s*(?:-\s+)?/.exec(text.slice(lineStart, offset))![0].length;
    return namedPortItems(result, uri, keyOffset, path, policyNamespace, range);
  }
  return [];
}

function nextSeparator(text: string, offset: number): number {
  const match = /^---/m.exec(text.slice(offset));
  return match ? offset + match.index : text.length;
}

function positionFromText(text: string, offset: number) {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

/** Pods a podSelector can match: the policy's namespace, unless the same peer has a namespaceSelector. */
function podScope(
  workspace: Workspace,
  path: readonly string[],
  selectorIndex: number,
  namespace: string,
  documentText: string,
): Workload[] {
  const inPeer = path.includes('from') || path.includes('to');
  const peerHasNamespaceSelector = inPeer && /namespaceSelector/.test(documentText);
  const scoped = workspace.workloads.filter((w) => w.namespace === namespace);
  if (!inPeer || selectorIndex < 0) return scoped.length ? scoped : [...workspace.workloads];
  return peerHasNamespaceSelector || scoped.length === 0 ? [...workspace.workloads] : scoped;
}

type LabelValues = Map<string, Map<string, string[]>>;

function podLabelValues(workloads: readonly Workload[]): LabelValues {
  const values: LabelValues = new Map();
  for (const w of workloads) {
    for (const [key, value] of w.labels) {
      const byValue = values.get(key) ?? values.set(key, new Map()).get(key)!;
      (byValue.get(value) ?? byValue.set(value, []).get(value)!).push(w.id);
    }
  }
  return values;
}

function namespaceLabelValues(workspace: Workspace): LabelValues {
  const values: LabelValues = new Map();
  for (const ns of workspace.namespaces.values()) {
    for (const [key, value] of ns.labels) {
      const byValue = values.get(key) ?? values.set(key, new Map()).get(key)!;
      (byValue.get(value) ?? byValue.set(value, []).get(value)!).push(ns.name);
    }
  }
  return values;
}

function labelKeyItems(
  labels: LabelValues,
  range: Range,
  kind: 'pod' | 'namespace',
  withColon = true,
): CompletionItem[] {
  const keys = [...labels.keys()].sort((a, b) => {
    if (a === NAMESPACE_NAME_LABEL) return -1;
    if (b === NAMESPACE_NAME_LABEL) return 1;
    return countOf(labels, b) - countOf(labels, a) || (a < b ? -1 : 1);
  });
  return keys.map((key, i) => {
    const count = countOf(labels, key);
    return {
      label: key,
      kind: CompletionItemKind.Property,
      detail: `label on ${count} ${kind === 'pod' ? 'workload' : 'namespace'}${count === 1 ? '' : 's'}`,
      documentation: `Values: ${[...labels.get(key)!.keys()].slice(0, 10).join(', ')}`,
      sortText: String(i).padStart(4, '0'),
      textEdit: { range, newText: withColon ? `${key}: ` : key },
      command: withColon ? { title: 'Suggest values', command: 'editor.action.triggerSuggest' } : undefined,
    };
  });
}

function countOf(labels: LabelValues, key: string): number {
  let count = 0;
  for (const owners of labels.get(key)!.values()) count += owners.length;
  return count;
}

function labelValueItems(labels: LabelValues, key: string, range: Range, kind: 'pod' | 'namespace'): CompletionItem[] {
  const values = labels.get(key);
  if (!values) return [];
  return [...values].map(([value, owners], i) => ({
    label: value,
    kind: CompletionItemKind.Value,
    detail: `${key}=${value}: ${owners.length} ${kind === 'pod' ? 'workload' : 'namespace'}${owners.length === 1 ? '' : 's'}`,
    documentation: owners.slice(0, 10).join('\n'),
    sortText: String(i).padStart(4, '0'),
    textEdit: { range, newText: needsQuotes(value) ? JSON.stringify(value) : value },
  }));
}

function needsQuotes(value: string): boolean {
  return value === '' || /^(true|false|yes|no|on|off|null|~|[-+]?\d[\d.]*)$/i.test(value);
}

/** The value of `key:` in the same list item as the cursor (scanning up to the item's dash). */
function siblingValue(text: string, offset: number, key: string): string | undefined {
  const lines = text.slice(0, offset).split('\n');
  lines.pop();
  for (let i = lines.length - 1; i >= 0 && i >= lines.length - 20; i--) {
    const match = new RegExp(`^\\s*(?:-\\s+)?${key}:\\s*["']?([^"'\\s#]+)`).exec(lines[i]);
    if (match) return match[1];
  }
  return undefined;
}

function namedPortItems(
  result: AnalysisModel,
  uri: string,
  offset: number,
  path: readonly string[],
  namespace: string,
  range: Range,
): CompletionItem[] {
  const direction = path.includes('egress') ? 'egress' : 'ingress';
  const target = targetAt(result.workspace, uri, offset);
  let destinations: Workload[];
  if (target && (target.kind === 'rule' || target.kind === 'port' || target.kind === 'peer')) {
    destinations =
      direction === 'ingress'
        ? result.index.selectedWorkloads(target.rule.policy)
        : [...result.index.ruleMatch(target.rule).workloads];
  } else {
    destinations = result.workspace.workloads.filter((w) => w.namespace === namespace);
  }
  const byName = new Map<string, Set<string>>();
  for (const w of destinations) {
    for (const p of w.ports) {
      if (!p.name) continue;
      (byName.get(p.name) ?? byName.set(p.name, new Set()).get(p.name)!).add(`${p.protocol} ${p.port} on ${w.id}`);
    }
  }
  return [...byName].map(([name, uses], i) => ({
    label: name,
    kind: CompletionItemKind.EnumMember,
    detail: [...uses][0] + (uses.size > 1 ? ` (+${uses.size - 1})` : ''),
    documentation: `Named port of the ${direction === 'ingress' ? 'selected' : 'destination'} pods:\n${[...uses].join('\n')}`,
    sortText: String(i).padStart(4, '0'),
    textEdit: { range, newText: name },
  }));
}
