/**
 * netreach's analysis of one large file against yaml-language-server's own validation of
 * the same file with the Kubernetes JSON schema, run by run.ts in a fresh Node process:
 *
 *   node --import tsx test/bench/schema.ts DIR REPS
 *
 * The file: up to 5,000 lines cut from the generated workspace DIR (whole YAML documents:
 * Namespaces, then each application's ServiceAccount, ConfigMap, workload and Service and
 * its NetworkPolicies, namespace by namespace), written to .bench/large-5000.yaml.
 *
 * The schema: `all.json` and `_definitions.json` of the newest Kubernetes version in the
 * `kubernetes-validate` wheel from PyPI (its `-local-strict` variant: the same definitions
 * as yannh's `-standalone-strict` that yaml-language-server downloads from GitHub, with
 * `$ref`s instead of inlined copies), fetched once into .bench/kubernetes-json-schema/.
 * When it cannot be fetched the measurement is skipped (`skipped` says why); it never fails
 * the bench.
 *
 * Both sides are timed warm (after a few untimed runs; the schema loaded and resolved), as
 * medians, turn by turn in alternating order, each run on a new document version, so
 * yaml-language-server parses again as it does after every edit:
 * - netreach: `readFile` (parse, model), `assembleWorkspace`, `ReachabilityIndex`,
 *   `lintWorkspace` of that one file;
 * - yaml-language-server: `doValidation(document, isKubernetes = true)`, as its language
 *   server calls it for a file associated with the Kubernetes schema.
 * Prints one JSON object on stdout.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { getLanguageService } from 'yaml-language-server';
import { assembleWorkspace, lintWorkspace, ReachabilityIndex, readFile } from '../../server/src/engine';
import { BENCH, measure, median, type Sample } from './common';

export type { Sample };

export interface SchemaResult {
  readonly mode: 'schema';
  readonly skipped?: string;
  readonly file?: { readonly path: string; readonly lines: number; readonly bytes: number; readonly documents: number };
  readonly schema?: { readonly source: string; readonly version: string };
  readonly reps?: number;
  /** Medians: each netreach phase, then `total`. */
  readonly netreach?: Record<string, Sample>;
  readonly yamlLanguageServer?: Sample;
  readonly findings?: number;
  readonly schemaDiagnostics?: number;
  /** netreach total / yaml-language-server, wall and CPU. */
  readonly ratio?: { readonly wall: number; readonly cpu: number };
}

const TARGET_LINES = 5000;
const SCHEMA_DIR = path.join(BENCH, 'kubernetes-json-schema');
const WHEEL_DIR = path.join(BENCH, 'wheels');

async function measureAsync<T>(run: () => Promise<T>): Promise<[T, Sample]> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = await run();
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return [value, { wall, cpu: (used.user + used.system) / 1000 }];
}

function medianSample(samples: readonly Sample[]): Sample {
  return { wall: median(samples.map((s) => s.wall)), cpu: median(samples.map((s) => s.cpu)) };
}

// ------------------------------------------------------------------ the schema

