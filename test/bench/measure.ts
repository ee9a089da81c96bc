/**
 * One benchmark measurement, run by run.ts in a fresh Node process so that heaps and
 * memory high-water marks of the measurements do not mix:
 *
 *   node --expose-gc --import tsx test/bench/measure.ts parse  DIR REPS
 *   node --expose-gc --import tsx test/bench/measure.ts engine DIR REPS OUTFILE
 *
 * `parse`: the `yaml` package's parseAllDocuments over every manifest file, already read
 * into memory (the documents stay alive until the repetition ends, as any analysis needs
 * them). `engine`: the whole connlist through the engine API, from file texts in memory
 * to the JSON string, phase by phase, exactly as `netreach connlist --output json` does.
 * File reading is timed once, separately. Prints one JSON object on stdout.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import {
  assembleWorkspace,
  connlist,
  exactnessBlockers,
  formatConnlist,
  parseFile,
  ReachabilityIndex,
  readFile,
} from '../../server/src/engine';
import { collectManifestPaths, readSources } from '../../server/src/cli/files';
import { measure, type Sample } from './common';

export type { Sample };

export interface MemorySample {
  readonly phase: string;
  readonly rss: number;
  readonly heapUsed: number;
  readonly external: number;
}

export interface ParseResult {
  readonly mode: 'parse';
  readonly files: number;
  readonly bytes: number;
  readonly documents: number;
  readonly read: Sample;
  readonly reps: readonly Sample[];
  readonly memory: readonly MemorySample[];
  readonly maxRSS: number;
}

export interface EngineResult {
  readonly mode: 'engine';
  readonly files: number;
  readonly read: Sample;
  /** Per repetition: each phase, then `total`. */
  readonly reps: readonly Record<string, Sample>[];
  readonly memory: readonly MemorySample[];
  readonly maxRSS: number;
  readonly workloads: number;
  readonly policies: number;
  readonly groups: number;
  readonly pairs: number;
  readonly outputBytes: number;
  readonly outputSha256: string;
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

function memory(phase: string): MemorySample {
  const m = process.memoryUsage();
  return { phase, rss: m.rss, heapUsed: m.heapUsed, external: m.external + m.arrayBuffers };
}

function readAll(dir: string) {
  return measure(() => readSources(collectManifestPaths([dir])));
}

function runParse(dir: string, reps: number): ParseResult {
  const [sources, read] = readAll(dir);
  const samples: Sample[] = [];
  const memories: MemorySample[] = [];
  let documents = 0;
  for (let rep = 0; rep < reps; rep++) {
    gc();
    const [parsed, sample] = measure(() => sources.map((s) => parseAllDocuments(s.text)));
    samples.push(sample);
    memories.push(memory(`parse#${rep + 1}`));
    documents = parsed.reduce((n, docs) => n + (Array.isArray(docs) ? docs.length : 1), 0);
  }
  return {
    mode: 'parse',
    files: sources.length,
    bytes: sources.reduce((n, s) => n + Buffer.byteLength(s.text), 0),
    documents,
    read,
    reps: samples,
    memory: memories,
    maxRSS: process.resourceUsage().maxRSS * 1024,
  };
}

function runEngine(dir: string, reps: number, outFile: string | undefined): EngineResult {
  const [sources, read] = readAll(dir);
  const samples: Record<string, Sample>[] = [];
  const memories: MemorySample[] = [];
  let last: { workloads: number; policies: number; groups: number; pairs: number; text: string } | undefined;
  for (let rep = 0; rep < reps; rep++) {
    gc();
    const phases: Record<string, Sample> = {};
    const phase = <T>(name: string, run: () => T): T => {
      const [value, sample] = measure(run);
      phases[name] = sample;
      memories.push(memory(`${name}#${rep + 1}`));
      return value;
    };
    const cpu = process.cpuUsage();
    const start = performance.now();
    const parsed = phase('parse', () => sources.map(parseFile));
    const models = phase('model', () => parsed.map((p) => readFile(p)));
    const workspace = phase('assemble', () => assembleWorkspace(models));
    const blockers = phase('checks', () => exactnessBlockers(workspace));
    if (blockers.length > 0) {
      throw new Error(`the workspace has ${blockers.length} exactness blockers, e.g. ${blockers[0].message}`);
    }
    const index = phase('index', () => new ReachabilityIndex(workspace, { ipBlockMatchesPods: true }));
    const entries = phase('connlist', () => connlist(index));
    const text = phase('json', () => formatConnlist(entries, 'json'));
    const used = process.cpuUsage(cpu);
    phases.total = { wall: performance.now() - start, cpu: (used.user + used.system) / 1000 };
    samples.push(phases);
    last = {
      workloads: workspace.workloads.length,
      policies: workspace.policies.length,
      groups: index.groups.length,
      pairs: entries.length,
      text,
    };
  }
  if (!last) throw new Error('no repetition ran');
  if (outFile) writeFileSync(outFile, last.text);
  return {
    mode: 'engine',
    files: sources.length,
    read,
    reps: samples,
    memory: memories,
    maxRSS: process.resourceUsage().maxRSS * 1024,
    workloads: last.workloads,
    policies: last.policies,
    groups: last.groups,
    pairs: last.pairs,
    outputBytes: Buffer.byteLength(last.text),
    outputSha256: createHash('sha256').update(last.text).digest('hex'),
  };
}

function main(): void {
  const [mode, dir, repsText, outFile] = process.argv.slice(2);
  const reps = Math.max(1, Number(repsText ?? '3'));
  if (!dir || (mode !== 'parse' && mode !== 'engine')) {
    throw new Error('usage: measure.ts parse|engine DIR REPS [OUTFILE]');
  }
  const result = mode === 'parse' ? runParse(dir, reps) : runEngine(dir, reps, outFile);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (require.main === module) main();
