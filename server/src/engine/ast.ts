/**
 * Typed reading of YAML AST nodes. Every getter checks the type the Kubernetes API
 * expects and records a finding (NR014) when the value has another type: the API server
 * refuses such an object, so the caller leaves the object out of the model.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import type { Finding, Span } from './findings';
import { contentEnd } from './yamlFile';

export interface Field {
  readonly key: string;
  readonly pair: Pair;
  /** The value node; undefined for `key:` with nothing after it (YAML null). */
  readonly value: Node | undefined;
  /** From the key to the end of the value. */
  readonly span: Span;
  readonly keySpan: Span;
}

export function describeType(node: Node | undefined): string {
  if (node === undefined) return 'empty';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const value = node.value;
    if (value === null) return 'null';
    if (typeof value === 'boolean') return `the boolean ${value}`;
    if (typeof value === 'number' || typeof value === 'bigint') return `the number ${String(value)}`;
    if (typeof value === 'string') return `the string "${value}"`;
  }
  return 'an unsupported value';
}

export class FieldReader {
  readonly findings: Finding[] = [];
  /** Set when a value had a type the API server refuses. */
  broken = false;

  readonly uri: string;

  constructor(
    private readonly file: { readonly uri: string; readonly text: string },
    private readonly document: Document.Parsed,
    /** Names the object in messages, e.g. `NetworkPolicy "web"`. */
    readonly objectLabel: string,
  ) {
    this.uri = file.uri;
  }

  /** The node's extent, without the line breaks and blanks a block collection ends with. */
  span(node: Node | Pair): Span {
    let start: number;
    let end: number;
    if ('range' in node && node.range) {
      [start, end] = node.range;
    } else {
      const pair = node as Pair;
      const key = pair.key as Node | null;
      const value = pair.value as Node | null;
      start = key?.range?.[0] ?? value?.range?.[0] ?? 0;
      end = value?.range?.[1] ?? key?.range?.[1] ?? start;
    }
    return { uri: this.uri, start, end: contentEnd(this.file.text, start, end) };
  }

  resolve(node: unknown): Node | undefined {
    if (node === null || node === undefined) return undefined;
    if (isAlias(node)) return node.resolve(this.document) ?? undefined;
    const n = node as Node;
    // `key: null` / `key: ~` mean the same as absent for the Kubernetes API.
    if (isScalar(n) && n.value === null) return undefined;
    return n;
  }

  field(map: YAMLMap | undefined, key: string): Field | undefined {
    if (!map) return undefined;
    for (const pair of map.items) {
      const k = pair.key;
      if (isScalar(k) && String(k.value) === key) {
        const keyNode = k as Node;
        return {
          key,
          pair,
          value: this.resolve(pair.value),
          span: this.span(pair),
          keySpan: this.span(keyNode),
        };
      }
    }
    return undefined;
  }

  /** The keys of a mapping, in order. */
  keys(map: YAMLMap): string[] {
    return map.items.filter((p) => isScalar(p.key)).map((p) => String((p.key as { value: unknown }).value));
  }

  typeError(field: Field | { key: string; value: Node | undefined; span: Span }, expected: string): undefined {
    this.broken = true;
    this.findings.push({
      code: 'NR014',
      severity: 'error',
      message: `\`${field.key}\` must be ${expected}, not ${describeType(field.value)}. The API server refuses this ${this.objectLabel}, so it is left out of the analysis.`,
      span: field.value?.range ? this.span(field.value) : field.span,
      rejectedByApi: true,
    });
    return undefined;
  }

  map(field: Field | undefined): YAMLMap | undefined {
    if (!field || field.value === undefined) return undefined;
    if (isMap(field.value)) return field.value;
    return this.typeError(field, 'a mapping');
  }

  seq(field: Field | undefined): YAMLSeq | undefined {
    if (!field || field.value === undefined) return undefined;
    if (isSeq(field.value)) return field.value;
    return this.typeError(field, 'a list');
  }

  /** The items of a list, aliases resolved; null items are kept as undefined. */
  items(seq: YAMLSeq | undefined): (Node | undefined)[] {
    return seq ? seq.items.map((item) => this.resolve(item)) : [];
  }

  string(field: Field | undefined): string | undefined {
    if (!field || field.value === undefined) return undefined;
    const node = field.value;
    if (isScalar(node) && typeof node.value === 'string') return node.value;
    return this.typeError(field, 'a string (quote it)');
  }

  int(field: Field | undefined): number | undefined {
    if (!field || field.value === undefined) return undefined;
    const node = field.value;
    if (isScalar(node) && typeof node.value === 'number' && Number.isInteger(node.value)) return node.value;
    return this.typeError(field, 'an integer');
  }

  bool(field: Field | undefined): boolean | undefined {
    if (!field || field.value === undefined) return undefined;
    const node = field.value;
    if (isScalar(node) && typeof node.value === 'boolean') return node.value;
    return this.typeError(field, 'true or false');
  }

  /** Kubernetes IntOrString: a number, or a string (a port name). */
  intOrString(field: Field | undefined): number | string | undefined {
    if (!field || field.value === undefined) return undefined;
    const node = field.value;
    if (isScalar(node)) {
      if (typeof node.value === 'number' && Number.isInteger(node.value)) return node.value;
      if (typeof node.value === 'string') return node.value;
    }
    return this.typeError(field, 'a port number or a port name');
  }

  /** A map of strings to strings (labels, matchLabels, selectors). */
  stringMap(
    field: Field | undefined,
  ): Map<string, { value: string; span: Span; keySpan: Span; valueSpan: Span }> | undefined {
    const map = this.map(field);
    if (!map) return undefined;
    const result = new Map<string, { value: string; span: Span; keySpan: Span; valueSpan: Span }>();
    for (const pair of map.items) {
      const keyNode = pair.key;
      if (!isScalar(keyNode)) continue;
      const key = String(keyNode.value);
      const entry: Field = {
        key,
        pair,
        value: this.resolve(pair.value),
        span: this.span(pair),
        keySpan: this.span(keyNode as Node),
      };
      // An empty label value is written `key: ""`; a bare `key:` is null, which the API refuses.
      const value =
        entry.value === undefined
          ? this.typeError(entry, 'a string (write "" for an empty value)')
          : this.string(entry);
      const valueSpan = entry.value?.range ? this.span(entry.value) : entry.span;
      if (value !== undefined) result.set(key, { value, span: entry.span, keySpan: entry.keySpan, valueSpan });
    }
    return result;
  }

  /** Narrow a list item to a mapping, recording a type error otherwise. */
  itemMap(node: Node | undefined, key: string, span: Span): YAMLMap | undefined {
    if (node !== undefined && isMap(node)) return node;
    return this.typeError({ key, value: node, span }, 'a mapping');
  }
}
