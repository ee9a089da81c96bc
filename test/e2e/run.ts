// `npm run test:e2e`: the extension in a real VS Code (code-server + Debian Chromium),
// offline. Steps: build the extension, compile the extension-host suites, install or
// reuse code-server, run the extension-host suites, then the UI tests, then (when
// NETREACH_E2E_VSIX names one) check a packaged .vsix; print a summary; exit 1 on failure.
// See test/e2e/README.md for the environment variables.
import fs from 'node:fs';
import path from 'node:path';
import { launchChromium } from './harness/browser';
import { buildExtension, compileSuites, packageExtension } from './harness/build';
import { cleanupAll } from './harness/cleanup';
import { startCodeServer } from './harness/code-server';
import { type SuiteRun, printSuiteResult, runExtensionHostSuite } from './harness/extension-host';
import { ensureCodeServer } from './harness/install-code-server';
import { HarnessError, log, seconds } from './harness/log';
import { E2E_UNTRUSTED_WORKSPACE, E2E_WORKSPACE, REPO_ROOT, RESULTS_DIR, SUITE_INDEX } from './harness/paths';
import { runUiTests } from './harness/ui-runner';
import { checkVsixActivates } from './harness/vsix';
import { publishReadmeImages } from './harness/readme-images';
import { prepareWorkspaces } from './harness/workspace';

/** Extension-host suites: each is one workbench window running every compiled suite test. */
const EXTENSION_HOST_SUITES: SuiteRun[] = [
  {
    name: 'extension-host',
    // test/e2e/fixtures/workspace + a copy of examples/ (prepareWorkspace)
    folder: E2E_WORKSPACE,
    extensionDevelopmentPath: REPO_ROOT,
    extensionTestsPath: SUITE_INDEX,
  },
  {
    // test/e2e/suite/untrusted/: a restricted-mode window (workspace trust on, never granted)
    name: 'untrusted',
    folder: E2E_UNTRUSTED_WORKSPACE,
    extensionDevelopmentPath: REPO_ROOT,
    extensionTestsPath: SUITE_INDEX,
    env: { NETREACH_E2E_SUITE: 'untrusted' },
    workspaceTrust: true,
  },
];

interface Outcome {
  step: string;
  passed: boolean;
  detail: string;
}

async function main(): Promise<number> {
  const started = Date.now();
  // `npm run screenshots` (--screenshots): the UI tests only, then their README images to docs/images/.
  const screenshots = process.argv.includes('--screenshots');
  const only = screenshots ? 'ui' : process.env.NETREACH_E2E_ONLY; // 'host' | 'ui' | 'vsix' | undefined (all)
  const outcomes: Outcome[] = [];
  // Artifacts of this run only: stale screenshots from an earlier run mislead.
  fs.rmSync(RESULTS_DIR, { recursive: true, force: true });

  if (!process.env.NETREACH_E2E_SKIP_BUILD) buildExtension();
  await compileSuites();
  prepareWorkspaces();
  const install = await ensureCodeServer();
  const runHost = !only || only === 'host';
  const runUi = !only || only === 'ui';

  if (runHost || runUi) {
    // One code-server for both kinds; every suite and UI test file gets its own window.
    const server = await startCodeServer(install, { label: 'main' });
    if (runHost) {
      const browser = await launchChromium();
      for (const suite of EXTENSION_HOST_SUITES) {
        const own = suite.workspaceTrust
          ? await startCodeServer(install, { label: suite.name, workspaceTrust: true })
          : undefined;
        const result = await runExtensionHostSuite(own ?? server, browser, suite).finally(() => own?.stop());
        printSuiteResult(result);
        outcomes.push({
          step: `extension-host suite "${suite.name}"`,
          passed: result.passed,
          detail: `exit ${result.exitCode}, ${(result.durationMs / 1000).toFixed(1)} s`,
        });
      }
      await browser.close();
    }
    if (runUi) {
      log('UI tests:');
      const stepStarted = Date.now();
      const ui = await runUiTests(server);
      const passed = ui.failures === 0 && ui.passes > 0;
      outcomes.push({
        step: 'UI tests',
        passed,
        detail: `${ui.passes} passed, ${ui.failures} failed, ${ui.pending} pending, ${seconds(stepStarted)}`,
      });
      if (screenshots) outcomes.push(publishImages(passed));
    }
    await server.stop();
  }

  if (!only || only === 'vsix') outcomes.push(...(await checkPackage(install)));

  log('summary:');
  for (const outcome of outcomes) log(`  ${outcome.passed ? 'PASS' : 'FAIL'}  ${outcome.step} (${outcome.detail})`);
  log(`  artifacts: ${path.relative(process.cwd(), RESULTS_DIR) || RESULTS_DIR}/`);
  const failed = outcomes.length === 0 || outcomes.some((outcome) => !outcome.passed);
  log(`${failed ? 'FAILED' : 'passed'} in ${seconds(started)}`);
  return failed ? 1 : 0;
}

/**
 * The .vsix (NETREACH_E2E_VSIX, or `npm run package` now): its contents, its language
 * server on its own, and the installed extension in code-server.
 */
async function checkPackage(install: Awaited<ReturnType<typeof ensureCodeServer>>): Promise<Outcome[]> {
  let vsix = process.env.NETREACH_E2E_VSIX;
  if (!vsix) {
    try {
      vsix = packageExtension();
    } catch (error) {
      return [{ step: 'npm run package', passed: false, detail: (error as Error).message }];
    } finally {
      // The package build is minified without source maps; put the development build back.
      if (!process.env.NETREACH_E2E_SKIP_BUILD) buildExtension();
    }
  }
  const result = await checkVsixActivates(install, vsix);
  const outcomes: Outcome[] = [];
  for (const check of result.checks) {
    log(`vsix: ${check.name}: ${check.result.passed ? 'ok' : 'FAILED'}`);
    process.stdout.write(`${check.result.report.join('\n').replace(/^/gm, '  ')}\n`);
    outcomes.push({ step: `${path.basename(vsix)}: ${check.name}`, passed: check.result.passed, detail: 'see above' });
  }
  printSuiteResult(result);
  const size = `${(fs.statSync(vsix).size / 1024 / 1024).toFixed(2)} MB`;
  outcomes.push({
    step: `${path.basename(vsix)} installed in code-server: activates, its server reports NR020`,
    passed: result.passed,
    detail: `exit ${result.exitCode}, ${size}`,
  });
  return outcomes;
}

/** After the UI tests of `npm run screenshots`: their README images to docs/images/, if they all passed. */
function publishImages(uiPassed: boolean): Outcome {
  const step = 'README images to docs/images/';
  if (!uiPassed) return { step, passed: false, detail: 'UI tests failed, docs/images/ left as it was' };
  try {
    return { step, passed: true, detail: publishReadmeImages().join(', ') };
  } catch (error) {
    return { step, passed: false, detail: (error as Error).message };
  }
}

main()
  .catch((error: Error) => {
    // A HarnessError's message says it all; anything else is a harness bug: show the stack.
    process.stderr.write(`[e2e] ${error instanceof HarnessError ? error.message : (error.stack ?? error.message)}\n`);
    return 1;
  })
  .then(async (code) => {
    await cleanupAll(); // code-server and browsers, whatever happened above
    process.exit(code);
  });
