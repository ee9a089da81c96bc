// The Kubernetes e2e network policy tests as truth tables (test/fixtures/k8s-e2e, format in
// its README.md): for every case, state and probe, the engine's index, connlist and explain
// must give exactly the hand-written table, with the default --ipblock-pods match.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import {
  buildWorkspace,
  connlist,
  contains,
  DEFAULT_OPTIONS,
  exactnessBlockers,
  explain,
  parseConnections,
  ReachabilityIndex,
  type Endpoint,
  type Protocol,
} from '../../server/src/engine';

const ROOT = path.join(__dirname, '..', 'fixtures', 'k8s-e2e');
const PODS = ['x/a', 'x/b', 'x/c', 'y/a', 'y/b', 'y/c', 'z/a', 'z/b', 'z/c'];

type Table = Map<string, boolean>; // "from -> to" (off the diagonal) -> allowed

interface Probe {
  readonly protocol: Protocol;
  readonly port: number;
  readonly expects: readonly { from: string; to: string; allowed: boolean; line: number }[];
  readonly table: Table;
  readonly line: number;
}

interface Step {
  readonly policies: readonly string[];
  readonly patches: readonly string[];
  readonly probes: Probe[];
}

interface Case {
  readonly name: string;
  readonly title: string;
  readonly steps: Step[];
}

const key = (from: string, to: string) => `${from} -> ${to}`;

function parseTruth(name: string, text: string): Case {
  let title = '';
  const steps: Step[] = [];
  let header: string[] | undefined;
  let rows = 0;
  const fail = (line: number, message: string): never => assert.fail(`${name}/truth.txt:${line}: ${message}`);
  const lines = text.split('\n');
  const finishTable = (line: number) => {
    const probe = steps.at(-1)?.probes.at(-1);
    if (probe && header && rows !== PODS.length)
      fail(line, `the table of probe line ${probe.line} has ${rows} rows, not ${PODS.length}`);
    header = undefined;
    rows = 0;
  };
  lines.forEach((raw, i) => {
    const n = i + 1;
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const tokens = line.split(/\s+/);
    if (line.startsWith('title:')) {
      title = line.slice('title:'.length).trim();
    } else if (line.startsWith('policies:')) {
      finishTable(n);
      const files = tokens.slice(1);
      steps.push({ policies: files.length === 1 && files[0] === 'none' ? [] : files, patches: [], probes: [] });
    } else if (line.startsWith('patch:')) {
      const step = steps.at(-1) ?? fail(n, 'patch before policies');
      (step.patches as string[]).push(...tokens.slice(1));
    } else if (tokens[0] === 'probe') {
      finishTable(n);
      const match = /^(TCP|UDP|SCTP)\/(\d+)$/.exec(tokens[1] ?? '') ?? fail(n, `bad probe ${tokens[1]}`);
      const step = steps.at(-1) ?? fail(n, 'probe before policies');
      step.probes.push({
        protocol: match[1] as Protocol,
        port: Number(match[2]),
        expects: [],
        table: new Map(),
        line: n,
      });
    } else if (tokens[0] === 'expect') {
      const probe = steps.at(-1)?.probes.at(-1) ?? fail(n, 'expect outside a probe');
      if (tokens.length !== 5 || tokens[2] !== '->' || !['.', 'X'].includes(tokens[4])) fail(n, `bad expect: ${line}`);
      (probe.expects as Probe['expects'][number][]).push({
        from: tokens[1],
        to: tokens[3],
        allowed: tokens[4] === '.',
        line: n,
      });
    } else if (tokens.length === PODS.length && tokens.every((t, k) => t === PODS[k])) {
      header = tokens;
    } else if (PODS.includes(tokens[0])) {
      const probe = steps.at(-1)?.probes.at(-1) ?? fail(n, 'table row outside a probe');
      if (!header) fail(n, 'table row before the header');
      if (tokens[0] !== PODS[rows]) fail(n, `expected the row of ${PODS[rows]}`);
      if (tokens.length !== PODS.length + 1) fail(n, `a row needs ${PODS.length} cells`);
      tokens.slice(1).forEach((cell, k) => {
        const from = tokens[0];
        const to = PODS[k];
        if (from === to) {
          if (cell !== '-') fail(n, `${from} to itself is written "-" (not checked)`);
        } else if (cell === '.' || cell === 'X') {
          probe.table.set(key(from, to), cell === '.');
        } else {
          fail(n, `bad cell "${cell}" (. or X)`);
        }
      });
      rows++;
    } else {
      fail(n, `cannot read: ${raw}`);
    }
  });
  finishTable(lines.length);
  assert.ok(title, `${name}: no title`);
  assert.ok(steps.length > 0 && steps.every((s) => s.probes.length > 0), `${name}: every state needs a probe`);
  return { name, title, steps };
}

function podMatches(pattern: string, pod: string): boolean {
  if (pattern === '*') return true;
  const [ns, name] = pattern.split('/');
  const [podNs, podName] = pod.split('/');
  return (ns === '*' || ns === podNs) && (name === '*' || name === podName);
}

/** The table the upstream statements describe: everything allowed, then each statement in order. */
function tableFromExpects(expects: Probe['expects']): Table {
  const table: Table = new Map();
  for (const from of PODS) for (const to of PODS) if (from !== to) table.set(key(from, to), true);
  for (const e of expects) {
    for (const from of PODS) {
      for (const to of PODS) {
        if (from !== to && podMatches(e.from, from) && podMatches(e.to, to)) table.set(key(from, to), e.allowed);
      }
    }
  }
  return table;
}

