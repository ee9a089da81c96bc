// Headless Debian Chromium driven by playwright-core (no playwright browser download),
// and the workbench URL that opens a folder with our extension in development mode.
import fs from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { onCleanup } from './cleanup';
import type { CodeServer } from './code-server';
import { HarnessError } from './log';
import { CHROMIUM } from './paths';

// Quiet on a closed network: no QUIC, sync, component updates or background requests.
// Playwright itself adds --headless and a fresh temporary --user-data-dir (it refuses a
// --user-data-dir in `args`), so every launch starts from an empty profile.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new HarnessError(
      `${CHROMIUM} not found; install it with "apt-get install -y chromium" (or set NETREACH_E2E_CHROMIUM)`,
    );
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const close = onCleanup(
    'chromium',
    () => browser.close().catch(() => undefined),
    () => undefined, // playwright kills the browser itself when this process exits
  );
  browser.once('disconnected', () => void close());
  return browser;
}

export interface WorkbenchTarget {
  /** Absolute path of the folder to open. */
  folder: string;
  /** Absolute path of an extension folder to load without packaging (its package.json). */
  extensionDevelopmentPath?: string;
  /** Absolute path of a compiled test index exporting run(). */
  extensionTestsPath?: string;
  /** Environment variables for the extension host. */
  extensionEnvironment?: Record<string, string>;
}

/**
 * http://127.0.0.1:PORT/?folder=...&payload=... The payload is the workbench's list of
 * [name, value] pairs; paths on the code-server machine are vscode-remote:// URIs.
 */
export function workbenchUrl(server: CodeServer, target: WorkbenchTarget): string {
  const remote = (absolutePath: string): string => `vscode-remote://127.0.0.1:${server.port}${absolutePath}`;
  const payload: [string, string][] = [];
  if (target.extensionDevelopmentPath)
    payload.push(['extensionDevelopmentPath', remote(target.extensionDevelopmentPath)]);
  if (target.extensionTestsPath) payload.push(['extensionTestsPath', remote(target.extensionTestsPath)]);
  if (target.extensionEnvironment) payload.push(['extensionEnvironment', JSON.stringify(target.extensionEnvironment)]);
  const query = new URLSearchParams({ folder: target.folder });
  if (payload.length > 0) query.set('payload', JSON.stringify(payload));
  return `${server.url}/?${query.toString()}`;
}
