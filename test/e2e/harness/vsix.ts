// Checks a packaged .vsix the way a user gets it: `code-server --install-extension` into a
// fresh extensions dir, a code-server on that dir, a YAML file opened, the extension active
// and its language server reporting a known diagnostic. Before that, from the harness: the
// unpacked files are only what the extension needs, and its server works without
// node_modules (package-check.ts).
//
// The check runs inside the extension host: a tiny test-only development extension
// (./vsix-probe) carries the extensionTestsPath, so the extension under test is the
// installed copy and not the repo folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from './browser';
import { installExtension, startCodeServer } from './code-server';
import { type SuiteResult, runExtensionHostSuite } from './extension-host';
import type { CodeServerInstall } from './install-code-server';
import { HarnessError, log } from './log';
import { type CheckResult, checkPackagedFiles, checkPackagedServer } from './package-check';
import { E2E_WORKSPACE, EXTENSION_ID, OUT_DIR } from './paths';

export interface VsixCheckOptions {
  /** Defaults to netreach.netreach. */
  extensionId?: string;
  /** A folder with at least one YAML file; defaults to the e2e workspace (prepareWorkspace()). */
  folder?: string;
  /** Reuse a browser; otherwise one is launched and closed. */
  browser?: Browser;
  /**
   * A file of the folder to open and a diagnostic code the installed extension's language
   * server must report for it (default: examples/common-mistakes/egress-ignored.yaml, NR020;
   * null: only check activation).
   */
  expect?: { file: string; code: string } | null;
}

export interface VsixResult extends SuiteResult {
  /** Checks of the unpacked package from the harness: its files, its server on its own. */
  checks: { name: string; result: CheckResult }[];
}

/** Requires compileSuites() to have run (it builds the probe into out/e2e/vsix-probe). */
export async function checkVsixActivates(
  install: CodeServerInstall,
  vsixPath: string,
  options: VsixCheckOptions = {},
): Promise<VsixResult> {
  const absoluteVsix = path.resolve(vsixPath);
  if (!fs.existsSync(absoluteVsix))
    throw new HarnessError(`no .vsix at ${absoluteVsix} (build one with "npm run package")`);
  const probe = path.join(OUT_DIR, 'vsix-probe');
  if (!fs.existsSync(path.join(probe, 'index.js')))
    throw new HarnessError(`${probe}/index.js is missing; run compileSuites() first`);
  const extensionId = options.extensionId ?? EXTENSION_ID;

  const extensionsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'netreach-e2e-vsix-extensions-'));
  try {
    log(`vsix: installing ${path.basename(absoluteVsix)} into a fresh extensions dir`);
    installExtension(install, absoluteVsix, extensionsDir);
    const unpacked = fs
      .readdirSync(extensionsDir)
      .filter((name) => name.toLowerCase().startsWith(`${extensionId.toLowerCase()}-`))
      .map((name) => path.join(extensionsDir, name));
    if (unpacked.length !== 1)
      throw new HarnessError(`expected one ${extensionId}-* folder in ${extensionsDir}, found ${unpacked.length}`);
    const folder = options.folder ?? E2E_WORKSPACE;
    const checks = [
      { name: 'package contents', result: checkPackagedFiles(unpacked[0]!) },
      { name: 'packaged language server on its own', result: await checkPackagedServer(unpacked[0]!, folder) },
    ];
    const expect =
      options.expect === undefined
        ? { file: 'examples/common-mistakes/egress-ignored.yaml', code: 'NR020' }
        : options.expect;
    const server = await startCodeServer(install, { label: 'vsix', extensionsDir });
    const browser = options.browser ?? (await launchChromium());
    try {
      const result = await runExtensionHostSuite(server, browser, {
        name: 'vsix',
        folder,
        extensionDevelopmentPath: probe,
        extensionTestsPath: path.join(probe, 'index.js'),
        env: {
          NETREACH_E2E_EXTENSION_ID: extensionId,
          NETREACH_E2E_EXTENSIONS_DIR: extensionsDir,
          ...(expect ? { NETREACH_E2E_EXPECT_FILE: expect.file, NETREACH_E2E_EXPECT_CODE: expect.code } : {}),
        },
        timeoutMs: 120_000,
      });
      return { ...result, checks };
    } finally {
      if (!options.browser) await browser.close();
      await server.stop();
    }
  } finally {
    fs.rmSync(extensionsDir, { recursive: true, force: true });
  }
}
