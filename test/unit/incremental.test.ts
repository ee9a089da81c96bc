// After an edit the language server reuses what the unchanged files gave the previous
// analysis (workloads and Services joined again are the same objects, the reachability
// index takes unchanged groups, selections and rule peers from the previous index) and
// lints the edited and open files first, alone. None of that may change an answer: after
// every random edit here, the incremental results must equal a from-scratch analysis of
// the same texts (new objects, no previous index): every finding with its fixes, for the
// whole workspace and for the files linted alone, and the reachability of every pair.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  assembleWorkspace,
  connlist,
  fixesOf,
  formatConnlist,
  lintWorkspace,
  ReachabilityIndex,
  readFile,
  type FileModel,
  type Finding,
  type LintSettings,
} from '../../server/src/engine';
import { Analysis } from '../../server/src/lsp/analysis';
import { WorkspaceFiles } from '../../server/src/lsp/files';
import { DEFAULT_SETTINGS, type NetreachSettings } from '../../server/src/protocol';
import { generate } from '../bench/generate';
import { random, type Random } from './engine/random';

const ROOT = path.resolve(__dirname, '..', '..');

/** Every `.yaml` file under `dir`, by path relative to it. */
function yamlFiles(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && /\.ya?ml$/.test(entry.name)) {
      const full = path.join(entry.parentPath, entry.name);
      files.set(path.relative(dir, full), readFileSync(full, 'utf8'));
    }
  }
  return files;
}

/** A workspace of generated applications, the examples and the CLI fixtures (broken, refused, ambiguous input). */
function corpus(tmp: string, seed: number): Map<string, string> {
  const generated = path.join(tmp, `generated-${seed}`);
  generate(generated, { workloads: 40, namespaces: 6, policies: 30, seed });
  const files = new Map<string, string>();
  for (const [name, text] of yamlFiles(generated)) files.set(`generated/${name}`, text);
  for (const [name, text] of yamlFiles(path.join(ROOT, 'examples'))) files.set(`examples/${name}`, text);
  for (const [name, text] of yamlFiles(path.join(ROOT, 'test', 'fixtures', 'cli'))) files.set(`fixtures/${name}`, text);
  return files;
}