/** The newest `vX.Y.Z-local-strict` folder already extracted, if any. */
function extractedSchema(): { dir: string; version: string } | undefined {
  if (!existsSync(SCHEMA_DIR)) return undefined;
  const versions = readdirSync(SCHEMA_DIR)
    .map((name) => /^v(\d+)\.(\d+)\.(\d+)-local-strict$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .filter(
      (m) =>
        existsSync(path.join(SCHEMA_DIR, m[0], 'all.json')) &&
        existsSync(path.join(SCHEMA_DIR, m[0], '_definitions.json')),
    )
    .sort((a, b) => Number(b[1]) - Number(a[1]) || Number(b[2]) - Number(a[2]) || Number(b[3]) - Number(a[3]));
  return versions[0]
    ? { dir: path.join(SCHEMA_DIR, versions[0][0]), version: versions[0][0].replace('-local-strict', '') }
    : undefined;
}

/** Python that extracts all.json and _definitions.json of the newest local-strict version from a wheel. */
const EXTRACT = `
import re, sys, zipfile, os
wheel, target = sys.argv[1], sys.argv[2]
z = zipfile.ZipFile(wheel)
found = {}
for name in z.namelist():
    m = re.search(r'kubernetes-json-schema/(v(\\d+)\\.(\\d+)\\.(\\d+)-local-strict)/(all|_definitions)\\.json$', name)
    if m: found.setdefault(m.group(1), {})[m.group(5)] = name
complete = [v for v, f in found.items() if len(f) == 2]
if not complete: sys.exit('no local-strict schema in ' + wheel)
best = max(complete, key=lambda v: tuple(int(x) for x in re.findall(r'\\d+', v)))
os.makedirs(os.path.join(target, best), exist_ok=True)
for kind, name in found[best].items():
    with open(os.path.join(target, best, kind + '.json'), 'wb') as out: out.write(z.read(name))
print(best)
`;

/** Fetches the kubernetes-validate wheel from PyPI (pip download, else the JSON API) and extracts the schema. */
async function fetchSchema(): Promise<{ dir: string; version: string } | string> {
  const python = ['python3', 'python'].find((p) => spawnSync(p, ['--version']).status === 0);
  if (!python) return 'no python3 to extract the kubernetes-validate wheel';
  mkdirSync(WHEEL_DIR, { recursive: true });
  const wheelIn = () => readdirSync(WHEEL_DIR).find((f) => /^kubernetes_validate-.*\.whl$/.test(f));
  if (!wheelIn()) {
    console.error('fetching the kubernetes-validate wheel from PyPI (the Kubernetes JSON schemas), once...');
    const pip = spawnSync(
      python,
      ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '-d', WHEEL_DIR, 'kubernetes-validate'],
      {
        encoding: 'utf8',
        timeout: 300_000,
      },
    );
    if (!wheelIn()) {
      // No pip: the wheel's address from PyPI's JSON API.
      try {
        const meta = (await (await fetch('https://pypi.org/pypi/kubernetes-validate/json')).json()) as {
          urls: { packagetype: string; url: string; filename: string }[];
        };
        const wheel = meta.urls.find((u) => u.packagetype === 'bdist_wheel');
        if (!wheel) return 'PyPI lists no wheel of kubernetes-validate';
        const bytes = Buffer.from(await (await fetch(wheel.url)).arrayBuffer());
        writeFileSync(path.join(WHEEL_DIR, wheel.filename), bytes);
      } catch (error) {
        return `cannot fetch kubernetes-validate from PyPI (pip: ${(pip.stderr || pip.error?.message || '').trim().split('\n').pop()}; JSON API: ${(error as Error).message})`;
      }
    }
  }
  const wheel = wheelIn();
  if (!wheel) return 'the kubernetes-validate wheel is missing after the download';
  const extract = spawnSync(python, ['-c', EXTRACT, path.join(WHEEL_DIR, wheel), SCHEMA_DIR], { encoding: 'utf8' });
  if (extract.status !== 0) return `cannot extract the schema from ${wheel}: ${extract.stderr.trim()}`;
  return extractedSchema() ?? 'the extracted schema is incomplete';
}

// ------------------------------------------------------------------ the file

/** At most TARGET_LINES lines of whole documents from the generated workspace, namespace by namespace. */
function largeFile(dir: string): { text: string; documents: number } {
  const namespacesText = readFileSync(path.join(dir, 'cluster', 'namespaces.yaml'), 'utf8');
  const namespaceDocs = splitDocuments(namespacesText);
  const apps = path.join(dir, 'apps');
  const folders: string[] = [];
  for (const team of readdirSync(apps).sort()) {
    for (const env of readdirSync(path.join(apps, team)).sort()) folders.push(path.join(apps, team, env));
  }
  const documents: string[] = [];
  let lines = 0;
  let full = false;
  /** Adds a document unless it would make the file longer than TARGET_LINES. */
  const add = (doc: string) => {
    const count = doc.split('\n').length - 1 + (documents.length > 0 ? 1 : 0); // and its `---` line
    if (full || lines + count > TARGET_LINES) {
      full = true;
      return;
    }
    documents.push(doc);
    lines += count;
  };
  for (const folder of folders) {
    if (full) break;
    const namespace = `${path.basename(path.dirname(folder))}-${path.basename(folder)}`;
    const own = namespaceDocs.find((d) => new RegExp(`^  name: ${namespace}$`, 'm').test(d));
    if (own) add(own);
    const files = readdirSync(folder)
      .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
      .sort()
      .map((f) => path.join(folder, f));
    const policies = readdirSync(path.join(folder, 'network-policies'))
      .sort()
      .map((f) => path.join(folder, 'network-policies', f));
    for (const file of [...files, ...policies]) {
      for (const doc of splitDocuments(readFileSync(file, 'utf8'))) add(doc);
    }
  }
  return { text: documents.join('---\n'), documents: documents.length };
}

