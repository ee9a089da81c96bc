// Code actions as the user applies them: every quick fix of a diagnostic is applied to the
// text (as the editor would), sent back with didChange, and the diagnostic must go away
// while the YAML still parses. Then "Fix all NRxxx problems in this file",
// source.fixAll.netreach and "Silence NRxxx for this line".
//
// The table is the folder test/fixtures/lsp/fixes/: each `NRnnn-*.yaml` file shows check
// NRnnn (at least once; twice or more to exercise "fix all"), analysed together with
// namespaces.yaml and workloads.yaml of that folder. A new check with a fix only needs a
// new file there. The examples are run through the same procedure for every diagnostic
// that comes with fixes.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol';
import {
  applyWorkspaceEditAll,
  assertParses,
  codeActions,
  EXAMPLES,
  LSP_FIXTURES,
  netreachOnly,
  ready,
  settled,
  startOn,
  TempWorkspace,
} from './helpers';
import type { LspClient } from './lspClient';

const FIXES = path.join(LSP_FIXTURES, 'fixes');
const TABLE = readdirSync(FIXES)
  .filter((f) => /^NR\d{3}.*\.ya?ml$/.test(f))
  .sort();

/** The texts the editor holds; setting one opens or changes the document and waits for the analysis. */
class Editor {
  private readonly texts = new Map<string, string>();

  constructor(private readonly client: LspClient) {}

  text(uri: string): string {
    return this.texts.get(uri) ?? readFileSync(fileURLToPath(uri), 'utf8');
  }

  async set(uri: string, text: string): Promise<void> {
    const isOpen = this.texts.has(uri);
    this.texts.set(uri, text);
    await settled(this.client, () => (isOpen ? this.client.change(uri, text) : this.client.open(uri, text)));
  }

  diagnostics(uri: string, code?: string): Diagnostic[] {
    return netreachOnly(this.client.pushed(uri) ?? []).filter((d) => code === undefined || d.code === code);
  }
}

const isSilence = (a: CodeAction) => /^Silence NR\d{3}/.test(a.title);
const isFixAll = (a: CodeAction) => /^Fix all /.test(a.title);

/** Applies an action, checks the code's count in `uri` went down and the YAML parses; returns the texts to restore. */
async function applyAndCheck(
  editor: Editor,
  uri: string,
  action: CodeAction,
  code: string,
  expectedLeft: (before: number) => number,
) {
  const before = editor.diagnostics(uri, code).length;
  const originals = new Map<string, string>();
  const texts = applyWorkspaceEditAll(action.edit, (u) => editor.text(u));
  for (const [u, text] of texts) {
    originals.set(u, editor.text(u));
    assertParses(text);
    await editor.set(u, text);
  }
  const left = editor.diagnostics(uri, code);
  assert.ok(
    left.length <= expectedLeft(before),
    `"${action.title}": ${before} ${code} before, ${left.length} after (expected at most ${expectedLeft(before)}):\n${editor.text(uri)}\n${JSON.stringify(left, null, 1)}`,
  );
  for (const [u, text] of originals) await editor.set(u, text);
  assert.equal(editor.diagnostics(uri, code).length, before, 'undoing the edit brings the diagnostic back');
}

/** Every fix of every diagnostic of `code` in `uri`, each from the original text. Returns how many were applied. */
async function everyQuickFix(client: LspClient, editor: Editor, uri: string, code: string): Promise<number> {
  let applied = 0;
  const count = editor.diagnostics(uri, code).length;
  for (let i = 0; i < count; i++) {
    const diagnostic = editor.diagnostics(uri, code)[i];
    const actions = await codeActions(client, uri, diagnostic.range, [diagnostic]);
    const fixes = actions.filter((a) => a.kind === 'quickfix' && !isSilence(a) && !isFixAll(a));
    for (const fix of fixes) {
      assert.deepEqual(
        fix.diagnostics?.map((d) => d.code),
        [code],
        `"${fix.title}" names its diagnostic`,
      );
      await applyAndCheck(editor, uri, fix, code, (before) => before - 1);
      applied++;
    }
  }
  return applied;
}

