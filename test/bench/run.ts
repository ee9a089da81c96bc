/**
 * `npm run bench`: how close `netreach connlist` comes to the cost of parsing the YAML, and
 * how fast the language server answers an edit.
 *
 * Generates (or reuses) a large synthetic workspace (test/bench/generate.ts), then
 * measures in one run, each in a fresh Node process on this machine:
 *   (a) parsing alone: `yaml`'s parseAllDocuments over every file, texts already in memory
 *       (reading the files is reported separately);
 *   (b) the connlist in-process through the engine API, texts in memory -> parsed files ->
 *       workspace -> reachability index -> JSON string, phase by phase;
 *   (c) the whole CLI, `./bin/netreach connlist DIR --output json > /dev/null`;
 *   (d) one policy edit inside the server's analysis (edits.ts), phase by phase and check by check;
 *   (e) edit to diagnostics through the real server over the protocol (lsp.ts);
 *   (f) netreach's analysis of a 5,000-line file against yaml-language-server's validation
 *       of it with the Kubernetes JSON schema (schema.ts).
 * Medians of several repetitions. Reports connlist/parse against the target "within 3x",
 * peak memory against "under 1 GiB", the policy edit against "under 100 ms" and the large
 * file against "at most 1.5x yaml-language-server", prints tables and writes
 * .bench/results.json. Nothing here fails on timings; the run exits non-zero only if a
 * measurement crashes, the connlist is empty, or the CLI and the engine API disagree.
 *
 * --compare-nca also runs IBM's network-config-analyzer (`nca`, from PyPI) on a smaller
 * workspace and compares times and answers; see test/bench/README.md.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { compareWithNca, type NcaComparison } from './nca';
import {
  BENCH,
  cliCommand,
  ensureWorkspace,
  median,
  MiB,
  ROOT,
  runCli,
  seconds,
  type CliLauncher,
  type ProcessRun,
} from './common';
import { shapeFromArgs, workloadCount } from './generate';
import type { EditsResult } from './edits';
import type { LspResult } from './lsp';
import type { EngineResult, MemorySample, ParseResult, Sample } from './measure';
import type { SchemaResult } from './schema';

const MEASURE = path.join(__dirname, 'measure.ts');
const EDITS = path.join(__dirname, 'edits.ts');
const LSP = path.join(__dirname, 'lsp.ts');
const SCHEMA = path.join(__dirname, 'schema.ts');
const GiB = 1024 ** 3;
const TARGET_RATIO = 3;
const TARGET_MEMORY = GiB;
/** A one-line policy edit to its diagnostics, through the server. */
const TARGET_EDIT_MS = 100;
/** netreach's analysis of a 5,000-line file against yaml-language-server's schema validation. */
const TARGET_SCHEMA_RATIO = 1.5;

const HELP = `npm run bench -- [options]

  --workloads N       workloads in the generated workspace (default 2000)
  --namespaces N      namespaces (default 100)
  --policies N        NetworkPolicies (default 1000)
  --seed N            generator seed (default 1)
  --reps N            repetitions of the parse and in-process measurements (default 5)
  --cli-reps N        repetitions of the CLI run (default 3)
  --edits N           timed edits of (d) and of each scenario of (e) (default 20)
  --schema-reps N     repetitions of (f) (default 10)
  --only LIST         some of connlist (a-c), edits (d), lsp (e), schema (f); default all
  --regenerate        generate the workspace even if an identical one exists
  --compare-nca       also compare with IBM's network-config-analyzer on a smaller workspace
  --nca PATH          the nca executable (default .bench/venv/bin/nca, then PATH)
  --nca-workloads N, --nca-namespaces N, --nca-policies N   its shape (default 200, 10, 100)
  --nca-reps N        repetitions of each tool in the comparison (default 3)
`;

// ------------------------------------------------------------------ helpers

