// UI in restricted mode: a code-server of this test's own with workspace trust on, and a
// folder never trusted. The findings still show; "Test Reachability in Cluster" is in no
// menu and not in the command palette, while "Show Reachability" is.
import assert from 'node:assert/strict';
import { type CodeServer, startCodeServer } from '../harness/code-server';
import { ensureCodeServer } from '../harness/install-code-server';
import { E2E_UNTRUSTED_WORKSPACE } from '../harness/paths';
import { type Workbench, openWorkbench } from '../harness/ui';

const SHOW = 'netreach: Show Reachability';
const TEST = 'netreach: Test Reachability in Cluster';

describe('UI: restricted mode (untrusted workspace)', () => {
  let server: CodeServer | undefined;
  let workbench: Workbench;

  before(async () => {
    server = await startCodeServer(await ensureCodeServer(), { label: 'ui-untrusted', workspaceTrust: true });
    workbench = await openWorkbench({ serverUrl: server.url, folder: E2E_UNTRUSTED_WORKSPACE });
  });
  afterEach(async function () {
    await workbench?.screenshotIfFailed(this);
    await workbench?.page.keyboard.press('Escape');
  });
  after(async () => {
    await workbench?.close();
    await server?.stop();
  });

  it('shows that the window is in restricted mode, and the findings still appear', async () => {
    await workbench.waitFor(
      'the "Restricted Mode" indicator in the status bar',
      async () => (await workbench.page.locator('.part.statusbar').innerText()).replace(/\s+/g, ' '),
      (text) => text.includes('Restricted Mode'),
    );
    await workbench.openFile('examples/common-mistakes/egress-ignored.yaml');
    await workbench.waitForProblems('the NR020 row', (rows) => rows.some((row) => row.includes('NR020')));
    await workbench.screenshot('untrusted-problems');
  });

  it('the editor context menu offers Show Reachability only', async () => {
    await workbench.openFile('examples/common-mistakes/egress-ignored.yaml');
    const items = await workbench.contextMenuAt(9, 3);
    assert.ok(items.includes(SHOW), `"${SHOW}" in the menu: ${items.join(' | ')}`);
    assert.ok(!items.includes(TEST), `"${TEST}" must not be in the menu: ${items.join(' | ')}`);
  });

  it('the command palette offers Show Reachability only', async () => {
    await workbench.page.keyboard.press('Escape');
    await workbench.page.keyboard.press('F1');
    const input = workbench.page.locator('.quick-input-widget .quick-input-box input');
    await workbench.waitFor('the command palette', () => input.isVisible(), Boolean);
    await input.fill('>netreach: ');
    const labels = await workbench.waitFor(
      `the palette to list "${SHOW}" (and with it the other netreach commands)`,
      async () =>
        (await workbench.page.locator('.quick-input-widget .quick-input-list .label-name').allTextContents()).map((l) =>
          l.trim(),
        ),
      (all) => all.includes(SHOW) && all.includes('netreach: Insert NetworkPolicy…'),
    );
    assert.ok(!labels.includes(TEST), `"${TEST}" must not be offered: ${labels.join(' | ')}`);
  });
});
