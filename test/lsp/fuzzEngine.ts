/**
 * One engine fuzz case: a mutated corpus file, read with the other files of its folder,
 * linted, its reachability listed, hovers and completions asked at random offsets, code
 * actions built for every finding. Throws on an exception or a broken answer (a span
 * outside the file, overlapping edits, a fix that breaks YAML that parsed).
 */
import { pathToFileURL } from 'node:url';
import {
  applyEdits,
  assembleWorkspace,
  connlist,
  explain,
  formatConnlist,
  lintWorkspace,
  parseFile,
  readFile,
  type Endpoint,
  type FileModel,
  type Finding,
  type Fix,
  type TextEdit,
} from '../../server/src/engine';
import type { AnalysisResult } from '../../server/src/lsp/analysis';
import { codeActions } from '../../server/src/lsp/codeActions';
import { workspaceCompletions } from '../../server/src/lsp/completion';
import { toDiagnostic } from '../../server/src/lsp/diagnostics';
import { hoverMarkdown } from '../../server/src/lsp/hover';
import { mutate, random, type CorpusFile } from './mutate';

const contexts = new Map<string, FileModel[]>();

function contextOf(files: readonly CorpusFile[], group: string): FileModel[] {
  let models = contexts.get(group);
  if (!models) {
    models = files
      .filter((f) => f.group === group)
      .map((f) => readFile({ uri: pathToFileURL(f.path).href, text: f.text }));
    contexts.set(group, models);
  }
  return models;
}

export interface CaseResult {
  readonly file: string;
  readonly steps: readonly string[];
  readonly findings: number;
}

/** Runs case `seed`; on failure the error message names the seed, the file, the mutations and the text. */
export function runEngineCase(files: readonly CorpusFile[], seed: number): CaseResult {
  const r = random(seed);
  const file = r.pick(files);
  const { text, steps } = mutate(file.text, r);
  const uri = pathToFileURL(file.path).href;
  try {
    const models = [readFile({ uri, text }), ...contextOf(files, file.group).filter((m) => m.file.uri !== uri)];
    const workspace = assembleWorkspace(models);
    const settings = r.chance(0.2) ? { analysis: { ipBlockMatchesPods: false } } : {};
    const { index, findings } = lintWorkspace(workspace, settings);
    const findingsByUri = new Map<string, Finding[]>();
    for (const f of findings) {
      const list = findingsByUri.get(f.span.uri);
      if (list) list.push(f);
      else findingsByUri.set(f.span.uri, [f]);
    }
    const result: AnalysisResult = { generation: 1, workspace, index, findings, findingsByUri, elapsed: 0 };

    // Reachability: the connlist (small workspaces), and explanations of a few pairs.
    if (workspace.workloads.length <= 40) formatConnlist(connlist(index), 'txt');
    const endpoints: Endpoint[] = workspace.workloads.map((workload) => ({ kind: 'workload', workload }));
    for (let i = 0; i < 3 && endpoints.length > 1; i++) explain(index, r.pick(endpoints), r.pick(endpoints));

    // Hovers and completions at random offsets (and at both ends).
    const offsets = [0, text.length, ...Array.from({ length: 6 }, () => r.int(text.length + 1))];
    for (const offset of offsets) {
      hoverMarkdown(result, uri, offset);
      workspaceCompletions(result, uri, text, offset);
    }

    // Findings of this file: spans inside it, diagnostics, code actions, fixes that apply.
    const parsedCleanly = parseFile({ uri, text }).syntaxFindings.length === 0;
    const own = findingsByUri.get(uri) ?? [];
    for (const finding of own) {
      check(
        finding.span.start >= 0 && finding.span.start <= finding.span.end && finding.span.end <= text.length,
        `${finding.code} span ${JSON.stringify(finding.span)} outside the text (${text.length})`,
      );
      const diagnostic = toDiagnostic(workspace, finding);
      check(diagnostic !== undefined, `${finding.code} has no diagnostic`);
      // A request per diagnostic, as an editor asks for the one under the cursor (a sample: each costs O(findings)).
      if (r.chance(30 / own.length)) {
        codeActions(result, {
          textDocument: { uri },
          range: diagnostic!.range,
          context: { diagnostics: [diagnostic!] },
        });
      }
      for (const fix of fixesOf(finding))
        checkEdits(fix.edits, uri, text, parsedCleanly, `${finding.code} "${fix.title}"`);
    }
    const fixAll = codeActions(result, {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll'] },
    });
    for (const action of fixAll) {
      const edits = action.edit?.changes?.[uri] ?? [];
      check(edits.length > 0, `"${action.title}" has no edits`);
    }
    return { file: file.path, steps, findings: own.length };
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    throw new Error(
      `engine fuzz case seed ${seed} failed (rerun: NETREACH_FUZZ_SEED=${seed} NETREACH_FUZZ_CASES=1)\n` +
        `file: ${file.path}\nmutations: ${steps.join(', ')}\n${message}\n--- mutated text ---\n${text.length > 4000 ? text.slice(0, 4000) + '\n[...]' : text}`,
      { cause: error },
    );
  }
}

/** The fixes of a finding: a list, or a function that builds them (called here directly, so a fixer that throws is caught). */
function fixesOf(finding: Finding): readonly Fix[] {
  const fixes = finding.fixes as readonly Fix[] | (() => readonly Fix[]) | undefined;
  return typeof fixes === 'function' ? fixes() : (fixes ?? []);
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

function checkEdits(edits: readonly TextEdit[], uri: string, text: string, parsedCleanly: boolean, what: string): void {
  const mine = edits.filter((e) => e.uri === uri);
  for (const e of mine)
    check(
      e.start >= 0 && e.start <= e.end && e.end <= text.length,
      `${what}: edit ${e.start}-${e.end} outside the text (${text.length})`,
    );
  const sorted = [...mine].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++)
    check(sorted[i].start >= sorted[i - 1].end, `${what}: overlapping edits ${JSON.stringify(sorted)}`);
  if (!parsedCleanly) return;
  const after = applyEdits(text, mine);
  const errors = parseFile({ uri, text: after }).syntaxFindings;
  check(
    errors.length === 0,
    `${what} breaks the YAML: ${errors.map((e) => e.message).join('; ')}\n--- after the fix ---\n${after}`,
  );
}
