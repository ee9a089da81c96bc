// `npm run test:electron`: the same compiled extension-host suites (out/e2e/suite) run by
// @vscode/test-electron in a desktop VS Code that it downloads. For machines that can
// reach update.code.visualstudio.com; offline, use `npm run test:e2e` (code-server).
// Linux without a display needs a virtual one, e.g. `xvfb-run -a npm run test:electron`.
import path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { buildExtension, compileSuites } from './harness/build';
import { log } from './harness/log';
import { CACHE_ROOT, E2E_WORKSPACE, REPO_ROOT, RESULTS_DIR, SUITE_INDEX } from './harness/paths';
import { prepareWorkspace } from './harness/workspace';

async function main(): Promise<number> {
  if (!process.env.NETREACH_E2E_SKIP_BUILD) buildExtension();
  await compileSuites();
  prepareWorkspace();
  const resultsFile = path.join(RESULTS_DIR, 'electron.mocha.txt');
  try {
    const code = await runTests({
      // NETREACH_E2E_VSCODE_VERSION pins a version ("stable" by default, e.g. "1.105.0").
      version: process.env.NETREACH_E2E_VSCODE_VERSION ?? 'stable',
      // Downloads go next to code-server, outside the repo (not into ./.vscode-test).
      cachePath: path.join(CACHE_ROOT, 'vscode-test'),
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: SUITE_INDEX,
      extensionTestsEnv: { NETREACH_E2E_RESULTS: resultsFile },
      // Only our extension, a fresh profile, no trust prompt.
      launchArgs: [
        E2E_WORKSPACE,
        '--disable-extensions',
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
      ],
    });
    log(`test:electron: suites passed (mocha output also in ${path.relative(REPO_ROOT, resultsFile)})`);
    return code;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (looksLikeDownloadFailure(message)) {
      process.stderr.write(
        `[e2e] test:electron could not download VS Code (${message.split('\n')[0]}).\n` +
          '[e2e] This is expected on machines that reach only the npm registry and apt: @vscode/test-electron\n' +
          '[e2e] downloads VS Code from update.code.visualstudio.com at test time. Run the same suites offline\n' +
          '[e2e] with "npm run test:e2e" (code-server + Debian Chromium).\n',
      );
    } else {
      process.stderr.write(
        `[e2e] test:electron failed: ${message}\n[e2e] mocha output, if the suites ran: ${resultsFile}\n`,
      );
    }
    return 1;
  }
}

function looksLikeDownloadFailure(message: string): boolean {
  return /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|getaddrinfo|socket hang up|download|fetch failed|update\.code\.visualstudio\.com|status code 4\d\d|status code 5\d\d/i.test(
    message,
  );
}

main().then((code) => process.exit(code));
