/**
 * Linting: the findings of reading every file plus those of every check, with the
 * user's settings (checks turned off or re-graded) and disable comments applied.
 */
import { CATALOG } from './checks/catalog';
import { createContext, type Check } from './checks/context';
import { CHECKS } from './checks/registry';
import { readSuppressions, type Suppressions } from './checks/suppressions';
import { withStructureFixes } from './checks/structureFixes';
import type { Finding, Severity } from './findings';
import { ReachabilityIndex } from './reachability';
import type { AnalysisOptions } from './semantics';
import type { Workspace } from './workspace';
import { positionAt, type ParsedFile } from './yamlFile';

export type CheckSetting = Severity | 'off';

export interface LintSettings {
  /** Per code (`NR022`): `off`, or the severity to report it with. */
  readonly checks?: Readonly<Record<string, CheckSetting>>;
  readonly analysis?: Partial<AnalysisOptions>;
}

export interface LintResult {
  readonly index: ReachabilityIndex;
  /** Sorted by file, then position. */
  readonly findings: readonly Finding[];
}

/**
 * `only`: the files whose findings are wanted (the editor asks for the file just edited
 * first); the findings are exactly those a whole run gives for these files, found sooner
 * as the checks look only at the policies and workloads of these files (judged against
 * the whole workspace all the same).
 */
export function lintWorkspace(
  workspace: Workspace,
  settings: LintSettings = {},
  index?: ReachabilityIndex,
  checks: readonly Check[] = CHECKS,
  only?: ReadonlySet<string>,
): LintResult {
  const reachability = index ?? new ReachabilityIndex(workspace, settings.analysis);
  // Findings of reading get their fixes here; the readers only record the facts.
  const read = only ? workspace.findings.filter((f) => only.has(f.span.uri)) : workspace.findings;
  const raw: Finding[] = read.map((f) => withStructureFixes(f, workspace));
  const context = createContext(workspace, reachability, (finding) => raw.push(finding), only);
  for (const check of checks) {
    if (check.codes.every((code) => settings.checks?.[code] === 'off')) continue;
    check.run(context);
  }
  const wanted = only ? raw.filter((f) => only.has(f.span.uri)) : raw;
  return { index: reachability, findings: applySettings(workspace, wanted, settings) };
}

/** Disable comments per parsed file: a file unchanged since the last run is not read again. */
const suppressionsByFile = new WeakMap<ParsedFile, Suppressions>();

function applySettings(workspace: Workspace, findings: readonly Finding[], settings: LintSettings): Finding[] {
  const none = readSuppressions('');
  const suppressionsOf = (uri: string) => {
    const file = workspace.files.get(uri)?.file;
    if (!file) return none;
    let s = suppressionsByFile.get(file);
    if (!s) {
      s = readSuppressions(file.text);
      suppressionsByFile.set(file, s);
    }
    return s;
  };
  const seen = new Set<string>();
  const result: Finding[] = [];
  for (const finding of findings) {
    const setting = settings.checks?.[finding.code];
    if (setting === 'off') continue;
    const file = workspace.files.get(finding.span.uri)?.file;
    const suppressions = suppressionsOf(finding.span.uri);
    if (
      file &&
      !suppressions.empty &&
      suppressions.isSuppressed(finding.code, positionAt(file, finding.span.start).line)
    ) {
      continue;
    }
    const key = `${finding.code}\u0000${finding.span.uri}\u0000${finding.span.start}\u0000${finding.span.end}\u0000${finding.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(setting && setting !== finding.severity ? { ...finding, severity: setting } : finding);
  }
  return result.sort(
    (a, b) =>
      (a.span.uri < b.span.uri ? -1 : a.span.uri > b.span.uri ? 1 : 0) ||
      a.span.start - b.span.start ||
      (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );
}

/** The default severity of a code, from the catalog. */
export function defaultSeverity(code: string): Severity {
  return CATALOG.get(code)?.severity ?? 'warning';
}
