/**
 * What one edit costs inside the language server, without the protocol, run by run.ts in
 * a fresh Node process:
 *
 *   node --expose-gc --import tsx test/bench/edits.ts DIR REPS
 *
 * Reads the generated workspace as the server does (WorkspaceFiles.scan), analyses it
 * once, then REPS times changes one line of a policy (the open document's text, as after
 * `didChange`) and times the server's two steps:
 * - `first`: `Analysis.findingsOf([the edited file])`: the files read again, joined
 *   (`assemble`), the reachability index (`index`, from the previous one), and the checks
 *   on the edited file's policies only (`lint`);
 * - `whole`: `Analysis.current()` right after: every check on the whole workspace.
 * Each check is timed in both (wall time). No forced garbage collection between edits (the
 * server has none; a forced one costs the next edit its warm code). Medians; prints one
 * JSON object on stdout.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Check } from '../../server/src/engine/checks/context';
import { CHECKS } from '../../server/src/engine/checks/registry';
import { Analysis } from '../../server/src/lsp/analysis';
import { WorkspaceFiles } from '../../server/src/lsp/files';
import { DEFAULT_SETTINGS } from '../../server/src/protocol';
import { measure, median, type Sample } from './common';
import { findTarget } from './lsp';

export type { Sample };

export interface EditsResult {
  readonly mode: 'edits';
  readonly reps: number;
  readonly policies: number;
  readonly workloads: number;
  readonly findings: number;
  /** Medians of the first step (the edited file's findings): `total`, its phases, then each check. */
  readonly first: Record<string, Sample>;
  /** Medians of the second step (the whole workspace): `total`, then each check. */
  readonly whole: Record<string, Sample>;
}

function medians(samples: readonly Record<string, Sample>[]): Record<string, Sample> {
  const names = [...new Set(samples.flatMap((s) => Object.keys(s)))];
  return Object.fromEntries(
    names.map((name) => {
      const of = samples.map((s) => s[name] ?? { wall: 0, cpu: NaN });
      return [name, { wall: median(of.map((s) => s.wall)), cpu: median(of.map((s) => s.cpu)) }];
    }),
  );
}

function phases(timings: Readonly<Record<string, number>> | undefined): Record<string, Sample> {
  return Object.fromEntries(Object.entries(timings ?? {}).map(([k, v]) => [k, { wall: v, cpu: NaN }]));
}

async function main(): Promise<void> {
  const [dir, repsText] = process.argv.slice(2);
  if (!dir || !existsSync(dir)) throw new Error('usage: edits.ts DIR [REPS]');
  const reps = Math.max(1, Number(repsText ?? '20'));
  const warmup = 4;
  const { target } = findTarget(path.resolve(dir));

  // Every check timed, into the sample of the step running.
  let checkTimes: Record<string, Sample> = {};
  const checks = CHECKS.map((check): Check => ({
    codes: check.codes,
    run(context) {
      const [, s] = measure(() => check.run(context));
      checkTimes[`    ${check.codes.join(',')}`] = { wall: s.wall, cpu: NaN };
    },
  }));
  const files = new WorkspaceFiles(DEFAULT_SETTINGS, () => undefined);
  await files.scan([pathToFileURL(path.resolve(dir)).toString()]);
  const analysis = new Analysis(files, DEFAULT_SETTINGS, checks);
  analysis.current();
  const uri = pathToFileURL(target.policyFile).toString();

  const first: Record<string, Sample>[] = [];
  const whole: Record<string, Sample>[] = [];
  for (let k = 0; k < warmup + reps; k++) {
    files.setOpen(uri, k + 2, k % 2 === 0 ? target.brokenPolicy : target.policyText);
    analysis.invalidate();
    checkTimes = {};
    const [partial, firstSample] = measure(() => analysis.findingsOf([uri]));
    const firstChecks = checkTimes;
    checkTimes = {};
    const [, wholeSample] = measure(() => analysis.current());
    if (k < warmup) continue;
    first.push({ total: firstSample, ...phases(partial.timings), ...firstChecks });
    whole.push({ total: wholeSample, ...checkTimes });
  }

  const result = analysis.current();
  const out: EditsResult = {
    mode: 'edits',
    reps,
    policies: result.workspace.policies.length,
    workloads: result.workspace.workloads.length,
    findings: result.findings.length,
    first: medians(first),
    whole: medians(whole),
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`edits.ts: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  });
}
