// The workspace the netreach tests open (E2E_WORKSPACE): a fresh copy of
// test/e2e/fixtures/workspace with the repo's `examples/` copied into it as `examples/`.
// Recreated on every run, so edits a test makes (quick fixes, snippets) never leak into
// the next run or into the repo.
import fs from 'node:fs';
import path from 'node:path';
import { log } from './log';
import { E2E_WORKSPACE, EXAMPLES_DIR, FIXTURE_WORKSPACE, REPO_ROOT } from './paths';

export function prepareWorkspace(target = E2E_WORKSPACE): string {
  fs.rmSync(target, { recursive: true, force: true });
  fs.cpSync(FIXTURE_WORKSPACE, target, { recursive: true });
  fs.cpSync(EXAMPLES_DIR, path.join(target, 'examples'), { recursive: true });
  const files = fs.readdirSync(target, { recursive: true, encoding: 'utf8' }).filter((name) => /\.ya?ml$/.test(name));
  log(`workspace ${path.relative(REPO_ROOT, target)}/: fixtures + examples/ (${files.length} YAML files)`);
  return target;
}
