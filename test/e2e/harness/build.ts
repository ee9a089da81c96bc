// Builds what the real-VS-Code runs load: the extension bundle (`npm run build` -> dist/)
// and the extension-host suites (esbuild -> out/e2e/, CommonJS, `vscode` external).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import { HarnessError, log, seconds } from './log';
import { OUT_DIR, REPO_ROOT } from './paths';

const SUITE_SRC = path.join(REPO_ROOT, 'test', 'e2e', 'suite');
const PROBE_SRC = path.join(REPO_ROOT, 'test', 'e2e', 'harness', 'vsix-probe');

/** `npm run build`; throws with npm's output when it fails. */
export function buildExtension(): void {
  const started = Date.now();
  const result = spawnSync('npm', ['run', 'build'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new HarnessError(
      `npm run build failed (exit ${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`,
    );
  }
  log(`npm run build: ok (${seconds(started)})`);
}

/**
 * `npm run package -- --out <file>`: the .vsix as users get it (vsce runs the production
 * build first: dist/ is minified and without source maps afterwards). Returns the path.
 */
export function packageExtension(out = path.join(OUT_DIR, 'netreach.vsix')): string {
  const started = Date.now();
  fs.rmSync(out, { force: true });
  const result = spawnSync('npm', ['run', 'package', '--', '--out', out], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (result.status !== 0 || !fs.existsSync(out)) {
    throw new HarnessError(
      `npm run package failed (exit ${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`,
    );
  }
  const size = (fs.statSync(out).size / 1024 / 1024).toFixed(2);
  log(`npm run package: ${path.relative(REPO_ROOT, out)}, ${size} MB (${seconds(started)})`);
  return out;
}

/**
 * Compiles test/e2e/suite/index.ts and every test/e2e/suite/**\/*.test.ts to
 * out/e2e/suite/ (same relative paths, .js), plus the .vsix probe. Each file is a
 * self-contained bundle: helpers and mocha are inlined, only `vscode` stays external
 * (the extension host provides it).
 */
export async function compileSuites(): Promise<void> {
  const started = Date.now();
  fs.rmSync(OUT_DIR, { recursive: true, force: true }); // deleted tests must not linger
  const tests = fs
    .readdirSync(SUITE_SRC, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.test.ts'))
    .map((name) => path.join(SUITE_SRC, name));
  const common: BuildOptions = {
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    external: ['vscode'],
    logLevel: 'warning',
    // Mocha's parallel mode (unused here) require.resolve()s its worker files.
    logOverride: { 'require-resolve-not-external': 'silent' },
  };
  await build({
    ...common,
    entryPoints: [path.join(SUITE_SRC, 'index.ts'), ...tests],
    outbase: SUITE_SRC,
    outdir: path.join(OUT_DIR, 'suite'),
  });
  await build({ ...common, entryPoints: [path.join(PROBE_SRC, 'index.ts')], outdir: path.join(OUT_DIR, 'vsix-probe') });
  fs.copyFileSync(path.join(PROBE_SRC, 'package.json'), path.join(OUT_DIR, 'vsix-probe', 'package.json'));
  log(
    `compiled ${tests.length} extension-host test file(s) to ${path.relative(REPO_ROOT, OUT_DIR)}/ (${seconds(started)})`,
  );
}
