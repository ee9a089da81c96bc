/**
 * Helpers shared by the fixes of the port, DNS and ipBlock checks and of the reader
 * findings: locating the YAML nodes behind a model span, and writing new block YAML in
 * the file's own style (indentation unit, lists indented under their key or not).
 */
import { isMap, isPair, isScalar, isSeq, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import {
  appendToSequence,
  columnOf,
  indentOfLine,
  pathAt,
  indentUnit,
  insertIntoMap,
  lineEndOf,
  pairIn,
  rangeOf,
  sequencesIndented,
  yamlScalar,
  type Ancestor,
} from '../edits';
import type { Span, TextEdit } from '../findings';
import { contentEnd, type ParsedFile } from '../yamlFile';

/** A plain value to write as YAML. */
export type YamlValue = string | number | boolean | readonly YamlValue[] | { readonly [key: string]: YamlValue };

/** The nearest ancestor mapping (the map holding a pair, or the pair's own map). */
export function enclosingMap(path: readonly Ancestor[], from = path.length - 1): YAMLMap | undefined {
  for (let i = from; i >= 0; i--) {
    const node = path[i];
    if (isMap(node)) return node;
  }
  return undefined;
}

/** The pair at `span` (matching either the pair or its key), with the mapping holding it. */
export function pairAt(
  file: ParsedFile,
  span: Span,
): { pair: Pair; map: YAMLMap; path: readonly Ancestor[] } | undefined {
  const path = pathAt(file, span);
  if (!path) return undefined;
  for (let i = path.length - 1; i >= 1; i--) {
    const node = path[i];
    if (isPair(node)) {
      const map = path[i - 1];
      return isMap(map) ? { pair: node, map, path: path.slice(0, i + 1) } : undefined;
    }
  }
  return undefined;
}

/** The node of a kind whose range (or whose pair's range) is exactly `span`. */
function collectionAt<T extends Node>(
  file: ParsedFile,
  span: Span | undefined,
  is: (node: unknown) => node is T,
): T | undefined {
  if (!span) return undefined;
  const path = pathAt(file, span);
  if (!path) return undefined;
  // A mapping with one pair has the same range as that pair: look at every node of the path.
  for (let i = path.length - 1; i >= 0; i--) {
    const node = path[i];
    const range = isPair(node) || (node as Node).range ? rangeOf(node as Node | Pair) : undefined;
    if (!range || range[0] !== span.start || contentEnd(file.text, range[0], range[1]) !== span.end) continue;
    if (is(node)) return node;
    if (isPair(node) && is(node.value)) return node.value;
  }
  return undefined;
}

export function seqAt(file: ParsedFile, span: Span | undefined): YAMLSeq | undefined {
  return collectionAt(file, span, isSeq as (node: unknown) => node is YAMLSeq);
}

export function mapAt(file: ParsedFile, span: Span | undefined): YAMLMap | undefined {
  return collectionAt(file, span, isMap as (node: unknown) => node is YAMLMap);
}

export interface Style {
  readonly unit: string;
  /** Block lists indented under their key (`key:\n  - a`) or not (`key:\n- a`). */
  readonly listsIndented: boolean;
}

const styles = new WeakMap<ParsedFile, Style>();

/** The file's style, found once per parsed file (each fix asks, and finding it reads the whole text). */
export function styleOf(file: ParsedFile): Style {
  let style = styles.get(file);
  if (!style) {
    style = { unit: indentUnit(file.text), listsIndented: sequencesIndented(file.text) };
    styles.set(file, style);
  }
  return style;
}

function isScalarValue(value: YamlValue): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** The value on one line, when it fits there: a scalar, `{}` or `[]`. */
function inlineValue(value: YamlValue): string | undefined {
  if (isScalarValue(value)) return yamlScalar(value);
  if (Array.isArray(value)) return value.length === 0 ? '[]' : undefined;
  return Object.keys(value).length === 0 ? '{}' : undefined;
}

/** The value in flow style: `{a: b, c: [1, 2]}`. */
export function flowValue(value: YamlValue): string {
  if (isScalarValue(value)) return yamlScalar(value);
  if (Array.isArray(value)) return `[${value.map(flowValue).join(', ')}]`;
  return `{${Object.entries(value as Record<string, YamlValue>)
    .map(([k, v]) => `${yamlScalar(k)}: ${flowValue(v)}`)
    .join(', ')}}`;
}

/** `key: value` as lines, the key at column 0. */
export function pairLines(key: string, value: YamlValue, style: Style): string[] {
  const inline = inlineValue(value);
  if (inline !== undefined) return [`${yamlScalar(key)}: ${inline}`];
  return [`${yamlScalar(key)}:`, ...linesBelowKey(value, style)];
}

/** The lines of a block value written below its key, relative to the key's column. */
export function linesBelowKey(value: YamlValue, style: Style): string[] {
  if (Array.isArray(value)) {
    const prefix = style.listsIndented ? style.unit : '';
    return value.flatMap((item: YamlValue) => itemLines(item, style).map((l) => prefix + l));
  }
  return Object.entries(value as Record<string, YamlValue>).flatMap(([k, v]) =>
    pairLines(k, v, style).map((l) => style.unit + l),
  );
}

/** A list item as lines, relative to the column of its dash. */
export function itemLines(item: YamlValue, style: Style): string[] {
  const inline = inlineValue(item);
  if (inline !== undefined) return [`- ${inline}`];
  if (Array.isArray(item)) return [`- ${flowValue(item)}`];
  const lines = Object.entries(item as Record<string, YamlValue>).flatMap(([k, v]) => pairLines(k, v, style));
  return lines.map((l, i) => (i === 0 ? '- ' : '  ') + l);
}

/** Appends an item to a list, block or flow, in the file's style. */
export function appendItem(file: ParsedFile, seq: YAMLSeq, item: YamlValue): TextEdit {
  if (seq.flow || seq.items.length === 0) return appendToSequence(file, seq, flowValue(item));
  const last = seq.items[seq.items.length - 1] as Node | Pair;
  const end = lineEndOf(file.text, rangeOf(last)![1] - 1);
  const indent = ' '.repeat(columnOf(file.text, seq.range![0]));
  const lines = itemLines(item, styleOf(file));
  return { uri: file.uri, start: end, end, text: lines.map((l) => `\n${indent}${l}`).join('') };
}

/**
 * Adds `key: value` to a mapping (at its end), in the file's style. `parentOffset` is
 * where the mapping's own key is (for an empty or flow mapping).
 */
export function addPair(file: ParsedFile, map: YAMLMap, key: string, value: YamlValue, parentOffset: number): TextEdit {
  const style = styleOf(file);
  const inline = inlineValue(value);
  if (inline !== undefined) return insertIntoMap(file, map, key, [inline], parentOffset);
  if (map.flow && map.items.length > 0) return insertIntoMap(file, map, key, [flowValue(value)], parentOffset);
  // Every line relative to the key's column (the NUL marker tells insertIntoMap so).
  return insertIntoMap(
    file,
    map,
    key,
    linesBelowKey(value, style).map((l) => `\u0000${l}`),
    parentOffset,
  );
}

/**
 * Adds `key: value` as the first entry of a non-empty block mapping: on its own line
 * above the first key and the comments written above it, or before the first key when
 * that key follows a list dash.
 */
export function addPairFirst(
  file: ParsedFile,
  map: YAMLMap,
  key: string,
  value: YamlValue,
  parentOffset: number,
): TextEdit {
  const first = map.items[0];
  const firstRange = first ? rangeOf(first) : undefined;
  if (map.flow || !firstRange) return addPair(file, map, key, value, parentOffset);
  const column = columnOf(file.text, firstRange[0]);
  const indent = ' '.repeat(column);
  const lines = pairLines(key, value, styleOf(file));
  let at = file.text.lastIndexOf('\n', firstRange[0] - 1) + 1;
  if (file.text.slice(at, firstRange[0]).trim() !== '') {
    return {
      uri: file.uri,
      start: firstRange[0],
      end: firstRange[0],
      text: lines.map((l, i) => (i === 0 ? l : indent + l)).join('\n') + `\n${indent}`,
    };
  }
  // Step above comment lines at the key's column: they describe the first key.
  while (at > 0) {
    const previousStart = file.text.lastIndexOf('\n', at - 2) + 1;
    const previous = file.text.slice(previousStart, at - 1);
    if (!(previous.startsWith(indent) && previous.slice(column).startsWith('#'))) break;
    at = previousStart;
  }
  return { uri: file.uri, start: at, end: at, text: lines.map((l) => `${indent}${l}\n`).join('') };
}

/**
 * Replaces the value of `pair` (null, `[]`, `{}` or any flow value) with `value` written in
 * block style below the key (or on the key's line when it fits there).
 */
export function replacePairValue(file: ParsedFile, pair: Pair, value: YamlValue): TextEdit | undefined {
  const key = pair.key as Node | null;
  const keyRange = key?.range;
  if (!keyRange) return undefined;
  const colon = file.text.indexOf(':', keyRange[1]);
  if (colon < 0) return undefined;
  const current = pair.value as Node | null;
  const end = current?.range ? current.range[1] : colon + 1;
  const inline = inlineValue(value);
  if (inline !== undefined) return { uri: file.uri, start: colon + 1, end, text: ` ${inline}` };
  const indent = ' '.repeat(columnOf(file.text, keyRange[0]));
  const lines = linesBelowKey(value, styleOf(file));
  // A comment after the old value stays on the key's line.
  const lineEnd = lineEndOf(file.text, Math.max(colon, end - 1));
  const rest = file.text.slice(end, lineEnd);
  const keep = /^\s*#/.test(rest) ? rest : '';
  return {
    uri: file.uri,
    start: colon + 1,
    end: keep ? lineEnd : end,
    text: keep + lines.map((l) => `\n${indent}${l}`).join(''),
  };
}

/**
 * Removes a pair from its mapping: its lines when it starts its own line, or up to the
 * next key when it follows a list dash (`- ipBlock: ...` then `  podSelector: ...`).
 * Comments written inside the pair stay, as comment lines where the pair was (unless
 * `keepComments` is false, when the caller moves the pair's text elsewhere).
 * Undefined for flow mappings and for the only pair of a list item.
 */
export function removePair(file: ParsedFile, map: YAMLMap, pair: Pair, keepComments = true): TextEdit | undefined {
  if (map.flow) return undefined;
  const range = rangeOf(pair);
  if (!range) return undefined;
  const index = map.items.indexOf(pair);
  const lineStart = file.text.lastIndexOf('\n', range[0] - 1) + 1;
  const before = file.text.slice(lineStart, range[0]);
  const ownLine = /^[ \t]*$/.test(before);
  let end: number;
  if (ownLine) {
    end = lineEndOf(file.text, Math.max(range[0], range[1] - 1));
    if (end < file.text.length) end += 1;
  } else {
    const next = map.items[index + 1];
    const nextRange = next ? rangeOf(next) : undefined;
    if (!nextRange) return undefined;
    end = nextRange[0];
  }
  const indent = ' '.repeat(columnOf(file.text, range[0]));
  const comments = keepComments ? commentsIn(file.text.slice(range[0], end)) : [];
  const kept = comments.map((c) => `${indent}${c}\n`).join('');
  if (ownLine) return { uri: file.uri, start: lineStart, end, text: kept };
  // After a dash: the comments go above the item's line.
  const dashIndent = /^[ \t]*/.exec(before)![0];
  return { uri: file.uri, start: lineStart, end, text: comments.map((c) => `${dashIndent}${c}\n`).join('') + before };
}

/** The `# ...` comments of some YAML text (a `#` after a space or at a line start). */
export function commentsIn(text: string): string[] {
  return text
    .split('\n')
    .map((line) => /(?:^|\s)(#.*)$/.exec(line)?.[1].trim())
    .filter((c): c is string => c !== undefined);
}

/** Replaces a scalar keeping its quoting style where it can. */
export function replaceScalar(file: ParsedFile, span: Span, value: string | number): TextEdit {
  const original = file.text.slice(span.start, span.end);
  let text: string;
  if (typeof value === 'number') text = String(value);
  else if (original.startsWith('"')) text = JSON.stringify(value);
  else if (original.startsWith("'")) text = `'${value.replace(/'/g, "''")}'`;
  else text = yamlScalar(value);
  return { uri: file.uri, start: span.start, end: span.end, text };
}

/** Shifts every line after the first by `delta` columns (negative: fewer spaces). */
export function reindent(text: string, delta: number): string {
  if (delta === 0) return text;
  return text
    .split('\n')
    .map((line, i) => {
      if (i === 0 || line.trim() === '') return line;
      if (delta > 0) return ' '.repeat(delta) + line;
      const spaces = /^ */.exec(line)![0].length;
      return line.slice(Math.min(spaces, -delta));
    })
    .join('\n');
}

/** Key column of a pair. */
export function keyColumn(file: ParsedFile, pair: Pair): number | undefined {
  const range = rangeOf(pair);
  return range ? columnOf(file.text, range[0]) : undefined;
}

export function scalarText(node: unknown): string | undefined {
  return isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number')
    ? String(node.value)
    : undefined;
}

export { indentOfLine, pairIn, pathAt, yamlScalar };
