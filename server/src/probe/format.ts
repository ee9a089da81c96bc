/**
 * Probe plans and results in words and data: the CLI's text and JSON, the VS Code
 * confirmation and view summary, and diagnostics on the deciding rules of mismatches.
 * Pure functions of the plan, the run report and the files.
 */
import { positionAt, type Position } from '../engine';
import type { ClusterTarget } from '../cluster/client';
import type { RunReport } from '../cluster/runner';
import type { PolicyDifference } from './policyDiff';
import { formatPort, type PlannedCheck, type ProbePlan } from './planner';
import type { FilePolicy, ProbeOutcome, ProbeRow } from './session';
import type { ProbeRowData } from './verdict';

export function describeTarget(target: ClusterTarget): string {
  return `context "${target.context}" (cluster "${target.cluster}" at ${target.server})`;
}

function labelsText(labels: Readonly<Record<string, string>>): string {
  const entries = Object.entries(labels);
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(',') : 'no identity labels';
}

export function planNamespaces(plan: ProbePlan): string[] {
  return [...new Set(plan.sources.map((s) => s.namespace))].sort();
}

export interface PlanTextOptions {
  readonly image?: string;
  readonly podDeadlineSeconds?: number;
}

function checkLine(check: PlannedCheck): string {
  const files = check.filesPredict ? ` [the files' policies: ${check.filesPredict}]` : '';
  return `    -> ${check.to.id} (pod ${check.target.pod}, ${check.target.ip}) ${formatPort(check)}: predicted ${check.predicted}: ${check.decidedBy}${files}`;
}

export function differencesText(differences: readonly PolicyDifference[]): string {
  if (differences.length === 0) return '';
  return `Files and cluster differ:\n${differences.map((d) => `  - ${d.message}\n`).join('')}`;
}

/** The plan as the CLI prints it before running (and without --yes). */
export function planText(
  target: ClusterTarget,
  plan: ProbePlan,
  differences: readonly PolicyDifference[],
  options: PlanTextOptions = {},
): string {
  const lines: string[] = [];
  lines.push(
    `Cluster: ${describeTarget(target)}${target.source.length ? `, kubeconfig ${target.source.join(', ')}` : ''}`,
  );
  lines.push(`Scope: ${plan.scope}`);
  const diff = differencesText(differences);
  if (diff) lines.push('', diff.trimEnd());
  lines.push('');
  const namespaces = planNamespaces(plan);
  if (plan.checks.length === 0) {
    lines.push('Plan: nothing to probe.');
  } else {
    const deadline = options.podDeadlineSeconds ? `; each stops by itself after ${options.podDeadlineSeconds} s` : '';
    lines.push(
      `Plan: ${plan.checks.length} connection${plan.checks.length === 1 ? '' : 's'} from ${plan.sources.length} probe pod${plan.sources.length === 1 ? '' : 's'} ` +
        `in namespace${namespaces.length === 1 ? '' : 's'} ${namespaces.join(', ')} (deleted after the run${deadline}):`,
    );
    if (options.image) lines.push(`  image: ${options.image}`);
    for (const source of plan.sources) {
      lines.push(
        `  probe pod in ${source.namespace} as ${labelsText(source.labels)} (for ${source.workloads.join(', ')})`,
      );
      const ids = new Set(plan.run.sources.find((s) => s.id === source.id)?.targets.map((t) => t.id));
      for (const check of plan.checks.filter((c) => ids.has(c.id))) lines.push(checkLine(check));
    }
  }
  if (plan.skipped.length) {
    lines.push('Not probed:');
    for (const s of plan.skipped) lines.push(`  - ${s.what}: ${s.reason}`);
  }
  for (const note of plan.notes) lines.push(`Note: ${note}`);
  return `${lines.join('\n')}\n`;
}

const VERDICT_WORD = { match: 'MATCH', mismatch: 'MISMATCH', inconclusive: 'INCONCLUSIVE' } as const;

export function summaryLine(outcome: Pick<ProbeOutcome, 'rows' | 'counts'>): string {
  const { counts, rows } = outcome;
  return `${rows.length} connection${rows.length === 1 ? '' : 's'}: ${counts.match} match, ${counts.mismatch} mismatch, ${counts.inconclusive} inconclusive.`;
}