/** The documents of a generated file (separated by `---` lines), each ending with a line break. */
function splitDocuments(text: string): string[] {
  return text
    .split(/^---\n/m)
    .map((d) => d.replace(/^#[^\n]*\n/, ''))
    .filter((d) => d.trim() !== '')
    .map((d) => (d.endsWith('\n') ? d : `${d}\n`));
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  const [dir, repsText] = process.argv.slice(2);
  if (!dir || !existsSync(dir)) throw new Error('usage: schema.ts DIR [REPS]');
  const reps = Math.max(1, Number(repsText ?? '10'));
  const warmup = 3;

  const { text, documents } = largeFile(dir);
  const file = path.join(BENCH, 'large-5000.yaml');
  writeFileSync(file, text);
  const fileInfo = {
    path: path.relative(path.resolve(BENCH, '..'), file),
    lines: text.split('\n').length - 1,
    bytes: Buffer.byteLength(text),
    documents,
  };
  const uri = pathToFileURL(file).toString();

  /** netreach's analysis of the file alone: parse and model, workspace, index, lint. */
  let findings = 0;
  const analyse = (): Record<string, Sample> => {
    const sample: Record<string, Sample> = {};
    const cpu = process.cpuUsage();
    const start = performance.now();
    const [model, read] = measure(() => readFile({ uri, text }));
    const [workspace, assemble] = measure(() => assembleWorkspace([model]));
    const [index, indexing] = measure(() => new ReachabilityIndex(workspace));
    const [result, lint] = measure(() => lintWorkspace(workspace, {}, index));
    const used = process.cpuUsage(cpu);
    Object.assign(sample, { 'parse + model': read, assemble, index: indexing, lint });
    sample.total = { wall: performance.now() - start, cpu: (used.user + used.system) / 1000 };
    findings = result.findings.length;
    return sample;
  };
  const phases: Record<string, Sample>[] = [];
  const medians = () =>
    Object.fromEntries(Object.keys(phases[0]).map((p) => [p, medianSample(phases.map((s) => s[p]))]));

  const schema = extractedSchema() ?? (await fetchSchema());
  if (typeof schema === 'string') {
    for (let rep = 0; rep < warmup + reps; rep++) {
      const sample = analyse();
      if (rep >= warmup) phases.push(sample);
    }
    const skipped: SchemaResult = { mode: 'schema', skipped: schema, file: fileInfo, netreach: medians(), findings };
    process.stdout.write(`${JSON.stringify(skipped)}\n`);
    return;
  }

  const allJson = readFileSync(path.join(schema.dir, 'all.json'), 'utf8');
  const definitions = readFileSync(path.join(schema.dir, '_definitions.json'), 'utf8');
  const schemaUri = pathToFileURL(path.join(schema.dir, 'all.json')).toString();
  const service = getLanguageService({
    // all.json refers to `/api/_definitions.json#/$defs/...`: served from the extracted copy.
    schemaRequestService: async (requested) => {
      if (requested === schemaUri) return allJson;
      if (requested.endsWith('/_definitions.json')) return definitions;
      throw new Error(`the bench serves no schema ${requested}`);
    },
    workspaceContext: { resolveRelativePath: (relative) => relative },
  });
  service.configure({
    validate: true,
    completion: false,
    hover: false,
    format: false,
    isKubernetes: true,
    schemas: [{ uri: schemaUri, fileMatch: ['*.yaml'] }],
  });
  let version = 0;
  let diagnostics = 0;
  const yls: Sample[] = [];
  // Turn by turn, in alternating order, so both see the same load on a shared machine.
  for (let rep = 0; rep < warmup + reps; rep++) {
    const validate = async () => {
      const document = TextDocument.create(uri, 'yaml', ++version, text);
      const [result, sample] = await measureAsync(() => service.doValidation(document, true));
      diagnostics = result.length;
      if (rep >= warmup) yls.push(sample);
    };
    if (rep % 2 === 0) await validate();
    const sample = analyse();
    if (rep >= warmup) phases.push(sample);
    if (rep % 2 === 1) await validate();
  }
  const netreach = medians();
  const yamlLanguageServer = medianSample(yls);
  const result: SchemaResult = {
    mode: 'schema',
    file: fileInfo,
    schema: { source: `kubernetes-validate wheel (PyPI), ${path.basename(schema.dir)}`, version: schema.version },
    reps,
    netreach,
    yamlLanguageServer,
    findings,
    schemaDiagnostics: diagnostics,
    ratio: {
      wall: netreach.total.wall / yamlLanguageServer.wall,
      cpu: netreach.total.cpu / yamlLanguageServer.cpu,
    },
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`schema.ts: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  });
}
