/**
 * Edit latency of the language server, measured through the protocol, run by run.ts in a
 * fresh Node process:
 *
 *   node --import tsx test/bench/lsp.ts DIR EDITS
 *
 * Starts the bundled server (`dist/server.js --stdio`, as an editor does) on the generated
 * workspace with `debounceMs: 0`, waits for the first analysis, then times one-line edits
 * (`textDocument/didChange`, the whole text) until the `publishDiagnostics` that reflects
 * each one arrives:
 *
 * - `policy`: the label value of a policy's `spec.podSelector` (so it selects no pod, then
 *   selects its pods again), in the edited file's own diagnostics;
 * - `cross-file`: the same label in the pod template of the Deployment the policy selects,
 *   until the policy's file (not open in the editor) shows the change;
 * - `cross-file-open`: the same, with the policy's file open in the editor as well.
 *
 * Edits alternate between breaking and restoring the label, so each one changes the
 * diagnostics. After each edit the run also waits until the server reports `ready` (its
 * whole analysis done) before the next one. The server's CPU time comes from
 * /proc/PID/stat (clock ticks, usually 10 ms), so per-edit CPU is given as a median of
 * coarse samples and as the mean over all edits. Prints one JSON object on stdout.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { collectManifestPaths } from '../../server/src/cli/files';
import {
  assembleWorkspace,
  lintWorkspace,
  readFile,
  ReachabilityIndex,
  type FileModel,
  type Finding,
  type Policy,
} from '../../server/src/engine';
import { LspClient } from '../lsp/lspClient';

export interface EditSample {
  /** Milliseconds from sending didChange to the diagnostics that reflect it. */
  readonly diagnostics: number;
  /** Milliseconds from sending didChange to the server's `ready` (whole analysis done). */
  readonly ready: number;
  /** Server CPU milliseconds (user + system) until the diagnostics arrived, in clock ticks. */
  readonly cpuDiagnostics: number;
  /** Server CPU milliseconds until `ready`. */
  readonly cpuReady: number;
}

export interface Scenario {
  readonly name: string;
  readonly edited: string;
  readonly watched: string;
  readonly samples: readonly EditSample[];
  /** `analysed ...` lines the server logged during the timed edits (its own view). */
  readonly serverLog: readonly string[];
}

export interface LspResult {
  readonly mode: 'lsp';
  readonly files: number;
  /** From `initialized` to the first `ready` (scan + first analysis). */
  readonly startup: { readonly wall: number; readonly cpu: number };
  readonly warmup: number;
  readonly scenarios: readonly Scenario[];
  readonly clockTick: number;
}

const WARMUP = 4;
const TIMEOUT = 120_000;

function clockTickMs(): number {
  const result = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const ticks = Number(result.stdout?.trim());
  return ticks > 0 ? 1000 / ticks : 10;
}

/** User + system CPU milliseconds of a process, from /proc (Linux). */
function cpuOf(pid: number, tick: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which is in parentheses and may hold spaces).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * tick;
  } catch {
    return NaN;
  }
}

interface Target {
  readonly policyFile: string;
  readonly workloadFile: string;
  readonly policyText: string;
  readonly workloadText: string;
  readonly brokenPolicy: string;
  readonly brokenWorkload: string;
}

/** Replaces the first `key: value` line after `from` in `text`. */
function replaceLineAfter(text: string, from: number, key: string, value: string, next: string): string | undefined {
  const line = `${key}: ${value}\n`;
  const at = text.indexOf(line, from);
  if (from < 0 || at < 0) return undefined;
  return `${text.slice(0, at)}${key}: ${next}\n${text.slice(at + line.length)}`;
}

/**
 * A policy that selects exactly one Deployment by `app.kubernetes.io/name`, in a file of
 * its own next to the Deployment's file, where both edits change the policy's file's
 * diagnostics (it then selects no pod: NR029). Checked with the engine, so the bench never
 * waits for diagnostics that cannot come.
 */
export function findTarget(dir: string): { target: Target; files: number } {
  const paths = collectManifestPaths([dir]);
  const models = new Map<string, FileModel>(paths.map((p) => [p, readFile({ uri: p, text: readFileSync(p, 'utf8') })]));
  const workspace = assembleWorkspace([...models.values()]);
  const index = new ReachabilityIndex(workspace);
  const nr029 = (models: Map<string, FileModel>, file: string) => {
    const changed = assembleWorkspace([...models.values()]);
    return lintWorkspace(changed).findings.filter((f: Finding) => f.code === 'NR029' && f.span.uri === file).length;
  };
  const key = 'app.kubernetes.io/name';
  const candidates = workspace.policies.filter((p: Policy) => {
    const file = p.object.file.uri;
    if (!file.includes(`${path.sep}network-policies${path.sep}`) || path.basename(file).startsWith('00-')) return false;
    const requirements = p.podSelector?.selector.requirements ?? [];
    return requirements.length === 1 && requirements[0].key === key && requirements[0].operator === 'In';
  });
  for (const policy of candidates.slice(0, 20)) {
    const selected = index.selectedWorkloads(policy);
    if (selected.length !== 1 || selected[0].kind !== 'Deployment' || selected[0].objects.length !== 1) continue;
    const value = policy.podSelector!.selector.requirements[0].values[0];
    const policyFile = policy.object.file.uri;
    const workloadFile = selected[0].objects[0].file.uri;
    if (workloadFile === policyFile) continue;
    const policyText = policy.object.file.text;
    const workloadText = selected[0].objects[0].file.text;
    const brokenPolicy = replaceLineAfter(policyText, policyText.indexOf('podSelector:'), key, value, `${value}z`);
    const brokenWorkload = replaceLineAfter(workloadText, workloadText.indexOf('template:'), key, value, `${value}z`);
    if (!brokenPolicy || !brokenWorkload) continue;
    const before = nr029(models, policyFile);
    const withPolicy = new Map(models).set(policyFile, readFile({ uri: policyFile, text: brokenPolicy }));
    const withWorkload = new Map(models).set(workloadFile, readFile({ uri: workloadFile, text: brokenWorkload }));
    if (nr029(withPolicy, policyFile) <= before || nr029(withWorkload, policyFile) <= before) continue;
    return {
      target: { policyFile, workloadFile, policyText, workloadText, brokenPolicy, brokenWorkload },
      files: paths.length,
    };
  }
  throw new Error(`no policy in ${dir} selects exactly one Deployment by ${key}`);
}