function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(0)} MiB`;
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

function runMeasure<T>(mode: 'parse' | 'engine', dir: string, reps: number, outFile?: string): T {
  return runScript<T>(MEASURE, [mode, dir, String(reps), ...(outFile ? [outFile] : [])], `measure.ts ${mode}`);
}

/** Runs a measurement script of this folder in a fresh Node process and parses the JSON it prints. */
function runScript<T>(script: string, scriptArgs: readonly string[], name = path.basename(script)): T {
  const args = ['--expose-gc', '--import', 'tsx', script, ...scriptArgs];
  const result = spawnSync(process.execPath, args, {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * MiB,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (result.status !== 0) throw new Error(`${name} failed (exit ${result.status ?? result.signal})`);
  return JSON.parse(result.stdout) as T;
}

/**
 * Rebuilds dist/cli.js and dist/server.js when a source under server/src is newer, so the
 * CLI and the language server run the code measured in-process.
 */
function ensureBundles(names: readonly ('cli' | 'server')[]): void {
  const newest = (dir: string): number =>
    Math.max(
      0,
      ...(readdirSync(dir, { recursive: true }) as string[])
        .filter((f) => f.endsWith('.ts'))
        .map((f) => statSync(path.join(dir, f)).mtimeMs),
    );
  const sources = newest(path.join(ROOT, 'server', 'src'));
  const stale = names.filter((name) => {
    const bundle = path.join(ROOT, 'dist', `${name}.js`);
    return !existsSync(bundle) || statSync(bundle).mtimeMs < sources;
  });
  if (stale.length === 0) return;
  console.log(`${stale.map((n) => `dist/${n}.js`).join(' and ')} older than server/src: rebuilding (npm run build)`);
  const build = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (build.status === 0) return;
  // Another bundle may be broken mid-work: build these alone, with the same options.
  const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const entries = { cli: 'server/src/cli/main.ts', server: 'server/src/lsp/main.ts' };
  for (const name of stale) {
    console.log(`the full build failed: building dist/${name}.js alone`);
    const result = spawnSync(
      path.join(ROOT, 'node_modules', '.bin', 'esbuild'),
      [
        entries[name],
        '--bundle',
        '--platform=node',
        '--target=node20',
        '--format=cjs',
        '--sourcemap',
        '--main-fields=module,main',
        `--define:NETREACH_VERSION=${JSON.stringify(version)}`,
        '--log-level=warning',
        `--outfile=${path.join(ROOT, 'dist', `${name}.js`)}`,
      ],
      { cwd: ROOT, stdio: 'inherit' },
    );
    if (result.status !== 0) throw new Error(`building dist/${name}.js failed`);
  }
}

function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function medianSample(samples: readonly Sample[]): Sample {
  return { wall: median(samples.map((s) => s.wall)), cpu: median(samples.map((s) => s.cpu)) };
}

function peak(samples: readonly MemorySample[]): MemorySample {
  return samples.reduce((a, b) => (b.rss > a.rss ? b : a));
}

// ------------------------------------------------------------------ main

/** (a) to (c): parsing, the connlist in-process and the CLI. */
function connlistSection(
  dir: string,
  relDir: string,
  reps: number,
  cliReps: number,
  problems: string[],
): { launcher: CliLauncher; results: Record<string, unknown> } {
  console.log(`(a) parsing with yaml's parseAllDocuments, ${reps} repetitions...`);
  const parse = runMeasure<ParseResult>('parse', dir, reps);
  const inProcessFile = path.join(BENCH, 'connlist-inprocess.json');
  console.log(`(b) connlist through the engine API, ${reps} repetitions...`);
  const engine = runMeasure<EngineResult>('engine', dir, reps, inProcessFile);

  console.log(`(c) ./bin/netreach connlist ${relDir} --output json, ${cliReps} repetitions...`);
  const cliFile = path.join(BENCH, 'connlist-cli.json');
  const cliArgs = ['connlist', dir, '--output', 'json'];
  let launcher: CliLauncher = 'bin';
  runCli(cliArgs, cliFile, launcher); // untimed: the output to check
  if (statSync(cliFile).size === 0) {
    // Once seen with a Node >= 22.19 first on PATH: the launcher require()d dist/cli.js,
    // whose `require.main === module` guard then skipped main(). Measure the bundle
    // directly, and still fail the run: the CLI as users start it printed nothing.
    problems.push(
      './bin/netreach connlist printed nothing and exited 0 (a launcher problem?); measured `node dist/cli.js` instead',
    );
    console.log(`    ${problems[problems.length - 1]}`);
    launcher = 'bundle';
    runCli(cliArgs, cliFile, launcher);
  }
  const cliOutputSha = sha256File(cliFile);
  const cliEntries = statSync(cliFile).size > 0 ? (JSON.parse(readFileSync(cliFile, 'utf8')) as unknown[]).length : 0;
  const cliRuns: ProcessRun[] = [];
  for (let i = 0; i < cliReps; i++) cliRuns.push(runCli(cliArgs, '/dev/null', launcher));

  // ---------------------------------------------------------------- report
  const parseMedian = medianSample(parse.reps);
  const phaseNames = Object.keys(engine.reps[0]);
  const engineMedian = Object.fromEntries(phaseNames.map((p) => [p, medianSample(engine.reps.map((r) => r[p]))]));
  const cliMedian = { wall: median(cliRuns.map((r) => r.wall)), cpu: median(cliRuns.map((r) => r.cpu)) };
  const ratioInProcess = engineMedian.total.wall / parseMedian.wall;
  const ratioCli = cliMedian.wall / parseMedian.wall;
  // CPU time is less sensitive to other load on the machine than wall time.
  const ratioInProcessCpu = engineMedian.total.cpu / parseMedian.cpu;
  const ratioCliCpu = cliMedian.cpu / parseMedian.cpu;
  const enginePeak = peak(engine.memory);
  const cliMaxRSS = Math.max(...cliRuns.map((r) => r.maxRSS));

  const rows: string[][] = [['measurement (median)', 'wall', 'CPU', 'x parse']];
  rows.push(['read files (once)', seconds(parse.read.wall), seconds(parse.read.cpu), '']);
  rows.push(['(a) yaml parseAllDocuments', seconds(parseMedian.wall), seconds(parseMedian.cpu), '1.00']);
  for (const p of phaseNames) {
    const s = engineMedian[p];
    const label = p === 'total' ? '(b) connlist in-process, total' : `    engine: ${p}`;
    rows.push([label, seconds(s.wall), seconds(s.cpu), (s.wall / parseMedian.wall).toFixed(2)]);
  }
  rows.push([
    `(c) CLI end to end (${cliCommand(launcher)})`,
    seconds(cliMedian.wall),
    seconds(cliMedian.cpu),
    ratioCli.toFixed(2),
  ]);
  console.log('');
  console.log(table(rows));
  console.log('');
  console.log(
    table([
      ['memory', 'peak', 'target'],
      ['(a) parse: RSS high-water mark', mib(parse.maxRSS), ''],
      [
        `(b) in-process: peak RSS (after ${enginePeak.phase})`,
        mib(enginePeak.rss),
        `under 1 GiB: ${met(enginePeak.rss < TARGET_MEMORY)}`,
      ],
      ['(b) in-process: heap used then', mib(enginePeak.heapUsed), ''],
      ['(b) in-process: RSS high-water mark (all reps)', mib(engine.maxRSS), ''],
      ['(c) CLI: RSS high-water mark (maxRSS)', mib(cliMaxRSS), `under 1 GiB: ${met(cliMaxRSS < TARGET_MEMORY)}`],
    ]),
  );
  console.log('');
  console.log(
    `allowed pairs: ${engine.pairs} (${engine.workloads} workloads in ${engine.groups} groups, ${engine.policies} policies; JSON ${(engine.outputBytes / MiB).toFixed(1)} MiB)`,
  );
  console.log(
    `connlist / parse, in-process: ${ratioInProcess.toFixed(2)}x wall, ${ratioInProcessCpu.toFixed(2)}x CPU (target within ${TARGET_RATIO}x: ${met(ratioInProcess <= TARGET_RATIO)})`,
  );
  console.log(
    `connlist / parse, CLI end to end: ${ratioCli.toFixed(2)}x wall, ${ratioCliCpu.toFixed(2)}x CPU (target within ${TARGET_RATIO}x: ${met(ratioCli <= TARGET_RATIO)})`,
  );
  if (engine.pairs === 0 || engine.outputBytes <= 3) problems.push('the in-process connlist is empty');
  if (cliEntries === 0) problems.push('the CLI connlist is empty');
  if (cliOutputSha !== engine.outputSha256)
    problems.push(`the CLI output (${cliFile}) differs from the engine API's (${inProcessFile})`);

  return {
    launcher,
    results: {
      repetitions: { parse: reps, inProcess: reps, cli: cliReps },
      parse: {
        readFiles: parse.read,
        median: parseMedian,
        reps: parse.reps,
        maxRSS: parse.maxRSS,
        documents: parse.documents,
      },
      inProcess: {
        median: engineMedian,
        reps: engine.reps,
        peakMemory: enginePeak,
        maxRSS: engine.maxRSS,
        memory: engine.memory,
      },
      cli: {
        command: `${cliCommand(launcher)} connlist ${relDir} --output json > /dev/null`,
        median: cliMedian,
        runs: cliRuns,
        maxRSS: cliMaxRSS,
      },
      pairs: engine.pairs,
      workloads: engine.workloads,
      groups: engine.groups,
      policies: engine.policies,
      outputBytes: engine.outputBytes,
      ratios: { inProcess: ratioInProcess, cli: ratioCli, inProcessCpu: ratioInProcessCpu, cliCpu: ratioCliCpu },
      targets: {
        ratio: { target: TARGET_RATIO, inProcess: ratioInProcess <= TARGET_RATIO, cli: ratioCli <= TARGET_RATIO },
        memory: { target: TARGET_MEMORY, inProcess: enginePeak.rss < TARGET_MEMORY, cli: cliMaxRSS < TARGET_MEMORY },
      },
    },
  };
}

