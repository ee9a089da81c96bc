// Runs an extension-host suite (a compiled index exporting run()) in a code-server window.
//
// The workbench, started with enable-smoke-test-driver, calls window.codeAutomationExit(0|1)
// when run() settles; we expose that function before loading the page. The suite writes
// its mocha output to the file named by NETREACH_E2E_RESULTS (passed through
// extensionEnvironment), which we print afterwards.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { type WorkbenchTarget, workbenchUrl } from './browser';
import type { CodeServer } from './code-server';
import { log, seconds } from './log';
import { RESULTS_DIR } from './paths';

export interface SuiteRun {
  /** Names the artifacts: test-results/e2e/<name>.{mocha.txt,console.log,timeout.png} */
  name: string;
  folder: string;
  extensionDevelopmentPath: string;
  extensionTestsPath: string;
  /** Extra environment for the extension host (NETREACH_E2E_RESULTS is added). */
  env?: Record<string, string>;
  /** How long the whole suite may take before we give up (default 5 min). */
  timeoutMs?: number;
  /** Run in a code-server of its own with workspace trust on (restricted mode). */
  workspaceTrust?: boolean;
}

export interface SuiteResult {
  name: string;
  passed: boolean;
  exitCode: number | 'timeout';
  /** The mocha output (or what the suite wrote to its results file). */
  output: string;
  resultsFile: string;
  durationMs: number;
}

export async function runExtensionHostSuite(server: CodeServer, browser: Browser, run: SuiteRun): Promise<SuiteResult> {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const resultsFile = path.join(RESULTS_DIR, `${run.name}.mocha.txt`);
  const consoleFile = path.join(RESULTS_DIR, `${run.name}.console.log`);
  fs.rmSync(resultsFile, { force: true });
  const started = Date.now();
  const timeoutMs = run.timeoutMs ?? Number(process.env.NETREACH_E2E_SUITE_TIMEOUT ?? 300_000);

  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const consoleLines: string[] = [];
  page.on('console', (message) => consoleLines.push(`[${message.type()}] ${message.text()}`));
  page.on('pageerror', (error) => consoleLines.push(`[pageerror] ${error.message}`));

  let exitCode: number | 'timeout';
  try {
    const exited = new Promise<number>((resolve) => {
      void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code));
    });
    const target: WorkbenchTarget = {
      folder: run.folder,
      extensionDevelopmentPath: run.extensionDevelopmentPath,
      extensionTestsPath: run.extensionTestsPath,
      extensionEnvironment: { ...run.env, NETREACH_E2E_RESULTS: resultsFile },
    };
    log(`suite ${run.name}: running in code-server (folder ${path.basename(run.folder)})`);
    await page.goto(workbenchUrl(server, target));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    exitCode = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    if (exitCode === 'timeout') {
      const shot = path.join(RESULTS_DIR, `${run.name}.timeout.png`);
      await page.screenshot({ path: shot }).catch(() => undefined);
      log(
        `suite ${run.name}: the workbench did not report an exit code within ${timeoutMs / 1000} s; screenshot ${shot}`,
      );
      log(`last browser console lines:\n${consoleLines.slice(-25).join('\n')}`);
    }
  } finally {
    fs.writeFileSync(consoleFile, `${consoleLines.join('\n')}\n`);
    await context.close().catch(() => undefined);
  }

  const output = fs.existsSync(resultsFile)
    ? fs.readFileSync(resultsFile, 'utf8')
    : `(the suite wrote no results file ${resultsFile}; did run() start? browser console: ${consoleFile})\n` +
      consoleLines
        .filter((line) => /error|fail/i.test(line))
        .slice(-15)
        .join('\n');
  return { name: run.name, passed: exitCode === 0, exitCode, output, resultsFile, durationMs: Date.now() - started };
}

export function printSuiteResult(result: SuiteResult): void {
  log(
    `suite ${result.name}: ${result.passed ? 'PASSED' : 'FAILED'} (exit ${result.exitCode}, ${seconds(Date.now() - result.durationMs)})`,
  );
  const output = result.output.replace(/^\s*\n/, '').trimEnd();
  process.stdout.write(`${output.replace(/^/gm, '  ')}\n`);
}
