/** Running the built CLI (`bin/netreach`, which starts `dist/cli.js`) from the tests. */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.join(__dirname, '..', '..');
export const BIN = path.join(ROOT, 'bin', 'netreach');
const BUNDLE = path.join(ROOT, 'dist', 'cli.js');
/** The sources the CLI bundle is built from. */
const SOURCES = ['server/src/cli', 'server/src/engine', 'server/src/cluster'].map((p) => path.join(ROOT, p));

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command from the project root and collects its output (never throws on exit codes). */
export function run(
  file: string,
  args: readonly string[],
  options: { timeout?: number; input?: string } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      [...args],
      { cwd: ROOT, timeout: options.timeout ?? 60_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(error);
        else resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

export function netreach(...args: string[]): Promise<Run> {
  return run(BIN, args);
}

function newestSource(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

let warned = false;

/**
 * Fails with a clear message when dist/cli.js is missing. When it is older than its sources
 * (`npm test` builds first; a plain mocha run may not), says so once: the tests then check
 * the old bundle.
 */
export function requireBundle(): void {
  const hint =
    'run "npm run build" (or: node_modules/.bin/esbuild server/src/cli/main.ts --bundle --platform=node --target=node20 --format=cjs --outfile=dist/cli.js)';
  assert.ok(existsSync(BUNDLE), `dist/cli.js is missing: ${hint}`);
  const sources = Math.max(...SOURCES.map(newestSource));
  if (statSync(BUNDLE).mtimeMs < sources && !warned) {
    warned = true;
    console.warn(`    note: dist/cli.js is older than server/src, so these tests run the old build; ${hint}`);
  }
}
/** A stack trace or an internal error in the output means the CLI did not handle bad input. */
export function assertNoStackTrace(result: Run): void {
  for (const text of [result.stdout, result.stderr]) {
    assert.doesNotMatch(text, /^\s+at .+(\(|:\d+:\d+)/m, `a stack trace:\n${text}`);
    assert.doesNotMatch(
      text,
      /internal error|TypeError|ReferenceError|Cannot read propert/i,
      `an internal error:\n${text}`,
    );
  }
}