const SECTIONS = ['connlist', 'edits', 'lsp', 'schema'] as const;

function met(ok: boolean): string {
  return ok ? 'met' : 'NOT met';
}

function ms(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(1)} ms` : '';
}

/** The value at quantile `q` (nearest rank). */
function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** (d) one edit inside the server's analysis, phase by phase, and each check. */
function editsSection(dir: string, edits: number): EditsResult {
  console.log(`(d) one policy line changed, the server's analysis in-process, ${edits} edits...`);
  const result = runScript<EditsResult>(EDITS, [dir, String(edits)]);
  // Side by side: the first step (the edited file) and the second (the whole workspace).
  const names = [...new Set([...Object.keys(result.first), ...Object.keys(result.whole)])];
  const rows: string[][] = [['(d) after a one-line policy edit (median)', 'first: wall', 'CPU', 'whole: wall', 'CPU']];
  for (const name of names) {
    const first = result.first[name];
    const whole = result.whole[name];
    const label =
      name === 'total'
        ? 'findingsOf([edited file]) | current()'
        : /^\s/.test(name)
          ? `    check ${name.trim()}`
          : `    ${name}`;
    rows.push([
      label,
      first ? ms(first.wall) : '',
      first ? ms(first.cpu) : '',
      whole ? ms(whole.wall) : '',
      whole ? ms(whole.cpu) : '',
    ]);
  }
  console.log('');
  console.log(table(rows));
  console.log(`(${result.policies} policies, ${result.workloads} workloads, ${result.findings} findings)`);
  console.log('');
  return result;
}

