/**
 * Parsing manifest files (YAML or JSON, several documents per file) with the `yaml`
 * package, keeping the AST so every value has a source range.
 */
import { isScalar, LineCounter, parseAllDocuments, visit, YAMLParseError, type Document } from 'yaml';
import type { Finding } from './findings';

export interface SourceFile {
  /** An identifier of the file: a `file://` URI in the editor, a path in the CLI. */
  readonly uri: string;
  readonly text: string;
}

export interface ParsedDocument {
  readonly index: number;
  readonly document: Document.Parsed;
  readonly start: number;
  readonly end: number;
  readonly hasSyntaxError: boolean;
  /**
   * False for the broken document and every later one of the same file. kubectl reads a
   * file as a stream and stops at the first document it cannot parse, so these never
   * reach the cluster; the model leaves them out (their own problems are still reported).
   */
  readonly applied: boolean;
}

export interface ParsedFile {
  readonly uri: string;
  readonly text: string;
  readonly lineCounter: LineCounter;
  readonly documents: readonly ParsedDocument[];
  readonly syntaxFindings: readonly Finding[];
}

export interface Position {
  /** Zero-based line. */
  readonly line: number;
  /** Zero-based UTF-16 column. */
  readonly character: number;
}

/** Syntax errors reported per document (NR014). */
export const MAX_SYNTAX_ERRORS_PER_DOCUMENT = 10;

export function parseFile(source: SourceFile): ParsedFile {
  const lineCounter = new LineCounter();
  // Duplicate keys are found below: the yaml package's own check is quadratic in a map's size.
  const parsed = parseAllDocuments(source.text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const documents: ParsedDocument[] = [];
  const syntaxFindings: Finding[] = [];
  if (Array.isArray(parsed)) {
    let applied = true;
    parsed.forEach((document, index) => {
      addDuplicateKeyErrors(document);
      const hasSyntaxError = document.errors.length > 0;
      if (hasSyntaxError) applied = false;
      documents.push({
        index,
        document,
        start: document.range[0],
        end: document.range[2],
        hasSyntaxError,
        applied,
      });
      // The first errors say where it breaks; after a derailing one (a stray `...`) the
      // parser reports every later token, thousands of diagnostics for one mistake.
      for (const error of document.errors.slice(0, MAX_SYNTAX_ERRORS_PER_DOCUMENT)) {
        // An error at the end of the text (an unclosed bracket) points at the last character: ranges stay inside the document.
        const start = Math.max(0, Math.min(error.pos[0], source.text.length - 1));
        const end = Math.min(Math.max(error.pos[1], start + 1), source.text.length);
        syntaxFindings.push({
          code: 'NR014',
          severity: 'error',
          message: `${firstLine(error.message)}. This document and the rest of the file are left out of the analysis, as kubectl stops reading the file here.`,
          span: { uri: source.uri, start, end },
        });
      }
    });
  }
  return { uri: source.uri, text: source.text, lineCounter, documents, syntaxFindings };
}

/**
 * "Map keys must be unique", as the yaml package reports it (scalar keys with equal
 * values), in linear time: its own check compares each key with every earlier one, which
 * took minutes on a ConfigMap with 100k keys.
 */
function addDuplicateKeyErrors(document: Document.Parsed): void {
  visit(document, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const { key } of map.items) {
        if (!isScalar(key)) continue;
        if (!seen.has(key.value)) seen.add(key.value);
        else if (key.range)
          document.errors.push(
            new YAMLParseError([key.range[0], key.range[1]], 'DUPLICATE_KEY', 'Map keys must be unique'),
          );
      }
    },
  });
}

function firstLine(message: string): string {
  // The yaml package appends " at line L, column C:" and a code excerpt; the range says where.
  return message
    .split('\n')[0]
    .replace(/ at line \d+, column \d+:?$/, '')
    .replace(/\.$/, '');
}

export function positionAt(file: Pick<ParsedFile, 'lineCounter'>, offset: number): Position {
  const { line, col } = file.lineCounter.linePos(offset);
  return { line: line - 1, character: col - 1 };
}

export function offsetAt(file: Pick<ParsedFile, 'lineCounter' | 'text'>, position: Position): number {
  const starts = file.lineCounter.lineStarts;
  if (position.line >= starts.length) return file.text.length;
  const lineStart = starts[Math.max(0, position.line)];
  const nextLine = position.line + 1 < starts.length ? starts[position.line + 1] : file.text.length + 1;
  return Math.min(lineStart + position.character, nextLine - 1, file.text.length);
}

/** `end` moved back over the line breaks and blanks a block collection's range ends with. */
export function contentEnd(text: string, start: number, end: number): number {
  let result = end;
  while (result > start && /\s/.test(text[result - 1])) result--;
  return result;
}