/** Values written for each key anywhere in the corpus, to edit a value into another plausible one. */
function valuesByKey(texts: Iterable<string>): Map<string, string[]> {
  const values = new Map<string, Set<string>>();
  for (const text of texts) {
    for (const match of text.matchAll(/^\s*(?:-\s+)?([\w./-]+):[ \t]+([^\s#][^#\n]*?)\s*$/gm)) {
      let set = values.get(match[1]);
      if (!set) values.set(match[1], (set = new Set()));
      set.add(match[2]);
    }
  }
  return new Map([...values].map(([k, v]) => [k, [...v].sort()]));
}

/**
 * One edit as a person makes them: a value changed (to one used elsewhere for the same
 * key, or a typo), a line deleted or duplicated, a document duplicated (duplicates across
 * the workspace), or broken YAML.
 */
function edit(text: string, r: Random, values: ReadonlyMap<string, readonly string[]>): string {
  const lines = text.split('\n');
  const candidates = lines.flatMap((line, i) => (/^\s*(?:-\s+)?[\w./-]+:/.test(line) ? [i] : []));
  if (candidates.length === 0) return `${text}\n# edited\n`;
  const i = r.pick(candidates);
  const kind = r.int(12);
  if (kind < 7) {
    const match = /^(\s*(?:-\s+)?)([\w./-]+):(.*)$/.exec(lines[i])!;
    const current = match[3].trim();
    const others = values.get(match[2]) ?? [];
    const value = others.length > 0 && r.chance(0.7) ? r.pick(others) : `${current || 'x'}${r.pick(['z', '-2', '0'])}`;
    lines[i] = `${match[1]}${match[2]}: ${value}`;
  } else if (kind === 7) {
    lines.splice(i, 1);
  } else if (kind === 8) {
    lines.splice(i, 0, lines[i]);
  } else if (kind === 9) {
    // The document holding the line, once more at the end of the file.
    let start = i;
    while (start > 0 && lines[start - 1] !== '---') start--;
    let end = i;
    while (end < lines.length && lines[end] !== '---') end++;
    lines.push('---', ...lines.slice(start, end));
  } else if (kind === 10) {
    lines[i] = `${lines[i]} [`;
  } else {
    lines[i] = lines[i].replace(/^(\s*)/, '$1  ');
  }
  return lines.join('\n');
}

/** A file to edit: often one with Namespaces or policies, whose edits reach furthest. */
function pickFile(r: Random, names: readonly string[], texts: ReadonlyMap<string, string>): string {
  const roll = r.next();
  const wanted = roll < 0.25 ? /kind: Namespace\b/ : roll < 0.6 ? /kind: NetworkPolicy\b/ : undefined;
  const candidates = wanted ? names.filter((n) => wanted.test(texts.get(n)!)) : names;
  return r.pick(candidates.length > 0 ? candidates : names);
}

/** A finding as comparable data, fixes built. */
function comparable(finding: Finding): unknown {
  return { ...finding, fixes: fixesOf(finding) };
}

function sameFindings(actual: readonly Finding[], expected: readonly Finding[], what: string): void {
  assert.deepEqual(actual.map(comparable), expected.map(comparable), what);
}

/** What the index answers about every policy and rule, by names. */
function indexAnswers(index: ReachabilityIndex): unknown {
  return {
    groups: index.groups.length,
    connlist: formatConnlist(connlist(index), 'txt'),
    policies: index.workspace.policies.map((p) => ({
      policy: p.id,
      selected: index.selectedWorkloads(p).map((w) => w.id),
      rules: [...p.ingress, ...p.egress].map((rule) => {
        const match = index.ruleMatch(rule);
        return [match.workloads.map((w) => w.id), match.ipRanges.map((r) => `${r.family}:${r.start}-${r.end}`)];
      }),
    })),
  };
}

describe('incremental analysis after edits', function () {
  this.timeout(300000);
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'netreach-incremental-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('a workload joined from pods in several files follows an edit of any of them', () => {
    const pod = (name: string, app: string, port: number, ip: string) => `
apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: shop
  labels: {app: ${app}}
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-1, controller: true}]
spec:
  containers: [{name: web, image: web, ports: [{name: http, containerPort: ${port}}]}]
status: {podIP: ${ip}}
`;
    const a = readFile({ uri: 'a.yaml', text: pod('web-1-a', 'web', 8080, '10.0.0.1') });
    const before = assembleWorkspace([a, readFile({ uri: 'b.yaml', text: pod('web-1-b', 'web', 8080, '10.0.0.2') })]);
    const b = readFile({ uri: 'b.yaml', text: pod('web-1-b', 'web2', 9090, '10.0.0.3') });
    const after = assembleWorkspace([a, b]);
    const scratch = assembleWorkspace([
      readFile({ uri: 'a.yaml', text: pod('web-1-a', 'web', 8080, '10.0.0.1') }),
      readFile({ uri: 'b.yaml', text: pod('web-1-b', 'web2', 9090, '10.0.0.3') }),
    ]);
    const facts = (w: (typeof after.workloads)[number]) => ({
      id: w.id,
      ports: w.ports.map((p) => `${p.name}/${p.port}`),
      addresses: w.addresses.map((x) => x.text),
      labelSets: w.podLabelSets.map((l) => [...l]),
    });
    assert.equal(before.workloads.length, 1);
    assert.deepEqual(after.workloads.map(facts), scratch.workloads.map(facts));
    assert.deepEqual(facts(after.workloads[0]).addresses, ['10.0.0.1', '10.0.0.3']);
  });

  for (const seed of [1, 2, 3]) {
    it(`engine: joined again, indexed from the previous index, linted file by file (seed ${seed})`, () => {
      const r = random(seed);
      const texts = corpus(tmp, seed);
      const values = valuesByKey(texts.values());
      const uris = [...texts.keys()];
      const models = new Map<string, FileModel>(uris.map((uri) => [uri, readFile({ uri, text: texts.get(uri)! })]));
      const settings: LintSettings = { analysis: { ipBlockMatchesPods: seed !== 2 } };
      let index = new ReachabilityIndex(assembleWorkspace([...models.values()]), settings.analysis);
      for (let step = 0; step < 40; step++) {
        const changed = pickFile(r, uris, texts);
        texts.set(changed, edit(texts.get(changed)!, r, values));
        models.set(changed, readFile({ uri: changed, text: texts.get(changed)! }));

        const workspace = assembleWorkspace([...models.values()]);
        index = new ReachabilityIndex(workspace, settings.analysis, index);
        // The file just edited and a few others, as the open documents.
        const first = new Set([changed, r.pick(uris), r.pick(uris)]);
        const partial = lintWorkspace(workspace, settings, index, undefined, first).findings;
        const whole = lintWorkspace(workspace, settings, index).findings;

        const scratchWorkspace = assembleWorkspace(uris.map((uri) => readFile({ uri, text: texts.get(uri)! })));
        const scratchIndex = new ReachabilityIndex(scratchWorkspace, settings.analysis);
        const scratch = lintWorkspace(scratchWorkspace, settings, scratchIndex).findings;
        const context = `seed ${seed}, step ${step}, edited ${changed}`;
        sameFindings(whole, scratch, `whole workspace, ${context}`);
        sameFindings(
          partial,
          scratch.filter((f) => first.has(f.span.uri)),
          `files linted alone (${[...first].join(', ')}), ${context}`,
        );
        assert.deepEqual(indexAnswers(index), indexAnswers(scratchIndex), `reachability, ${context}`);
      }
    });
  }

  it('the server analysis: the edited and open files first, then the whole workspace (files on disk, edits in the editor)', async () => {
    const r = random(7);
    const dir = path.join(tmp, 'server');
    const texts = corpus(tmp, 7);
    for (const [name, text] of texts) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), text);
    }
    const values = valuesByKey(texts.values());
    const names = [...texts.keys()];
    const settings: NetreachSettings = { ...DEFAULT_SETTINGS };
    const files = new WorkspaceFiles(settings, () => undefined);
    await files.scan([pathToFileURL(dir).toString()]);
    const analysis = new Analysis(files, settings);
    analysis.current();
    const uriOf = (name: string) => pathToFileURL(path.join(dir, name)).toString();
    const nameOf = new Map(names.map((n) => [uriOf(n), n]));
    // As the server reads a file (one that cannot hold a Kubernetes object, without `kind`, is
    // not parsed), in the server's order of files: the last definition of a duplicate wins.
    const scratchModels = () =>
      files.models().map(({ file: { uri } }) => {
        const text = texts.get(nameOf.get(uri)!)!;
        const model = readFile({ uri, text: /\bkind\b/.test(text) ? text : '' });
        return { ...model, file: { ...model.file, text } };
      });
    const open = new Set<string>();
    for (let step = 0; step < 40; step++) {
      const name = pickFile(r, names, texts);
      texts.set(name, edit(texts.get(name)!, r, values));
      files.setOpen(uriOf(name), step + 1, texts.get(name)!);
      open.add(uriOf(name));
      analysis.invalidate();

      const scratch = lintWorkspace(assembleWorkspace(scratchModels()), {
        analysis: { ipBlockMatchesPods: true },
      }).findings;
      const context = `step ${step}, edited ${name}`;
      // Sometimes two edits before anyone asks; sometimes the whole analysis only.
      if (r.chance(0.8)) {
        const first = analysis.findingsOf([uriOf(name), ...open]);
        for (const uri of first.uris) {
          sameFindings(
            first.findingsByUri.get(uri) ?? [],
            scratch.filter((f) => f.span.uri === uri),
            `first, ${uri}, ${context}`,
          );
        }
        // Asked again (a code action, a pull): the same answer.
        const again = analysis.findingsOf([uriOf(name)]);
        sameFindings(
          again.findingsByUri.get(uriOf(name)) ?? [],
          first.findingsByUri.get(uriOf(name)) ?? [],
          `again, ${context}`,
        );
      }
      if (r.chance(0.7)) sameFindings(analysis.current().findings, scratch, `whole, ${context}`);
    }
    sameFindings(analysis.current().findings, lintWorkspace(assembleWorkspace(scratchModels())).findings, 'at the end');
  });
});
