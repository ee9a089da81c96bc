/** What run.ts and nca.ts share: paths, medians, running the CLI, the generated workspaces. */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { existingWorkspace, generate, workspaceDir, type GeneratedSummary, type Shape } from './generate';

export const ROOT = path.resolve(__dirname, '..', '..');
export const BENCH = path.join(ROOT, '.bench');
export const RUSAGE_HOOK = path.join(__dirname, 'rusage.cjs');
export const CLI = path.join(ROOT, 'bin', 'netreach');
export const MiB = 1024 ** 2;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

export interface ProcessRun {
  readonly wall: number;
  readonly cpu: number;
  readonly maxRSS: number;
}

/**
 * How the CLI is started: `bin` is `./bin/netreach` (the launcher, then the bundle), as a
 * user runs it; `bundle` is `node dist/cli.js`, what the launcher itself runs when it hands
 * over to the project's Node. run.ts falls back to `bundle` only when `bin` prints nothing.
 */
export type CliLauncher = 'bin' | 'bundle';

export function cliCommand(launcher: CliLauncher): string {
  return launcher === 'bin' ? './bin/netreach' : 'node dist/cli.js';
}

/** Runs the CLI with stdout to `stdoutFile`; wall time from spawn to exit, CPU and maxRSS from the rusage hook. */
export function runCli(args: readonly string[], stdoutFile: string, launcher: CliLauncher = 'bin'): ProcessRun {
  const rusageFile = path.join(BENCH, `rusage-${process.pid}.jsonl`);
  rmSync(rusageFile, { force: true });
  const hook = RUSAGE_HOOK.includes(' ') ? `"${RUSAGE_HOOK}"` : RUSAGE_HOOK;
  const env = {
    ...process.env,
    // `#!/usr/bin/env node` finds this Node (the project's), so no launcher hand-over happens.
    PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${hook}`.trim(),
    NETREACH_BENCH_RUSAGE: rusageFile,
  };
  const out = openSync(stdoutFile, 'w');
  const start = performance.now();
  const [command, argv] =
    launcher === 'bin' ? [CLI, args] : [process.execPath, [path.join(ROOT, 'dist', 'cli.js'), ...args]];
  const result = spawnSync(command, argv, {
    cwd: ROOT,
    env,
    stdio: ['ignore', out, 'pipe'],
    encoding: 'utf8',
    maxBuffer: 64 * MiB,
  });
  const wall = performance.now() - start;
  closeSync(out);
  if (result.status !== 0) {
    throw new Error(`netreach ${args.join(' ')} failed (exit ${result.status ?? result.signal}):\n${result.stderr}`);
  }
  // One line per Node process (two if the launcher handed over to another Node).
  const records = existsSync(rusageFile)
    ? readFileSync(rusageFile, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { maxRSS: number; user: number; system: number })
    : [];
  rmSync(rusageFile, { force: true });
  return {
    wall,
    cpu: records.reduce((s, r) => s + (r.user + r.system) / 1000, 0),
    maxRSS: Math.max(0, ...records.map((r) => r.maxRSS)),
  };
}

export function ensureWorkspace(
  shape: Shape,
  regenerate: boolean,
): { dir: string; summary: GeneratedSummary; generated: boolean } {
  const dir = workspaceDir(BENCH, shape);
  const existing = regenerate ? undefined : existingWorkspace(dir, shape);
  if (existing && existsSync(dir)) return { dir, summary: existing, generated: false };
  const start = performance.now();
  const summary = generate(dir, shape);
  console.log(`generated ${path.relative(ROOT, dir)} in ${seconds(performance.now() - start)}`);
  return { dir, summary, generated: true };
}

/** One timing: wall-clock milliseconds and CPU milliseconds (user + system, all threads: GC helpers too). */
export interface Sample {
  readonly wall: number;
  /** NaN where only wall time is known (phases reported by the analysis, single checks). */
  readonly cpu: number;
}

/** Runs `run` once, timed on the wall clock and in this process's CPU time. */
export function measure<T>(run: () => T): [T, Sample] {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = run();
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return [value, { wall, cpu: (used.user + used.system) / 1000 }];
}
