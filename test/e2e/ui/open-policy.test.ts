// UI: a person opens a NetworkPolicy file and sees it in an editor.
import { type Workbench, openWorkbench } from '../harness/ui';

describe('UI: opening a policy file', () => {
  let workbench: Workbench;

  before(async () => {
    workbench = await openWorkbench();
  });
  afterEach(async function () {
    await workbench?.screenshotIfFailed(this);
  });
  after(async () => {
    await workbench?.close();
  });

  it('shows policy.yaml in an editor', async () => {
    await workbench.openFile('policy.yaml');
    await workbench.waitForEditorText('name: api-allow-frontend');
    await workbench.screenshot('policy-yaml-open');
  });

  it('offers "netreach: Show Reachability" in the command palette and runs it', async () => {
    await workbench.runCommand('netreach: Show Reachability');
  });
});
