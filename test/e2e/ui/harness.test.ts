// Self-test of the UI helpers (test/e2e/harness/ui.ts) against VS Code's built-in
// JSON and TypeScript support, so a broken helper is told apart from a broken netreach
// feature. The folder is test/e2e/fixtures/selftest; netreach is not loaded.
import assert from 'node:assert/strict';
import path from 'node:path';
import { REPO_ROOT } from '../harness/paths';
import { type Workbench, openWorkbench } from '../harness/ui';

describe('UI harness self-test (built-in JSON and TypeScript)', () => {
  let workbench: Workbench;

  before(async () => {
    workbench = await openWorkbench({
      folder: path.join(REPO_ROOT, 'test', 'e2e', 'fixtures', 'selftest'),
      withExtension: false,
    });
  });
  afterEach(async function () {
    await workbench?.screenshotIfFailed(this);
  });
  after(async () => {
    await workbench?.close();
  });

  it('reads Problems rows and squiggles', async () => {
    // settings-like.json breaks its local JSON schema: "retries" must be a number.
    await workbench.openFile('settings-like.json');
    const rows = await workbench.waitForProblems('a row saying "retries" has the wrong type', (all) =>
      all.some((row) => row.includes('Incorrect type. Expected "number"')),
    );
    assert.ok(rows.length >= 1);
    await workbench.waitFor(
      'a warning squiggle in settings-like.json',
      () => workbench.squiggles(),
      (counts) => counts.warnings > 0,
    );
  });

  it('reads a hover', async () => {
    await workbench.openFile('sample.ts');
    // Line 3 is `export const answer = 42;`, column 14 is inside `answer`.
    // The first TypeScript answer waits for tsserver to start: slow on a busy 2-core machine.
    await workbench.hoverAt(3, 14, { contains: 'const answer: 42', timeoutMs: 60_000 });
  });

  it('reads and uses the editor context menu', async () => {
    await workbench.openFile('sample.ts');
    const items = await workbench.contextMenuAt(3, 14);
    assert.ok(items.includes('Go to Definition'), `context menu items: ${items.join(' | ')}`);
    await workbench.chooseMenuItem('Command Palette...');
    await workbench.page.keyboard.press('Escape');
  });

  it('opens the Notifications center', async () => {
    // Toasts are suppressed by the smoke-test driver; the center is where notifications show.
    const rows = await workbench.notifications();
    assert.ok(Array.isArray(rows));
    await workbench.waitFor(
      'the Notifications center',
      () => workbench.page.locator('.notifications-center').isVisible(),
      Boolean,
    );
  });
});
