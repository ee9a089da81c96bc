/**
 * Larger edits for the workspace checks' fixes: deleting a rule or a whole policy
 * document, and appending a new document to a file, written in the file's own
 * indentation style. Comments outside the removed text are kept.
 */
import { isMap, isNode, isPair, isScalar, isSeq, type Node, type Pair, type YAMLSeq } from 'yaml';
import { deleteLines, indentUnit, rangeOf, sequencesIndented, yamlScalar } from '../edits';
import type { Fix, Span, TextEdit } from '../findings';
import type { Policy, Rule } from '../model';
import type { ParsedFile } from '../yamlFile';

/**
 * The innermost node or pair whose range is exactly `span`, else the innermost containing
 * it: the last node of `pathAt`, found by descending only into the nodes that contain the
 * span (the generic visitor walks and copies paths for the whole document).
 */
export function locate(file: ParsedFile, span: Span): Node | Pair | undefined {
  const document = file.documents.find((d) => d.start <= span.start && span.start <= d.end);
  let current: unknown = document?.document.contents;
  let exact: Node | Pair | undefined;
  let containing: Node | Pair | undefined;
  const covers = (node: Node | Pair) => {
    const range = rangeOf(node);
    return range !== undefined && range[0] <= span.start && span.end <= range[1] ? range : undefined;
  };
  while (current && (isNode(current) || isPair(current))) {
    const node = current as Node | Pair;
    const range = covers(node);
    if (!range) break;
    containing = node;
    if (range[0] === span.start && range[1] === span.end) exact = node;
    let next: unknown;
    if (isPair(node)) {
      next = [node.key, node.value].find((child) => (isNode(child) || isPair(child)) && covers(child as Node));
    } else if (isMap(node) || isSeq(node)) {
      next = (node.items as unknown[]).find(
        (child) => (isNode(child) || isPair(child)) && covers(child as Node | Pair),
      );
    }
    current = next;
  }
  return exact ?? containing;
}

/**
 * Deletes one rule (a block list item). When it is the only rule of its direction the
 * list becomes `[]`. Returns undefined when the edit is not safe to make: flow-style
 * lists, or when removing the last egress rule would change `policyTypes` defaulting
 * (without `policyTypes`, a policy without egress rules is not egress-isolated).
 */
export function deleteRuleFix(rule: Rule, title: string): Fix | undefined {
  try {
    const policy = rule.policy;
    const file = policy.object.file;
    const listSpan = rule.direction === 'ingress' ? policy.ingressSpan : policy.egressSpan;
    if (!listSpan) return undefined;
    const pair = locate(file, listSpan);
    if (!pair || !isPair(pair) || !isSeq(pair.value)) return undefined;
    const seq = pair.value as YAMLSeq;
    if (seq.flow) return undefined;
    const item = seq.items[rule.index] as Node | undefined;
    const itemRange = item ? rangeOf(item) : undefined;
    if (!itemRange) return undefined;
    const rules = rule.direction === 'ingress' ? policy.ingress : policy.egress;
    if (rules.length === 1 || seq.items.length === 1) {
      if (rule.direction === 'egress' && !policy.policyTypesExplicit) return undefined;
      const keyEnd = rangeOf(pair.key as Node)![1];
      const end = trimmedEnd(file.text, rangeOf(seq)![1]);
      return { title, edits: [{ uri: file.uri, start: keyEnd, end, text: ': []' }] };
    }
    // Block items only: the item must start its own line after the dash.
    const lineStart = file.text.lastIndexOf('\n', itemRange[0] - 1) + 1;
    if (!/^[ \t]*-[ \t]*$/.test(file.text.slice(lineStart, itemRange[0]))) return undefined;
    return { title, edits: [deleteLines(file, itemRange[0], trimmedEnd(file.text, itemRange[1]))] };
  } catch {
    return undefined;
  }
}

/** The offset after the last non-whitespace character before `end`. */
function trimmedEnd(text: string, end: number): number {
  let i = end;
  while (i > 0 && /\s/.test(text[i - 1])) i--;
  return i;
}

/**
 * Deletes the document that holds the policy. Only for files with several documents:
 * emptying a file is left to the user.
 */
