// The workspaces the netreach tests open: a fresh copy of test/e2e/fixtures/workspace with
// the repo's `examples/` copied into it as `examples/` (E2E_WORKSPACE), and the same for
// the restricted-mode tests with workspace settings a trusted workspace would apply
// (E2E_UNTRUSTED_WORKSPACE). Recreated on every run, so edits a test makes (quick fixes,
// snippets) never leak into the next run or into the repo.
import fs from 'node:fs';
import path from 'node:path';
import { log } from './log';
import { E2E_UNTRUSTED_WORKSPACE, E2E_WORKSPACE, EXAMPLES_DIR, FIXTURE_WORKSPACE, REPO_ROOT } from './paths';

/**
 * Workspace settings of the untrusted copy. VS Code ignores the restricted ones
 * (package.json capabilities.untrustedWorkspaces.restrictedConfigurations) until the
 * workspace is trusted; test/e2e/suite/untrusted/ checks that.
 */
export const UNTRUSTED_SETTINGS = {
  'netreach.cluster.kubeconfig': '/untrusted/kubeconfig',
  'netreach.cluster.context': 'untrusted-context',
  'netreach.probe.image': 'untrusted.example/agnhost:evil',
  'netreach.cluster.enabled': true,
};

export function prepareWorkspace(target = E2E_WORKSPACE, settings?: Record<string, unknown>): string {
  fs.rmSync(target, { recursive: true, force: true });
  fs.cpSync(FIXTURE_WORKSPACE, target, { recursive: true });
  fs.cpSync(EXAMPLES_DIR, path.join(target, 'examples'), { recursive: true });
  if (settings) {
    fs.mkdirSync(path.join(target, '.vscode'), { recursive: true });
    fs.writeFileSync(path.join(target, '.vscode', 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
  }
  const files = fs.readdirSync(target, { recursive: true, encoding: 'utf8' }).filter((name) => /\.ya?ml$/.test(name));
  log(`workspace ${path.relative(REPO_ROOT, target)}/: fixtures + examples/ (${files.length} YAML files)`);
  return target;
}

/** Both workspaces. */
export function prepareWorkspaces(): void {
  prepareWorkspace(E2E_WORKSPACE);
  prepareWorkspace(E2E_UNTRUSTED_WORKSPACE, UNTRUSTED_SETTINGS);
}