function printTable(table: (from: string, to: string) => string): string {
  const lines = [`        ${PODS.map((p) => p.padStart(3)).join(' ')}`];
  for (const from of PODS)
    lines.push(`    ${from}  ${PODS.map((to) => (from === to ? '-' : table(from, to)).padStart(3)).join(' ')}`);
  return lines.join('\n');
}

/** cluster.yaml with the documents of `patches` replacing those of the same kind, namespace and name. */
function clusterText(dir: string, patches: readonly string[]): string {
  const identity = (doc: { kind?: string; metadata?: { name?: string; namespace?: string } }) =>
    `${doc.kind}/${doc.metadata?.namespace ?? ''}/${doc.metadata?.name}`;
  const replacements = new Map<string, string>();
  for (const file of patches) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    replacements.set(identity(parse(text)), text);
  }
  const chunks = readFileSync(path.join(ROOT, 'cluster.yaml'), 'utf8').split(/^---\n/m);
  const result = chunks.map((chunk) => {
    const doc = parse(chunk);
    const replacement = doc ? replacements.get(identity(doc)) : undefined;
    if (replacement !== undefined) replacements.delete(identity(doc));
    return replacement ?? chunk;
  });
  assert.deepEqual([...replacements.keys()], [], 'every patch replaces an object of cluster.yaml');
  return result.join('---\n');
}

const cases = readdirSync(ROOT, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort()
  .map((name) => parseTruth(name, readFileSync(path.join(ROOT, name, 'truth.txt'), 'utf8')));

describe('Kubernetes e2e truth tables (test/fixtures/k8s-e2e)', () => {
  it('has the cases, and the CLI default matches pods in ipBlocks', () => {
    assert.ok(cases.length >= 25, `only ${cases.length} cases`);
    assert.equal(DEFAULT_OPTIONS.ipBlockMatchesPods, true);
  });

  for (const c of cases) {
    describe(`${c.name}: ${c.title}`, () => {
      c.steps.forEach((step, stepIndex) => {
        const dir = path.join(ROOT, c.name);
        const state = `state ${stepIndex + 1} (policies: ${step.policies.join(', ') || 'none'}${step.patches.length ? `; patched: ${step.patches.join(', ')}` : ''})`;
        let index: ReachabilityIndex | undefined;
        let rows: Map<string, string> | undefined;
        const load = () => {
          if (!index) {
            const sources = [
              { uri: path.join(ROOT, 'cluster.yaml'), text: clusterText(dir, step.patches) },
              ...step.policies.map((file) => ({
                uri: path.join(dir, file),
                text: readFileSync(path.join(dir, file), 'utf8'),
              })),
            ];
            const workspace = buildWorkspace(sources);
            assert.deepEqual(
              workspace.findings.filter((f) => f.severity === 'error'),
              [],
              'the manifests are valid',
            );
            assert.deepEqual(exactnessBlockers(workspace), [], 'connlist would accept the manifests');
            assert.equal(workspace.policies.length, step.policies.length, 'every policy file holds one policy');
            assert.equal(workspace.workloads.length, PODS.length);
            index = new ReachabilityIndex(workspace); // the defaults, as the CLI without flags
            rows = new Map(connlist(index).map((r) => [key(r.src, r.dst), r.conn]));
          }
          return { index, rows: rows! };
        };

        for (const probe of step.probes) {
          it(`${state}: ${probe.protocol}/${probe.port}`, () => {
            // No expect lines: everything allowed (NewReachability(pods, true) alone).
            const fromExpects = tableFromExpects(probe.expects);
            const diff = [...fromExpects].filter(([k, v]) => probe.table.get(k) !== v).map(([k]) => k);
            assert.deepEqual(diff, [], `truth.txt:${probe.line}: the table differs from its expect lines`);
            const { index, rows } = load();
            const endpoint = (pod: string): Endpoint => {
              const workload = index.workspace.workloads.find((w) => w.id === `${pod}[Pod]`);
              assert.ok(workload, pod);
              return { kind: 'workload', workload };
            };
            const answers = {
              index: new Map<string, boolean>(),
              connlist: new Map<string, boolean>(),
              explain: new Map<string, boolean>(),
            };
            for (const from of PODS) {
              for (const to of PODS) {
                if (from === to) continue;
                const k = key(from, to);
                const source = endpoint(from);
                const destination = endpoint(to);
                answers.index.set(k, contains(index.connection(source, destination), probe.protocol, probe.port));
                const row = rows.get(key(`${from}[Pod]`, `${to}[Pod]`));
                answers.connlist.set(
                  k,
                  row !== undefined && contains(parseConnections(row)!, probe.protocol, probe.port),
                );
                answers.explain.set(
                  k,
                  contains(explain(index, source, destination).allowed, probe.protocol, probe.port),
                );
              }
            }
            for (const [what, answer] of Object.entries(answers)) {
              const wrong = [...probe.table].filter(([k, v]) => answer.get(k) !== v).map(([k]) => k);
              if (wrong.length > 0) {
                const cell = (from: string, to: string) => {
                  const expected = probe.table.get(key(from, to));
                  const actual = answer.get(key(from, to));
                  return expected === actual ? (actual ? '.' : 'X') : actual ? '+.' : '+X';
                };
                assert.fail(
                  `${c.name}, ${state}, ${probe.protocol}/${probe.port}: ${what} differs from the truth table on ${wrong.join(', ')}\n` +
                    `${what} (+ marks a cell that differs from truth.txt:${probe.line}):\n${printTable(cell)}`,
                );
              }
            }
          });
        }
      });
    });
  }
});
