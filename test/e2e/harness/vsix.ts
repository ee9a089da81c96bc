// Checks a packaged .vsix the way a user gets it: `code-server --install-extension` into a
// fresh extensions dir, a code-server on that dir, a YAML file opened, the extension active.
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
import { E2E_WORKSPACE, EXTENSION_ID, OUT_DIR } from './paths';

export interface VsixCheckOptions {
  /** Defaults to netreach.netreach. */
  extensionId?: string;
  /** A folder with at least one YAML file; defaults to the e2e workspace (prepareWorkspace()). */
  folder?: string;
  /** Reuse a browser; otherwise one is launched and closed. */
  browser?: Browser;
}

/** Requires compileSuites() to have run (it builds the probe into out/e2e/vsix-probe). */
export async function checkVsixActivates(
  install: CodeServerInstall,
  vsixPath: string,
  options: VsixCheckOptions = {},
): Promise<SuiteResult> {
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
    const server = await startCodeServer(install, { label: 'vsix', extensionsDir });
    const browser = options.browser ?? (await launchChromium());
    try {
      return await runExtensionHostSuite(server, browser, {
        name: 'vsix',
        folder: options.folder ?? E2E_WORKSPACE,
        extensionDevelopmentPath: probe,
        extensionTestsPath: path.join(probe, 'index.js'),
        env: { NETREACH_E2E_EXTENSION_ID: extensionId, NETREACH_E2E_EXTENSIONS_DIR: extensionsDir },
        timeoutMs: 120_000,
      });
    } finally {
      if (!options.browser) await browser.close();
      await server.stop();
    }
  } finally {
    fs.rmSync(extensionsDir, { recursive: true, force: true });
  }
}
