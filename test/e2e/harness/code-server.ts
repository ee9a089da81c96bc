// Starting and stopping code-server for one test run.
//
// Every start gets a fresh user-data-dir and extensions-dir (otherwise "recently used"
// reorders the command palette and state leaks between runs) and an empty --config (else
// code-server writes ~/.config/code-server/config.yaml). `enable-smoke-test-driver` is
// what makes the workbench call `window.codeAutomationExit` when extension tests finish.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { onCleanup } from './cleanup';
import type { CodeServerInstall } from './install-code-server';
import { node24Env } from './node24';
import { HarnessError, log, seconds } from './log';
import { NODE24, RESULTS_DIR } from './paths';

export interface CodeServer {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  pid: number;
  userDataDir: string;
  extensionsDir: string;
  logFile: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Names the log file: test-results/e2e/code-server-<label>.log */
  label?: string;
  /** Use this extensions dir (e.g. one a .vsix was installed into) instead of an empty one. */
  extensionsDir?: string;
  /** Extra user settings, on top of the quiet defaults. */
  settings?: Record<string, unknown>;
  /**
   * Keep workspace trust on (default off: --disable-workspace-trust). Folders then open in
   * restricted mode, without the trust prompt.
   */
  workspaceTrust?: boolean;
}

/** User settings that keep the workbench quiet and deterministic offline. */
export const DEFAULT_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'chat.disableAIFeatures': true,
  'workbench.tips.enabled': false,
  // As on the desktop. The web default (afterDelay) would save the edits tests make, and a
  // revert afterwards would then restore nothing.
  'files.autoSave': 'off',
  // The secondary side bar (chat) would otherwise open empty and take a third of the width.
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

/** With workspace trust on: no modal prompt; a folder never trusted opens in restricted mode. */
const TRUST_SETTINGS: Record<string, unknown> = {
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.untrustedFiles': 'open',
};

const HEALTH_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

export async function startCodeServer(install: CodeServerInstall, options: StartOptions = {}): Promise<CodeServer> {
  const label = options.label ?? 'main';
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `netreach-e2e-${label}-`));
  const userDataDir = path.join(workDir, 'user-data');
  const extensionsDir = options.extensionsDir ?? path.join(workDir, 'extensions');
  const configFile = path.join(workDir, 'config.yaml');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.writeFileSync(configFile, '');
  // Settings go in before the start, so the first window already sees them.
  fs.writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify(
      { ...DEFAULT_SETTINGS, ...(options.workspaceTrust ? TRUST_SETTINGS : {}), ...options.settings },
      null,
      2,
    ),
  );

  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const logFile = path.join(RESULTS_DIR, `code-server-${label}.log`);
  const port = await freePort();
  const flagValues: [string, string][] = [
    ['--config', configFile],
    ['--user-data-dir', userDataDir],
    ['--extensions-dir', extensionsDir],
    ['--auth', 'none'],
    ['--bind-addr', `127.0.0.1:${port}`],
    // Closed browser windows must not leave extension hosts running for hours.
    ['--reconnection-grace-time', '5'],
    // Makes the workbench call window.codeAutomationExit when extension tests finish.
    ['--vscode-option', 'enable-smoke-test-driver'],
  ];
  const flags = ['--disable-telemetry', '--disable-update-check'];
  if (!options.workspaceTrust) flags.push('--disable-workspace-trust');
  const args = [install.entry, ...flagValues.flat(), ...flags];
  const out = fs.openSync(logFile, 'w');
  const started = Date.now();
  const child = spawn(NODE24, args, { env: node24Env(), stdio: ['ignore', out, out] });
  fs.closeSync(out);
  if (child.pid === undefined) throw new HarnessError(`could not start ${NODE24} ${install.entry}`);
  const pid = child.pid;
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );

  // Killing code-server by its PID stops its children (extension hosts, language servers).
  const stop = onCleanup(
    `code-server (pid ${pid})`,
    async () => {
      if (exited) return;
      child.kill('SIGTERM');
      const timedOut = await Promise.race([exitedPromise.then(() => false), delay(STOP_TIMEOUT_MS).then(() => true)]);
      if (timedOut) {
        log(`code-server (pid ${pid}) did not stop within ${STOP_TIMEOUT_MS / 1000} s of SIGTERM; sending SIGKILL`);
        child.kill('SIGKILL');
        await exitedPromise;
      }
      if (!process.env.NETREACH_E2E_KEEP) fs.rmSync(workDir, { recursive: true, force: true });
    },
    () => {
      if (!exited) child.kill('SIGTERM');
    },
  );

  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(url, () => exited);
  } catch (error) {
    await stop();
    throw new HarnessError(`${(error as Error).message}\n--- last lines of ${logFile} ---\n${tail(logFile, 30)}`, {
      cause: error,
    });
  }
  log(
    `code-server ${label}: ${url} (pid ${pid}) healthy after ${seconds(started)}; log: ${path.relative(process.cwd(), logFile)}`,
  );
  return { url, port, pid, userDataDir, extensionsDir, logFile, stop };
}

/**
 * `code-server --install-extension <vsix>` into `extensionsDir`. Returns the output; throws
 * with the output when it fails.
 */
export function installExtension(install: CodeServerInstall, vsixPath: string, extensionsDir: string): string {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'netreach-e2e-install-'));
  try {
    const result = spawnSync(
      NODE24,
      [
        install.entry,
        '--user-data-dir',
        userDataDir,
        '--extensions-dir',
        extensionsDir,
        '--install-extension',
        vsixPath,
      ],
      {
        env: node24Env(),
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
    if (result.status !== 0) {
      throw new HarnessError(
        `code-server --install-extension ${vsixPath} failed (exit ${result.status ?? result.signal}):\n${output}`,
      );
    }
    return output;
  } finally {
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForHealth(url: string, hasExited: () => boolean): Promise<void> {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  let lastProblem = 'no answer yet';
  while (Date.now() < deadline) {
    if (hasExited()) throw new Error(`code-server exited before answering ${url}/healthz`);
    try {
      const status = await httpStatus(`${url}/healthz`);
      if (status === 200) return;
      lastProblem = `HTTP ${status}`;
    } catch (error) {
      lastProblem = (error as Error).message;
    }
    await delay(200);
  }
  throw new Error(
    `code-server did not answer ${url}/healthz within ${HEALTH_TIMEOUT_MS / 1000} s (last: ${lastProblem})`,
  );
}

function httpStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { timeout: 2000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', reject);
  });
}

export function tail(file: string, lines: number): string {
  if (!fs.existsSync(file)) return '(missing)';
  return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
