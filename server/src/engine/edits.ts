/**
 * Building text edits on YAML that keep the user's indentation and comments: fixes are
 * computed here as plain edits (the LSP layer only converts them).
 */
import {
  isNode,
  isPair,
  isScalar,
  isSeq,
  parse,
  visit,
  type Document,
  type Node,
  type Pair,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import type { Span, TextEdit } from './findings';
import { contentEnd, type ParsedFile } from './yamlFile';

export type Ancestor = Node | Pair | Document;

/**
 * The node or pair whose range is exactly `span` (else the innermost containing it),
 * with its ancestors: `[document, ..., node]`.
 */
export function pathAt(file: ParsedFile, span: Span): readonly Ancestor[] | undefined {
  let exact: Ancestor[] | undefined;
  let containing: Ancestor[] | undefined;
  for (const document of file.documents) {
    if (span.start < document.start || span.start > document.end) continue;
    visit(document.document, (_key, node, path) => {
      const range = rangeOf(node as Node | Pair);
      if (!range) return undefined;
      if (range[0] <= span.start && span.end <= range[1]) {
        containing = [...path, node as Node | Pair];
        if (range[0] === span.start && contentEnd(file.text, range[0], range[1]) === span.end) exact = containing;
        return undefined;
      }
      return visit.SKIP;
    });
  }
  return exact ?? containing;
}

/** The pair (`key: value`) whose key is `key` in `map`. */
export function pairIn(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
}

export function rangeOf(node: Node | Pair): [number, number] | undefined {
  if (isPair(node)) {
    const key = node.key as Node | null;
    const value = node.value as Node | null;
    const start = key?.range?.[0] ?? value?.range?.[0];
    const end = value?.range?.[1] ?? key?.range?.[1];
    return start === undefined || end === undefined ? undefined : [start, end];
  }
  return isNode(node) && node.range ? [node.range[0], node.range[1]] : undefined;
}

export function lineStartOf(text: string, offset: number): number {
  // lastIndexOf reads a negative position as 0 and would find a line break at offset 0.
  return offset <= 0 ? 0 : text.lastIndexOf('\n', offset - 1) + 1;
}

export function lineEndOf(text: string, offset: number): number {
  const end = text.indexOf('\n', offset);
  return end < 0 ? text.length : end;
}

/** Column of `offset` within its line. */
export function columnOf(text: string, offset: number): number {
  return offset - lineStartOf(text, offset);
}

/** Leading whitespace of the line holding `offset`. */
export function indentOfLine(text: string, offset: number): string {
  const start = lineStartOf(text, offset);
  return /^[ \t]*/.exec(text.slice(start))![0];
}

/** The indentation unit the file uses (the smallest step between nested lines), default two spaces. */
export function indentUnit(text: string): string {
  // Every fix in a file asks again, and the answer takes a pass over the whole text:
  // without this, a large file with many findings took minutes (quadratic).
  if (lastIndentUnit?.text !== text) lastIndentUnit = { text, unit: computeIndentUnit(text) };
  return lastIndentUnit.unit;
}

let lastIndentUnit: { readonly text: string; readonly unit: string } | undefined;

const units = new WeakMap<ParsedFile, string>();

/** The indentation unit of a parsed file, found once per file. */
function unitOf(file: ParsedFile): string {
  let unit = units.get(file);
  if (unit === undefined) units.set(file, (unit = indentUnit(file.text)));
  return unit;
}

function computeIndentUnit(text: string): string {
  let best = 0;
  let previous = 0;
  for (const line of text.split('\n')) {
    if (!line.trim() || line.trimStart().startsWith('#')) continue;
    const indent = line.length - line.trimStart().length;
    const step = indent - previous;
    if (step > 0 && (best === 0 || step < best)) best = step;
    // Keys after a list dash (`- name: a`) sit two columns in; their continuation lines are not a nesting step.
    previous = indent + (/^(- +)*/.exec(line.trimStart())?.[0].length ?? 0);
  }
  return ' '.repeat(best || 2);
}

const plainCache = new Map<string, boolean>();

/** A scalar, plain when plain style reads back as the same string (`10.0.0.0/8`, `kube-dns`), else quoted. */
export function yamlScalar(value: string | number | boolean): string {
  if (typeof value !== 'string') return String(value);
  return isPlainSafe(value) ? value : JSON.stringify(value);
}

function isPlainSafe(value: string): boolean {
  if (!/^[A-Za-z0-9_./][A-Za-z0-9_./:-]*$/.test(value) || value.endsWith(':')) return false;
  // Fast paths for what fixes write: names and labels starting with a letter, CIDRs.
  if (/^[A-Za-z_][A-Za-z0-9_./-]*$/.test(value)) return !/^(true|false|yes|no|on|off|null|y|n)$/i.test(value);
  if (/^[0-9a-fA-F.:]+\/\d+$/.test(value)) return true;
  let safe = plainCache.get(value);
  if (safe === undefined) {
    try {
      safe = parse(value) === value;
    } catch {
      safe = false;
    }
    if (plainCache.size < 1000) plainCache.set(value, safe);
  }
  return safe;
}

/**
 * Where the content of a block collection starts on a new line: the column of its first
 * item, or the parent's indentation plus one unit when it is empty or written in flow style.
 */
export function childIndent(file: ParsedFile, collection: YAMLMap | YAMLSeq, parentOffset: number): string {
  const first = collection.items[0] as Node | Pair | undefined;
  const firstRange = first ? rangeOf(first) : undefined;
  if (!collection.flow && firstRange) {
    if (isSeq(collection)) {
      return ' '.repeat(columnOf(file.text, collection.range![0]));
    }
    return ' '.repeat(columnOf(file.text, firstRange[0]));
  }
  return indentOfLine(file.text, parentOffset) + unitOf(file);
}

/**
 * Adds `key: value` to a mapping. `valueLines` are the lines of the value: one line is
 * written after the key, several go below it, indented one unit further.
 */
export function insertIntoMap(
  file: ParsedFile,
  map: YAMLMap,
  key: string,
  valueLines: readonly string[],
  parentOffset: number,
): TextEdit {
  const unit = unitOf(file);
  // A line starting with NUL is written at the key's own indentation (unindented lists).
  const inline = valueLines.length === 1 && !valueLines[0].startsWith('\u0000') && !valueLines[0].startsWith('- ');
  const entry = (indent: string) =>
    inline
      ? `${key}: ${valueLines[0]}`
      : `${key}:\n${valueLines.map((l) => (l.startsWith('\u0000') ? `${indent}${l.slice(1)}` : `${indent}${unit}${l}`)).join('\n')}`;
  if (!map.flow && map.items.length > 0) {
    const indent = childIndent(file, map, parentOffset);
    const last = map.items[map.items.length - 1];
    const end = lineEndOf(file.text, rangeOf(last)![1] - 1);
    return { uri: file.uri, start: end, end, text: `\n${indent}${entry(indent)}` };
  }
  // Empty or flow mapping (`{}`): rewrite it as a block below its key.
  const indent = indentOfLine(file.text, parentOffset) + unit;
  const range = map.range!;
  if (map.items.length === 0) {
    const start = precedingSpaceStart(file.text, range[0]);
    return { uri: file.uri, start, end: range[1], text: `\n${indent}${entry(indent)}` };
  }
  const inner = file.text.slice(range[0] + 1, range[1] - 1).trim();
  return {
    uri: file.uri,
    start: range[1] - 1,
    end: range[1] - 1,
    text: `${inner ? ', ' : ''}${key}: ${valueLines.join(' ')} `,
  };
}

/** Removes a whole block-style list item or mapping pair, with its line(s). */
export function deleteLines(file: ParsedFile, start: number, end: number): TextEdit {
  const from = lineStartOf(file.text, start);
  let to = lineEndOf(file.text, Math.max(start, end - 1));
  if (to < file.text.length) to += 1;
  return { uri: file.uri, start: from, end: to, text: '' };
}

function precedingSpaceStart(text: string, offset: number): number {
  let i = offset;
  while (i > 0 && (text[i - 1] === ' ' || text[i - 1] === '\t')) i--;
  return i;
}

export function replaceSpan(span: Span, text: string): TextEdit {
  return { uri: span.uri, start: span.start, end: span.end, text };
}

/** Applies edits (non-overlapping) to a text: for tests and `lint --fix`. */
export function applyEdits(text: string, edits: readonly Pick<TextEdit, 'start' | 'end' | 'text'>[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let result = text;
  let lastStart = Infinity;
  for (const edit of sorted) {
    if (edit.end > lastStart) continue; // overlapping: keep the later one only
    result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
    lastStart = edit.start;
  }
  return result;
}

/** Whether block sequences in this file are indented under their key (`key:\n  - a`) or not (`key:\n- a`). */
export function sequencesIndented(text: string): boolean {
  const match = /^([ \t]*)[^\s#-][^\n]*:[ \t]*\n(?:[ \t]*#[^\n]*\n)*([ \t]*)- /m.exec(text);
  return match ? match[2].length > match[1].length : true;
}

/** Appends an item (a scalar or flow value) to a sequence, block or flow. */
export function appendToSequence(file: ParsedFile, seq: YAMLSeq, item: string): TextEdit {
  const range = seq.range!;
  if (seq.flow) {
    const inner = file.text.slice(range[0] + 1, range[1] - 1).trim();
    return { uri: file.uri, start: range[1] - 1, end: range[1] - 1, text: inner ? `, ${item}` : item };
  }
  const last = seq.items[seq.items.length - 1] as Node | Pair;
  const end = lineEndOf(file.text, rangeOf(last)![1] - 1);
  const indent = ' '.repeat(columnOf(file.text, range[0]));
  return { uri: file.uri, start: end, end, text: `\n${indent}- ${item}` };
}

/** `key:` followed by a block list of `items`, as lines for insertIntoMap. */
export function blockListLines(text: string, items: readonly string[]): string[] {
  // insertIntoMap indents value lines one unit; undo it when the file does not indent lists.
  return sequencesIndented(text) ? items.map((i) => `- ${i}`) : items.map((i) => `\u0000- ${i}`);
}
