// UI: what a person sees of netreach in the workbench, on the copy of examples/ (the
// common mistakes and the shop). Four of these moments are the README's screenshots
// (saveReadmeImage; `npm run screenshots` copies them to docs/images/).
import assert from 'node:assert/strict';
import { saveReadmeImage } from '../harness/readme-images';
import { type Workbench, openWorkbench } from '../harness/ui';

const EDITOR = '.part.editor';

describe('UI: netreach in the workbench', () => {
  let workbench: Workbench;

  before(async () => {
    workbench = await openWorkbench();
  });
  afterEach(async function () {
    await workbench?.screenshotIfFailed(this);
    await workbench?.page.keyboard.press('Escape');
  });
  after(async () => {
    await workbench?.close();
  });

  it('the Problems panel lists the findings of examples/common-mistakes', async function () {
    await workbench.openFile('examples/common-mistakes/egress-ignored.yaml');
    // The workspace is indexed: files that are not open are listed too. The list only
    // renders the rows in view, so look at them all in a maximized panel.
    const codes = ['NR020', 'NR022', 'NR027', 'NR041', 'NR050', 'NR051'];
    await workbench.problems();
    await workbench.runCommand('View: Toggle Maximized Panel');
    const rows = await workbench.waitForProblems(`rows with ${codes.join(', ')}`, (all) =>
      codes.every((code) => all.some((row) => row.includes(code))),
    );
    await workbench.runCommand('View: Toggle Maximized Panel');
    const nr020 = rows.find((row) => row.includes('NR020'))!;
    assert.match(nr020, /These egress rules are ignored/, nr020);
    assert.match(nr020, /netreach/, nr020);
    assert.match(nr020, /\[Ln 17, Col 3\]/, nr020);
    await workbench.waitFor(
      'an error squiggle in egress-ignored.yaml',
      () => workbench.squiggles(),
      (counts) => counts.errors > 0,
    );
    await workbench.screenshot('problems-panel');
    await saveReadmeImage(workbench, 'problems.png', { test: this.test!.fullTitle() });
  });

  it("a hover on a policy's podSelector shows what the policy selects and lets in", async function () {
    await workbench.openFile('examples/common-mistakes/or-instead-of-and.yaml');
    // Line 10 is `  podSelector:` of legacy/metrics-from-prometheus.
    const text = await workbench.hoverAt(10, 5, { contains: 'legacy/backend[Deployment]' });
    assert.match(text, /NetworkPolicy legacy\/metrics-from-prometheus/, text);
    assert.match(text, /Selects 1 workload/, text);
    assert.match(text, /Lets in/, text);
    await workbench.screenshot('hover-podselector');
    await saveReadmeImage(workbench, 'hover.png', { test: this.test!.fullTitle(), clipTo: [EDITOR] });
  });

  it('the editor context menu of a YAML file offers both netreach commands', async () => {
    await workbench.openFile('examples/common-mistakes/egress-ignored.yaml');
    const items = await workbench.contextMenuAt(9, 3);
    for (const label of ['netreach: Show Reachability', 'netreach: Test Reachability in Cluster']) {
      assert.ok(
        items.includes(label),
        `expected "${label}" in the editor context menu; it shows: ${items.join(' | ')}`,
      );
    }
    await workbench.screenshot('editor-context-menu');
  });

  it('the editor context menu of a YAML file that is not Kubernetes offers no netreach command', async () => {
    await workbench.openFile('ci/pipeline.yaml');
    // The menu follows a context key the extension sets when the active editor changes:
    // open the menu until it shows the state for this file, or time out saying what it showed.
    const items = await workbench.waitFor(
      'the context menu of ci/pipeline.yaml without netreach commands',
      async () => {
        const shown = await workbench.contextMenuAt(5, 3);
        await workbench.page.keyboard.press('Escape');
        return shown;
      },
      (all) => !all.some((label) => label.startsWith('netreach:')),
    );
    assert.ok(items.length > 0, 'the menu showed its other items');
  });

  it('the explorer context menu of a YAML file offers both netreach commands', async () => {
    const row = workbench.page
      .locator('.explorer-folders-view .monaco-list-row')
      .filter({ hasText: /^\s*egress-ignored\.yaml/ });
    await row.first().click({ button: 'right' });
    const items = await workbench.waitFor(
      'the explorer context menu',
      () => workbench.menuItems(),
      (all) => all.length > 0,
    );
    for (const label of ['netreach: Show Reachability', 'netreach: Test Reachability in Cluster']) {
      assert.ok(
        items.includes(label),
        `expected "${label}" in the explorer context menu; it shows: ${items.join(' | ')}`,
      );
    }
  });

  it('a quick fix chosen from the lightbulb removes the error and its squiggle', async function () {
    await workbench.openFile('examples/common-mistakes/egress-ignored.yaml');
    await workbench.waitFor(
      'the NR020 error squiggle',
      () => workbench.squiggles(),
      (counts) => counts.errors === 1,
    );
    // Line 17 is `  egress:`; the cursor there shows the lightbulb.
    await workbench.goTo(17, 3);
    const bulb = workbench.page.locator('.editor-group-container.active .lightBulbWidget');
    await workbench.waitFor('the lightbulb', () => bulb.isVisible(), Boolean);
    await bulb.click();
    const actions = '.action-widget .monaco-list-row.action .title';
    const titles = await workbench.waitFor(
      'the quick fix menu to offer "Add Egress to policyTypes"',
      async () => (await workbench.page.locator(actions).allTextContents()).map((t) => t.trim()),
      (all) => all.includes('Add Egress to policyTypes'),
    );
    assert.ok(titles.includes('Silence NR020 for this line'), titles.join(' | '));
    await workbench.screenshot('quick-fix-menu');
    await saveReadmeImage(workbench, 'quick-fix.png', { test: this.test!.fullTitle(), clipTo: [EDITOR] });
    await workbench.page.locator(actions).filter({ hasText: 'Add Egress to policyTypes' }).first().click();
    await workbench.waitForEditorText('- Egress');
    await workbench.waitFor(
      'no error squiggle once the fix is applied',
      () => workbench.squiggles(),
      (counts) => counts.errors === 0,
    );
    await workbench.waitForProblems('no NR020 row', (rows) => !rows.some((row) => row.includes('NR020')));
    // Leave the file as it was for the tests after this one.
    await workbench.runCommand('File: Revert File');
    await workbench.waitForProblems('the NR020 row again after reverting', (rows) =>
      rows.some((row) => row.includes('NR020')),
    );
  });

  it('"netreach: Show Reachability" opens the view; a click on a connection explains it', async function () {
    await workbench.openFile('examples/shop/workloads.yaml');
    // Line 27 is `  name: api` of Deployment shop/api.
    await workbench.goTo(27, 9);
    await workbench.runCommand('netreach: Show Reachability');
    const view = workbench.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    const body = view.locator('body');
    const read = async (): Promise<string> => ((await body.count()) > 0 ? body.innerText() : '');
    await workbench.waitFor(
      'the reachability view of shop/api (web reaches it on TCP 8080, it reaches db on TCP 5432)',
      read,
      (text) => /shop\/api\[Deployment\]/.test(text) && /shop\/web\[Deployment\]/.test(text) && /TCP 5432/.test(text),
    );
    await view.locator('td.cell', { hasText: 'TCP 8080' }).first().click();
    const explained = await workbench.waitFor(
      'the explanation of shop/web -> shop/api after clicking its cell',
      async () => ((await view.locator('#explanation').count()) > 0 ? view.locator('#explanation').innerText() : ''),
      (text) => text.includes('shop/web[Deployment] → shop/api[Deployment]'),
    );
    assert.match(explained, /Ingress to shop\/api\[Deployment\]/, explained);
    await workbench.page.keyboard.press('Control+J'); // hide the panel: more room for the view
    await workbench.screenshot('reachability-view');
    await saveReadmeImage(workbench, 'reachability-view.png', { test: this.test!.fullTitle(), clipTo: [EDITOR] });
  });
});