/** What went wrong in the run, and what was left behind, in words. */
export function runProblemsText(report: RunReport): string {
  const lines: string[] = [];
  if (report.error) lines.push(`Error: ${report.error.message}`);
  for (const problem of report.problems) lines.push(`Problem: ${problem.message}`);
  if (report.cleanup.leftovers.length) {
    lines.push(
      `Left behind: ${report.cleanup.leftovers.map((l) => `${l.kind} ${l.namespace}/${l.name}`).join(', ')}.` +
        (report.cleanup.hint ? ` ${report.cleanup.hint}` : ''),
    );
  } else if (report.cleanup.error && report.cleanup.hint) {
    lines.push(`Cleanup: ${report.cleanup.hint}`);
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/**
 * The results for a terminal: one line per connection and its reason. An error that stopped
 * many connections is said once, at the end, not in every row.
 */
export function resultsText(outcome: ProbeOutcome): string {
  const lines: string[] = [];
  const { report } = outcome;
  const shared = [report.error, ...report.problems]
    .filter((e): e is NonNullable<typeof e> => e !== undefined)
    .map((e) => ({ text: e.message, label: e === report.error ? 'the error below' : 'the problem below' }));
  for (const row of outcome.rows) {
    lines.push(
      `${VERDICT_WORD[row.verdict]}: ${row.from} -> ${row.to} ${row.port}: predicted ${row.predicted}, observed ${row.observed}`,
    );
    let reason = row.reason;
    if (row.observed === 'error')
      for (const { text, label } of shared) reason = reason.split(text).join(`see ${label}`);
    lines.push(`    ${reason}`);
  }
  lines.push(summaryLine(outcome));
  return `${lines.join('\n')}\n${runProblemsText(outcome.report)}`;
}

/** The rows as `--output json` prints them. */
export function rowsData(rows: readonly ProbeRow[]): ProbeRowData[] {
  return rows.map(({ from, to, port, predicted, observed, verdict, reason }) => ({
    from,
    to,
    port,
    predicted,
    observed,
    verdict,
    reason,
  }));
}

/** The VS Code confirmation: a headline naming the cluster, and the plan in a few lines. */
export function planSummary(
  target: ClusterTarget,
  plan: ProbePlan,
  differences: readonly PolicyDifference[],
): { message: string; detail: string } {
  const namespaces = planNamespaces(plan);
  const allowed = plan.checks.filter((c) => c.predicted === 'allowed').length;
  const message = `Run ${plan.sources.length} probe pod${plan.sources.length === 1 ? '' : 's'} in ${describeTarget(target)}?`;
  const detail = [
    `Scope: ${plan.scope}.`,
    `${plan.checks.length} connection${plan.checks.length === 1 ? '' : 's'} to test (${allowed} predicted allowed, ${plan.checks.length - allowed} predicted denied), ` +
      `from ${plan.sources.length} probe pod${plan.sources.length === 1 ? '' : 's'} created in namespace${namespaces.length === 1 ? '' : 's'} ${namespaces.join(', ')}.`,
    "The probe pods are unprivileged, never receive Service traffic, carry the source workloads' labels, and are deleted after the run (they also stop by themselves).",
    ...(plan.skipped.length ? [`${plan.skipped.length} not probed (see the results).`] : []),
    ...differences.map((d) => d.message),
    ...plan.notes.map((n) => `Note: ${n}.`),
  ].join('\n');
  return { message, detail };
}

export interface ProbeDiagnostic {
  readonly uri: string;
  readonly range: { readonly start: Position; readonly end: Position };
  readonly message: string;
}

/**
 * For every mismatch, a diagnostic on each deciding rule (or, when no rule allows, on the
 * isolating policy's name) that is in the files. Policies only in the cluster get none.
 */
export function mismatchDiagnostics(rows: readonly ProbeRow[], filePolicies: readonly FilePolicy[]): ProbeDiagnostic[] {
  const byId = new Map(filePolicies.map((p) => [p.id, p.original]));
  const out: ProbeDiagnostic[] = [];
  for (const row of rows) {
    if (row.verdict !== 'mismatch') continue;
    for (const ref of row.check.deciding) {
      const policy = byId.get(ref.policy);
      if (!policy) continue;
      const rule =
        ref.rule !== undefined
          ? (ref.direction === 'ingress' ? policy.ingress : policy.egress)[ref.rule - 1]
          : undefined;
      const span = rule?.span ?? policy.object.nameSpan;
      const file = policy.object.file;
      const what = rule
        ? `${ref.direction} rule ${ref.rule} of ${ref.policy}`
        : `${ref.policy} (isolates ${ref.direction})`;
      out.push({
        uri: span.uri,
        range: { start: positionAt(file, span.start), end: positionAt(file, span.end) },
        message:
          `Probe mismatch: ${row.from} -> ${row.to} ${row.port} was observed ${row.observed}, but ${what} predicts ${row.predicted}. ` +
          row.reason,
      });
    }
  }
  return out;
}