/** (e) edit to diagnostics through the real server. */
function lspSection(dir: string, edits: number): LspResult {
  console.log(`(e) edit to diagnostics through dist/server.js --stdio, ${edits} edits per scenario...`);
  const result = runScript<LspResult>(LSP, [dir, String(edits)]);
  const rows: string[][] = [
    ['(e) didChange to publishDiagnostics', 'median', 'p90', 'CPU', 'CPU mean', 'to ready', 'p90', 'CPU mean'],
  ];
  for (const s of result.scenarios) {
    const d = s.samples.map((x) => x.diagnostics);
    const r = s.samples.map((x) => x.ready);
    rows.push([
      s.name,
      ms(median(d)),
      ms(quantile(d, 0.9)),
      ms(median(s.samples.map((x) => x.cpuDiagnostics))),
      ms(mean(s.samples.map((x) => x.cpuDiagnostics))),
      ms(median(r)),
      ms(quantile(r, 0.9)),
      ms(mean(s.samples.map((x) => x.cpuReady))),
    ]);
  }
  console.log('');
  console.log(table(rows));
  const policy = result.scenarios.find((s) => s.name === 'policy');
  if (policy) {
    const d = median(policy.samples.map((x) => x.diagnostics));
    console.log(
      `one-line policy edit to its diagnostics: ${ms(d)} median (target under ${TARGET_EDIT_MS} ms: ${met(d < TARGET_EDIT_MS)})`,
    );
  }
  console.log(
    `server start-up to the first analysis: ${seconds(result.startup.wall)} (CPU ${seconds(result.startup.cpu)}); server CPU from /proc, ${result.clockTick} ms ticks`,
  );
  console.log('');
  return result;
}

