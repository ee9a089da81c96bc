/**
 * What one edit costs inside the language server, without the protocol, run by run.ts in
 * a fresh Node process:
 *
 *   node --expose-gc --import tsx test/bench/edits.ts DIR REPS
 *
 * Reads the generated workspace as the server does (WorkspaceFiles.scan), analyses it
 * once, then REPS times changes one line of a policy (the open document's text, as after
 * `didChange`) and times `Analysis.current()`, phase by phase as the analysis reports
 * them. Then, on the last state, each check alone: a fresh reachability index, and
 * `lintWorkspace` with every check timed. Prints one JSON object on stdout.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { lintWorkspace, ReachabilityIndex } from '../../server/src/engine';
import type { Check } from '../../server/src/engine/checks/context';
import { CHECKS } from '../../server/src/engine/checks/registry';
import { Analysis } from '../../server/src/lsp/analysis';
import { WorkspaceFiles } from '../../server/src/lsp/files';
import { DEFAULT_SETTINGS } from '../../server/src/protocol';
import { median } from './common';
import { findTarget } from './lsp';

export interface Sample {
  readonly wall: number;
  readonly cpu: number;
}

export interface EditsResult {
  readonly mode: 'edits';
  readonly reps: number;
  readonly policies: number;
  readonly workloads: number;
  readonly findings: number;
  /** Medians: `Analysis.current()` after the change (`total`), and the phases it reports. */
  readonly edit: Record<string, Sample>;
  /** Medians of the first answer for the edited file alone, when the analysis offers one (`total`, phases). */
  readonly firstFile?: Record<string, Sample>;
  /** Medians on the final state: a fresh index, then each check. */
  readonly checks: Record<string, Sample>;
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

function timed<T>(run: () => T): [T, Sample] {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = run();
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return [value, { wall, cpu: (used.user + used.system) / 1000 }];
}

function medians(samples: readonly Record<string, Sample>[]): Record<string, Sample> {
  const names = [...new Set(samples.flatMap((s) => Object.keys(s)))];
  return Object.fromEntries(
    names.map((name) => {
      const of = samples.filter((s) => s[name]).map((s) => s[name]);
      return [name, { wall: median(of.map((s) => s.wall)), cpu: median(of.map((s) => s.cpu)) }];
    }),
  );
}

/** Phase timings an AnalysisResult may carry (milliseconds of wall time). */
function phasesOf(result: unknown): Record<string, Sample> {
  const timings = (result as { timings?: Record<string, number> }).timings ?? {};
  return Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, { wall: v, cpu: NaN }]));
}

async function main(): Promise<void> {
  const [dir, repsText] = process.argv.slice(2);
  if (!dir || !existsSync(dir)) throw new Error('usage: edits.ts DIR [REPS]');
  const reps = Math.max(1, Number(repsText ?? '20'));
  const warmup = 4;
  const { target } = findTarget(path.resolve(dir));

  const files = new WorkspaceFiles(DEFAULT_SETTINGS, () => undefined);
  await files.scan([pathToFileURL(path.resolve(dir)).toString()]);
  const analysis = new Analysis(files, DEFAULT_SETTINGS);
  analysis.current();
  const uri = pathToFileURL(target.policyFile).toString();

  const edit: Record<string, Sample>[] = [];
  const firstFile: Record<string, Sample>[] = [];
  const first = (analysis as unknown as { firstFor?: (uris: readonly string[]) => unknown }).firstFor;
  for (let k = 0; k < warmup + reps; k++) {
    const text = k % 2 === 0 ? target.brokenPolicy : target.policyText;
    gc();
    if (first) {
      files.setOpen(uri, 2 * k + 1, text);
      analysis.invalidate();
      const [result, sample] = timed(() => first.call(analysis, [uri]));
      if (k >= warmup) firstFile.push({ total: sample, ...phasesOf(result) });
    }
    files.setOpen(uri, 2 * k + 2, text);
    analysis.invalidate();
    const [result, sample] = timed(() => analysis.current());
    if (k >= warmup) edit.push({ total: sample, ...phasesOf(result) });
  }

  const result = analysis.current();
  const checks: Record<string, Sample>[] = [];
  const settings = { analysis: { ipBlockMatchesPods: DEFAULT_SETTINGS.ipBlockPods !== 'ignore' } };
  for (let rep = 0; rep < Math.min(reps, 10); rep++) {
    gc();
    const sample: Record<string, Sample> = {};
    const [index, indexing] = timed(() => new ReachabilityIndex(result.workspace, settings.analysis));
    sample.index = indexing;
    const wrapped = CHECKS.map((check): Check => ({
      codes: check.codes,
      run(context) {
        const [, s] = timed(() => check.run(context));
        sample[check.codes.join(',')] = s;
      },
    }));
    const [, lint] = timed(() => lintWorkspace(result.workspace, settings, index, wrapped));
    const inChecks = Object.entries(sample)
      .filter(([k]) => k !== 'index')
      .reduce((sum, [, s]) => ({ wall: sum.wall + s.wall, cpu: sum.cpu + s.cpu }), { wall: 0, cpu: 0 });
    sample['lint, outside the checks'] = { wall: lint.wall - inChecks.wall, cpu: lint.cpu - inChecks.cpu };
    sample['lint, total'] = lint;
    checks.push(sample);
  }

  const out: EditsResult = {
    mode: 'edits',
    reps,
    policies: result.workspace.policies.length,
    workloads: result.workspace.workloads.length,
    findings: result.findings.length,
    edit: medians(edit),
    ...(firstFile.length ? { firstFile: medians(firstFile) } : {}),
    checks: medians(checks),
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`edits.ts: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  });
}