const hasNr029 = (diagnostics: readonly { code?: unknown }[]) => diagnostics.some((d) => d.code === 'NR029');

async function scenario(
  client: LspClient,
  name: string,
  edited: { file: string; original: string; broken: string },
  watched: string,
  edits: number,
  tick: number,
): Promise<Scenario> {
  const pid = client.pid!;
  const uri = pathToFileURL(edited.file).toString();
  const watchedUri = pathToFileURL(watched).toString();
  const samples: EditSample[] = [];
  const logStart = client.log.length;
  for (let k = 0; k < WARMUP + edits; k++) {
    const broken = k % 2 === 0;
    const readyBefore = client.statusCount('ready');
    const cpu0 = cpuOf(pid, tick);
    const t0 = performance.now();
    client.change(uri, broken ? edited.broken : edited.original);
    await client.waitFor(
      `diagnostics of ${watchedUri} after ${name} edit ${k}`,
      () => {
        const diagnostics = client.pushed(watchedUri);
        return diagnostics !== undefined && hasNr029(diagnostics) === broken;
      },
      TIMEOUT,
    );
    const t1 = performance.now();
    const cpu1 = cpuOf(pid, tick);
    await client.waitFor(`${name} edit ${k}: ready`, () => client.statusCount('ready') > readyBefore, TIMEOUT);
    const t2 = performance.now();
    const cpu2 = cpuOf(pid, tick);
    if (k >= WARMUP)
      samples.push({ diagnostics: t1 - t0, ready: t2 - t0, cpuDiagnostics: cpu1 - cpu0, cpuReady: cpu2 - cpu0 });
  }
  // Leave the file as it was on disk.
  if ((WARMUP + edits) % 2 === 1) {
    const readyBefore = client.statusCount('ready');
    client.change(uri, edited.original);
    await client.waitFor(`${name}: restored`, () => client.statusCount('ready') > readyBefore, TIMEOUT);
  }
  return {
    name,
    edited: edited.file,
    watched,
    samples,
    serverLog: client.log.slice(logStart).filter((l) => / analysed /.test(l)),
  };
}

async function main(): Promise<void> {
  const [dir, editsText] = process.argv.slice(2);
  if (!dir || !existsSync(dir)) throw new Error('usage: lsp.ts DIR [EDITS]');
  const edits = Math.max(1, Number(editsText ?? '20'));
  const tick = clockTickMs();
  const { target, files } = findTarget(path.resolve(dir));

  const started = performance.now();
  const client = await LspClient.start({ folder: path.resolve(dir), initializationOptions: { debounceMs: 0 } });
  const scenarios: Scenario[] = [];
  try {
    await client.waitFor('the first analysis', () => client.statusCount('ready') > 0, TIMEOUT);
    const startup = { wall: performance.now() - started, cpu: cpuOf(client.pid!, tick) };

    const policyUri = pathToFileURL(target.policyFile).toString();
    const workloadUri = pathToFileURL(target.workloadFile).toString();
    const openAndSettle = async (uri: string, text: string) => {
      const before = client.statusCount('ready');
      client.open(uri, text);
      await client.waitFor(`analysis after opening ${uri}`, () => client.statusCount('ready') > before, TIMEOUT);
    };
    const policy = { file: target.policyFile, original: target.policyText, broken: target.brokenPolicy };
    const workload = { file: target.workloadFile, original: target.workloadText, broken: target.brokenWorkload };

    await openAndSettle(policyUri, target.policyText);
    scenarios.push(await scenario(client, 'policy', policy, target.policyFile, edits, tick));
    const closed = client.statusCount('ready');
    client.close(policyUri);
    await client.waitFor('analysis after closing', () => client.statusCount('ready') > closed, TIMEOUT);

    await openAndSettle(workloadUri, target.workloadText);
    scenarios.push(await scenario(client, 'cross-file', workload, target.policyFile, edits, tick));
    await openAndSettle(policyUri, target.policyText);
    scenarios.push(await scenario(client, 'cross-file-open', workload, target.policyFile, edits, tick));

    const result: LspResult = { mode: 'lsp', files, startup, warmup: WARMUP, scenarios, clockTick: tick };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await client.stop();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`lsp.ts: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  });
}
