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

/** Fixes as built, or a function that builds them when first asked (see `fixesOf`). */
export type Fixes = readonly Fix[] | (() => readonly Fix[]);

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
  /**
   * Edits that resolve the finding; the first preferred one is applied by `--fix`. Read
   * them with `fixesOf`: a check may give a function that builds them from what it
   * recorded, as most findings are never fixed and building edits walks the YAML.
   */
  readonly fixes?: Fixes;
  /**
   * The API server would refuse the object as written. Reachability answers then rest
   * on a guess, so commands that must be exact (connlist) stop with an error.
   */
  readonly rejectedByApi?: boolean;
  /** Facts recorded while checking, for building fixes and hovers later (never parsed from the message). */
  readonly data?: Readonly<Record<string, unknown>>;
}

const built = new WeakMap<() => readonly Fix[], readonly Fix[]>();

/**
 * The fixes of a finding, built on first use when the check deferred them, then kept (a
 * copy of the finding, e.g. with another severity, shares them). A fix is a convenience:
 * building one that throws on a document shape nobody foresaw yields none. Fixes write
 * YAML, which would turn a JSON manifest into YAML: none touches a `.json` file.
 */
export function fixesOf(finding: Finding): readonly Fix[] {
  const fixes = finding.fixes;
  if (fixes === undefined) return [];
  if (typeof fixes !== 'function') return withoutJson(fixes);
  let result = built.get(fixes);
  if (!result) {
    try {
      result = withoutJson(fixes());
    } catch {
      result = [];
    }
    built.set(fixes, result);
  }
  return result;
}

function withoutJson(fixes: readonly Fix[]): readonly Fix[] {
  return fixes.filter((fix) => !fix.edits.some((edit) => /\.json$/i.test(edit.uri)));
}