/** (f) a 5,000-line file: netreach's analysis against yaml-language-server's validation. */
function schemaSection(dir: string, reps: number): SchemaResult {
  console.log(
    `(f) a 5,000-line file, netreach against yaml-language-server with the Kubernetes schema, ${reps} repetitions...`,
  );
  const result = runScript<SchemaResult>(SCHEMA, [dir, String(reps)]);
  console.log('');
  const rows: string[][] = [
    [
      '(f) ' +
        (result.file
          ? `${result.file.path}, ${result.file.lines} lines, ${result.file.documents} documents`
          : 'large file') +
        ' (median)',
      'wall',
      'CPU',
    ],
  ];
  for (const [name, s] of Object.entries(result.netreach ?? {}))
    rows.push([name === 'total' ? 'netreach analysis, total' : `    ${name}`, ms(s.wall), ms(s.cpu)]);
  if (result.yamlLanguageServer)
    rows.push([
      `yaml-language-server doValidation (Kubernetes ${result.schema?.version} schema)`,
      ms(result.yamlLanguageServer.wall),
      ms(result.yamlLanguageServer.cpu),
    ]);
  console.log(table(rows));
  if (result.skipped) console.log(`yaml-language-server comparison skipped: ${result.skipped}`);
  if (result.ratio) {
    console.log(
      `netreach / yaml-language-server: ${result.ratio.wall.toFixed(2)}x wall, ${result.ratio.cpu.toFixed(2)}x CPU (target at most ${TARGET_SCHEMA_RATIO}x: ${met(result.ratio.wall <= TARGET_SCHEMA_RATIO)})`,
    );
  }
  console.log('');
  return result;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      workloads: { type: 'string' },
      namespaces: { type: 'string' },
      policies: { type: 'string' },
      seed: { type: 'string' },
      reps: { type: 'string' },
      'cli-reps': { type: 'string' },
      edits: { type: 'string' },
      'schema-reps': { type: 'string' },
      only: { type: 'string' },
      regenerate: { type: 'boolean' },
      'compare-nca': { type: 'boolean' },
      nca: { type: 'string' },
      'nca-workloads': { type: 'string' },
      'nca-namespaces': { type: 'string' },
      'nca-policies': { type: 'string' },
      'nca-reps': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const count = (text: string | undefined, fallback: number) => Math.max(1, Number(text ?? fallback) || fallback);
  const reps = count(values.reps, 5);
  const cliReps = count(values['cli-reps'], 3);
  const edits = count(values.edits, 20);
  const schemaReps = count(values['schema-reps'], 10);
  const only = new Set((values.only ?? SECTIONS.join(',')).split(',').map((s) => s.trim()));
  const unknown = [...only].filter((s) => !(SECTIONS as readonly string[]).includes(s));
  if (unknown.length > 0) throw new Error(`--only: unknown ${unknown.join(', ')} (choose from ${SECTIONS.join(', ')})`);
  const shape = shapeFromArgs(values);
  mkdirSync(BENCH, { recursive: true });
  const loadStart = os.loadavg();

  const { dir, summary } = ensureWorkspace(shape, values.regenerate ?? false);
  const relDir = path.relative(ROOT, dir);
  console.log(
    `workspace ${relDir}: ${summary.files} files, ${(summary.bytes / MiB).toFixed(1)} MiB, ${summary.documents} documents ` +
      `(${workloadCount(summary)} workloads, ${summary.counts.NetworkPolicy ?? 0} NetworkPolicies, ` +
      `${summary.counts.Namespace ?? 0} namespaces, ${summary.denyNamespaces} with a default deny)`,
  );
  ensureBundles([...(only.has('connlist') ? ['cli' as const] : []), ...(only.has('lsp') ? ['server' as const] : [])]);

  const problems: string[] = [];
  let launcher: CliLauncher = 'bin';
  let connlistResults: Record<string, unknown> = {};
  if (only.has('connlist'))
    ({ launcher, results: connlistResults } = connlistSection(dir, relDir, reps, cliReps, problems));
  const editsResult = only.has('edits') ? editsSection(dir, edits) : undefined;
  const lspResult = only.has('lsp') ? lspSection(dir, edits) : undefined;
  const schemaResult = only.has('schema') ? schemaSection(dir, schemaReps) : undefined;

  const loadEnd = os.loadavg();
  console.log('');
  console.log(
    `load average ${loadStart[0].toFixed(2)} at the start, ${loadEnd[0].toFixed(2)} at the end, on ${os.cpus().length} CPUs`,
  );

  let nca: NcaComparison | undefined;
  if (values['compare-nca']) {
    nca = await compareWithNca({
      nca: values.nca,
      shape: shapeFromArgs(
        {
          workloads: values['nca-workloads'],
          namespaces: values['nca-namespaces'],
          policies: values['nca-policies'],
          seed: values.seed,
        },
        { workloads: 200, namespaces: 10, policies: 100, seed: shape.seed },
      ),
      reps: count(values['nca-reps'], 3),
      regenerate: values.regenerate ?? false,
      launcher,
    });
  }

  const results = {
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      memory: os.totalmem(),
      platform: `${os.platform()} ${os.release()}`,
      node: process.version,
      yaml: (
        JSON.parse(readFileSync(path.join(ROOT, 'node_modules', 'yaml', 'package.json'), 'utf8')) as { version: string }
      ).version,
      loadAverage: { start: loadStart, end: loadEnd },
    },
    workspace: { dir: relDir, ...summary },
    sections: [...only],
    ...connlistResults,
    edits: editsResult,
    lsp: lspResult,
    schema: schemaResult,
    nca,
    problems,
  };
  writeFileSync(path.join(BENCH, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`results written to ${path.relative(ROOT, path.join(BENCH, 'results.json'))}`);
  for (const problem of problems) console.error(`bench: ${problem}`);
  return problems.length > 0 ? 1 : 0;
}

if (require.main === module) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(`bench: ${(error as Error).stack ?? String(error)}`);
      process.exitCode = 1;
    },
  );
}
