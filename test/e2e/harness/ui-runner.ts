// Runs the UI tests (test/e2e/ui/**/*.test.ts) with mocha in this process. They reach
// code-server through NETREACH_E2E_SERVER_URL (see ui.ts openWorkbench()).
import fs from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';
import type { CodeServer } from './code-server';
import { REPO_ROOT } from './paths';

const UI_DIR = path.join(REPO_ROOT, 'test', 'e2e', 'ui');

export interface UiRunResult {
  passes: number;
  failures: number;
  pending: number;
}

export async function runUiTests(server: CodeServer): Promise<UiRunResult> {
  process.env.NETREACH_E2E_SERVER_URL = server.url;
  const mocha = new Mocha({
    ui: 'bdd',
    reporter: 'spec',
    // A workbench load plus a language server start can take a while on 2 cores; the
    // helpers' own waits (15 s each) fail first, with a better message.
    timeout: Number(process.env.NETREACH_E2E_TEST_TIMEOUT ?? 120_000),
  });
  if (process.env.NETREACH_E2E_GREP) mocha.grep(process.env.NETREACH_E2E_GREP);
  const files = fs.existsSync(UI_DIR)
    ? fs
        .readdirSync(UI_DIR, { recursive: true, encoding: 'utf8' })
        .filter((name) => name.endsWith('.test.ts'))
        .sort()
        .map((name) => path.join(UI_DIR, name))
    : [];
  for (const file of files) mocha.addFile(file);
  await mocha.loadFilesAsync();
  return new Promise((resolve) => {
    const runner = mocha.run(() => {
      const stats = runner.stats ?? { passes: 0, failures: 0, pending: 0 };
      resolve({ passes: stats.passes, failures: stats.failures, pending: stats.pending });
    });
  });
}