export function deleteDocumentFix(policy: Policy, title: string): Fix | undefined {
  const file = policy.object.file;
  const documents = file.documents;
  const index = documents.indexOf(policy.object.document);
  if (index < 0 || documents.length < 2) return undefined;
  // Objects of a List share one document: deleting it would delete the others too.
  if (policy.object.document.document.contents !== policy.object.map) return undefined;
  // The first document takes its leading comments with it; later ones start at their `---`.
  const start = index === 0 ? 0 : documents[index].start;
  const end = index === 0 ? documents[1].start : documents[index].end;
  return { title, edits: [{ uri: file.uri, start, end, text: '' }] };
}

/** What renderDocument writes: plain data of strings, numbers, lists and mappings. */
export type YamlValue = string | number | boolean | readonly YamlValue[] | { readonly [key: string]: YamlValue };

const styles = new WeakMap<ParsedFile, { unit: string; indentSeq: boolean }>();

/** The file's indentation unit and list style, computed once per parsed file. */
export function styleOf(file: ParsedFile): { unit: string; indentSeq: boolean } {
  let style = styles.get(file);
  if (!style) {
    style = { unit: indentUnit(file.text), indentSeq: sequencesIndented(file.text) };
    styles.set(file, style);
  }
  return style;
}

/**
 * A YAML document rendered in the file's style (indent unit, indented or flush lists),
 * with `comment` lines above it. Written by hand rather than by the yaml package: it is
 * built for many findings on every edit, and the shapes are simple.
 */
export function renderDocument(
  file: ParsedFile,
  value: { readonly [key: string]: YamlValue },
  comment?: string,
): string {
  const { unit, indentSeq } = styleOf(file);
  const lines: string[] = comment ? comment.split('\n').map((line) => (line.trim() ? `# ${line.trim()}` : '#')) : [];
  const isMapping = (v: YamlValue): v is { readonly [key: string]: YamlValue } =>
    typeof v === 'object' && !Array.isArray(v);
  const scalar = (v: string | number | boolean) => yamlScalar(v);
  const mapping = (map: { readonly [key: string]: YamlValue }, indent: string) => {
    for (const [key, v] of Object.entries(map)) {
      const k = yamlScalar(key);
      if (Array.isArray(v)) {
        if (v.length === 0) lines.push(`${indent}${k}: []`);
        else {
          lines.push(`${indent}${k}:`);
          sequence(v, indentSeq ? indent + unit : indent);
        }
      } else if (isMapping(v)) {
        if (Object.keys(v).length === 0) lines.push(`${indent}${k}: {}`);
        else {
          lines.push(`${indent}${k}:`);
          mapping(v, indent + unit);
        }
      } else lines.push(`${indent}${k}: ${scalar(v as string | number | boolean)}`);
    }
  };
  const sequence = (items: readonly YamlValue[], indent: string) => {
    for (const item of items) {
      if (isMapping(item) && Object.keys(item).length > 0) {
        const first = lines.length;
        mapping(item, `${indent}  `);
        lines[first] = `${indent}- ${lines[first].slice(indent.length + 2)}`;
      } else if (Array.isArray(item) || isMapping(item)) {
        lines.push(`${indent}- ${Array.isArray(item) ? '[]' : '{}'}`);
      } else lines.push(`${indent}- ${scalar(item as string | number | boolean)}`);
    }
  };
  mapping(value, '');
  return lines.join('\n') + '\n';
}

/** Appends a document at the end of a file, after a `---` separator. */
export function appendDocument(file: ParsedFile, rendered: string): TextEdit {
  const text = file.text;
  const end = text.length;
  const contentEnd = trimmedEnd(text, end);
  if (contentEnd === 0) return { uri: file.uri, start: 0, end, text: rendered };
  // No second separator after a file that already ends with `---`.
  const lastLine = text.slice(text.lastIndexOf('\n', contentEnd - 1) + 1, contentEnd);
  const separator = lastLine === '---' ? '' : '---\n';
  return { uri: file.uri, start: end, end, text: `${text.endsWith('\n') ? '' : '\n'}${separator}${rendered}` };
}

/** Replaces the text of a scalar node (a key or a value) with `text`. */
export function replaceScalar(file: ParsedFile, node: Node | null | undefined, text: string): TextEdit | undefined {
  if (!node || !isScalar(node) || !node.range) return undefined;
  return { uri: file.uri, start: node.range[0], end: node.range[1], text };
}
