// Bundles the extension client, the language server and the CLI with esbuild.
// Type checking is separate (`npm run typecheck`).
import { readFileSync } from 'node:fs';
import { build, context } from 'esbuild';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // `vscode` is provided by the extension host.
  external: ['vscode'],
  // Prefer ES module builds: some dependencies' UMD builds hide requires from the bundler.
  mainFields: ['module', 'main'],
  define: { NETREACH_VERSION: JSON.stringify(version) },
};

const bundles = [
  { entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js' },
  { entryPoints: ['server/src/lsp/main.ts'], outfile: 'dist/server.js' },
  { entryPoints: ['server/src/cli/main.ts'], outfile: 'dist/cli.js' },
  // Loaded by the extension only when "Test Reachability in Cluster" runs (client-node is large).
  { entryPoints: ['server/src/probe/index.ts'], outfile: 'dist/probe.js' },
];

if (watch) {
  for (const bundle of bundles) await (await context({ ...common, ...bundle })).watch();
} else {
  await Promise.all(bundles.map((bundle) => build({ ...common, ...bundle })));
}
