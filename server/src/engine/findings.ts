/**
 * Findings: what the engine reports about manifests, as plain data. Only the LSP layer
 * turns them into protocol types; the CLI prints them as they are.
 */

export interface Span {
  readonly uri: string;
  /** UTF-16 offsets into the file's text, end exclusive. */
  readonly start: number;
  readonly end: number;
}

export type Severity = 'error' | 'warning' | 'info';

/** A text edit on one file: replace `start..end` with `text`. */
export interface TextEdit {
  readonly uri: string;
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export interface Fix {
  readonly title: string;
  readonly edits: readonly TextEdit[];
  /** The one fix that is clearly right (an editor may apply it on "fix all"). */
  readonly preferred?: boolean;
}

export interface RelatedLocation {
  readonly span: Span;
  readonly message: string;
}

export interface Finding {
  /** Stable check code, `NRnnn`. */
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly span: Span;
  readonly related?: readonly RelatedLocation[];
  /** Edits that resolve the finding; the first preferred one is applied by `--fix`. */
  readonly fixes?: readonly Fix[];
  /**
   * The API server would refuse the object as written. Reachability answers then rest
   * on a guess, so commands that must be exact (connlist) stop with an error.
   */
  readonly rejectedByApi?: boolean;
  /** Facts recorded while checking, for building fixes and hovers later (never parsed from the message). */
  readonly data?: Readonly<Record<string, unknown>>;
}
