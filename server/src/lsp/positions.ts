/** Offsets in the engine, LSP positions and ranges at the edge. */
import type { Position, Range } from 'vscode-languageserver';
import { offsetAt, positionAt, type ParsedFile, type Span, type Workspace } from '../engine';
import type { LocationDto } from '../protocol';

export function rangeOf(file: ParsedFile, start: number, end: number): Range {
  return { start: positionAt(file, start), end: positionAt(file, end) };
}

export function offsetOf(file: ParsedFile, position: Position): number {
  return offsetAt(file, position);
}

/** The location of a span, or undefined when its file is unknown (e.g. an assumed object). */
export function locationOf(workspace: Workspace, span: Span): LocationDto | undefined {
  const file = workspace.files.get(span.uri)?.file;
  return file ? { uri: span.uri, range: rangeOf(file, span.start, span.end) } : undefined;
}
