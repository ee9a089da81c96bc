'use strict';
// Shared launcher for bin/netreach and bin/netreach-language-server.
const { spawn } = require('node:child_process');
const { existsSync } = require('node:fs');
const path = require('node:path');

const MINIMUM = [22, 19];

function isRecentEnough(version) {
  const [major, minor] = version.split('.').map(Number);
  return major > MINIMUM[0] || (major === MINIMUM[0] && minor >= MINIMUM[1]);
}

function launch(bundle) {
  const root = path.join(__dirname, '..');
  const entry = path.join(root, 'dist', bundle);
  if (!existsSync(entry)) {
    process.stderr.write(`netreach: ${entry} is missing; run "npm install" (or "npm run build") first.\n`);
    process.exit(2);
  }
  const projectNode = path.join(root, 'node_modules', 'node', 'bin', 'node');
  if (!isRecentEnough(process.versions.node) && existsSync(projectNode) && !process.env.NETREACH_NO_REEXEC) {
    const child = spawn(projectNode, [entry, ...process.argv.slice(2)], {
      stdio: 'inherit',
      env: { ...process.env, NETREACH_NO_REEXEC: '1' },
    });
    // Ctrl-C reaches the child through the terminal's process group; it cleans up and
    // exits, and we exit with its status instead of dying first.
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
      process.on(signal, () => child.kill(signal));
    }
    child.on('error', (error) => {
      process.stderr.write(`netreach: could not start ${projectNode}: ${error.message}\n`);
      process.exit(2);
    });
    child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' ? 130 : 1)));
    return;
  }
  // The engine itself runs on older Node; commands that need more say so themselves.
  const loaded = require(entry);
  if (typeof loaded.run === 'function') loaded.run();
}

module.exports = { launch, isRecentEnough };