describe('lsp: code actions', function () {
  this.timeout(120000);
  let workspace: TempWorkspace;
  let client: LspClient;
  let editor: Editor;

  afterEach(async () => {
    await client?.stop();
    workspace?.dispose();
  });

  for (const name of TABLE) {
    const code = name.slice(0, 5);

    describe(`${code} (${name})`, () => {
      let uri: string;

      beforeEach(async () => {
        workspace = new TempWorkspace({
          'namespaces.yaml': readFileSync(path.join(FIXES, 'namespaces.yaml'), 'utf8'),
          'workloads.yaml': readFileSync(path.join(FIXES, 'workloads.yaml'), 'utf8'),
          [name]: readFileSync(path.join(FIXES, name), 'utf8'),
        });
        uri = workspace.uri(name);
        client = await startOn(workspace);
        editor = new Editor(client);
        await ready(client);
        await editor.set(uri, workspace.read(name));
        assert.ok(editor.diagnostics(uri, code).length > 0, `the fixture shows ${code}`);
      });

      it('each quick fix makes its diagnostic go away and keeps the YAML valid', async () => {
        const applied = await everyQuickFix(client, editor, uri, code);
        assert.ok(applied > 0, `${code} has at least one fix`);
      });

      it('the preferred fix is marked, one per diagnostic', async () => {
        for (const diagnostic of editor.diagnostics(uri, code)) {
          const actions = await codeActions(client, uri, diagnostic.range, [diagnostic]);
          const preferred = actions.filter((a) => a.isPreferred);
          assert.ok(preferred.length <= 1, `at most one preferred fix: ${preferred.map((a) => a.title).join(', ')}`);
        }
      });

      it(`"Fix all ${code} problems in this file" fixes every one`, async function () {
        const diagnostics = editor.diagnostics(uri, code);
        const actions = await codeActions(client, uri, diagnostics[0].range, [diagnostics[0]]);
        const fixAll = actions.find((a) => a.title === `Fix all ${code} problems in this file`);
        const preferredCount = await countWithPreferredFix(client, uri, diagnostics);
        if (preferredCount < 2) {
          assert.equal(fixAll, undefined, 'no "fix all" for a single problem');
          this.skip();
        }
        assert.ok(fixAll, `"Fix all ${code} problems in this file" is offered for ${preferredCount} problems`);
        await applyAndCheck(editor, uri, fixAll, code, (before) => before - preferredCount);
      });

      it('source.fixAll.netreach fixes it (on save, again until nothing is left)', async () => {
        const before = editor.diagnostics(uri, code).length;
        const preferredCount = await countWithPreferredFix(client, uri, editor.diagnostics(uri, code));
        const original = editor.text(uri);
        const origin = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
        // Fixes that touch the same place are applied on the next pass, as a save applies fixAll again.
        for (let pass = 0; pass < 5; pass++) {
          const actions = await codeActions(client, uri, origin, [], ['source.fixAll']);
          assert.ok(
            actions.every((a) => a.kind?.startsWith('source.fixAll')),
            'only the kinds asked for',
          );
          const fixAll = actions.find((a) => a.kind === 'source.fixAll.netreach');
          if (pass === 0 && preferredCount > 0) assert.ok(fixAll, 'a source.fixAll.netreach action');
          if (!fixAll) break;
          const texts = applyWorkspaceEditAll(fixAll.edit, (u) => editor.text(u));
          for (const [u, text] of texts) {
            assertParses(text);
            await editor.set(u, text);
          }
        }
        const left = editor.diagnostics(uri, code).length;
        assert.ok(left <= before - preferredCount, `${before} ${code} before, ${left} after:\n${editor.text(uri)}`);
        await editor.set(uri, original);
      });

      it(`"Silence ${code} for this line" makes it disappear`, async () => {
        const count = editor.diagnostics(uri, code).length;
        for (let i = 0; i < count; i++) {
          const diagnostic = editor.diagnostics(uri, code)[i];
          const actions = await codeActions(client, uri, diagnostic.range, [diagnostic]);
          const silence = actions.find((a) => a.title === `Silence ${code} for this line`);
          assert.ok(silence, 'a silence action');
          await applyAndCheck(editor, uri, silence, code, (before) => before - 1);
        }
      });
    });
  }

  describe('every diagnostic with fixes in the examples', () => {
    it('each fix makes its diagnostic go away and keeps the YAML valid', async () => {
      workspace = new TempWorkspace(EXAMPLES);
      client = await startOn(workspace);
      editor = new Editor(client);
      await ready(client);
      const files = readdirSync(workspace.dir, { recursive: true, encoding: 'utf8' }).filter((f) => /\.ya?ml$/.test(f));
      const seen = new Set<string>();
      for (const file of files) {
        const uri = workspace.uri(file);
        for (const code of new Set(editor.diagnostics(uri).map((d) => String(d.code)))) {
          if ((await everyQuickFix(client, editor, uri, code)) > 0) seen.add(code);
        }
      }
      // The examples show at least these checks with fixes.
      for (const code of ['NR020', 'NR022'])
        assert.ok(seen.has(code), `${code} fixed in the examples (fixed: ${[...seen].join(', ')})`);
    });
  });

  it('no "fix all" action that would change nothing (every fix would break the YAML further)', async () => {
    // spec is a scalar with a block below it: NR003's fix (insert podSelector) adds a syntax error.
    const text =
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p\n  namespace: web\nspec: 1.5\n  policyTypes:\n    - Ingress\n';
    workspace = new TempWorkspace({ 'broken.yaml': text });
    client = await startOn(workspace);
    await ready(client);
    const uri = workspace.uri('broken.yaml');
    await settled(client, () => client.open(uri, text));
    const origin = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    const actions = await codeActions(client, uri, origin, [], ['source.fixAll']);
    for (const action of actions) {
      assert.ok(
        Object.values(action.edit?.changes ?? {}).some((edits) => edits.length > 0),
        `"${action.title}" has no edits`,
      );
    }
  });

  it("answers nothing for a diagnostic that is not netreach's, or stale", async () => {
    workspace = new TempWorkspace(path.join(LSP_FIXTURES, 'cross-file'));
    client = await startOn(workspace);
    await ready(client);
    const uri = workspace.uri('policy.yaml');
    const range = { start: { line: 7, character: 2 }, end: { line: 7, character: 13 } };
    const foreign: Diagnostic = { range, message: 'something else', source: 'yaml', code: 'x' };
    const stale: Diagnostic = { range, message: 'old', source: 'netreach', code: 'NR020', data: { key: 'NR020:1:2' } };
    assert.deepEqual(await codeActions(client, uri, range, [foreign, stale]), []);
  });
});

async function countWithPreferredFix(
  client: LspClient,
  uri: string,
  diagnostics: readonly Diagnostic[],
): Promise<number> {
  let count = 0;
  for (const diagnostic of diagnostics) {
    const actions = await codeActions(client, uri, diagnostic.range, [diagnostic]);
    if (actions.some((a) => a.isPreferred)) count++;
  }
  return count;
}
