// Entry point of the extension-host suites: the `run()` that VS Code calls inside the
// extension host, in the shape @vscode/test-electron expects (resolve = pass, reject =
// fail). The same compiled file runs under code-server (`npm run test:e2e`) and under
// @vscode/test-electron (`npm run test:electron`).
//
// It runs every compiled `*.test.js` next to it (out/e2e/suite/**), except those in a
// subfolder: `untrusted/*.test.js` form the suite NETREACH_E2E_SUITE=untrusted, which the
// harness runs in a restricted-mode window. Mocha is bundled in by esbuild, so nothing
// depends on how the host resolves packages.
import fs from 'node:fs';
import path from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const output = openOutput(process.env.NETREACH_E2E_RESULTS);
  const mocha = new Mocha({
    ui: 'bdd',
    reporter: 'spec',
    color: false,
    timeout: Number(process.env.NETREACH_E2E_TEST_TIMEOUT ?? 30_000),
  });
  if (process.env.NETREACH_E2E_GREP) mocha.grep(process.env.NETREACH_E2E_GREP);
  for (const file of findTests(__dirname, process.env.NETREACH_E2E_SUITE)) mocha.addFile(file);

  return new Promise<void>((resolve, reject) => {
    try {
      mocha.run((failures) => {
        output.close();
        if (failures > 0) reject(new Error(`${failures} extension-host test(s) failed`));
        else resolve();
      });
    } catch (error) {
      // A test file that throws while loading lands here.
      output.write(`error loading the suites: ${(error as Error).stack ?? String(error)}`);
      output.close();
      reject(error);
    }
  });
}

/**
 * `*.test.js` directly in `dir`, or in its subfolder `suite` when one is named; sorted so
 * the order does not depend on the file system.
 */
function findTests(dir: string, suite?: string): string[] {
  const root = suite ? path.join(dir, suite) : dir;
  return fs
    .readdirSync(root, { encoding: 'utf8' })
    .filter((name) => name.endsWith('.test.js'))
    .sort()
    .map((name) => path.join(root, name));
}

/**
 * Mocha's reporters print through `Base.consoleLog`. Inside code-server, console output
 * only reaches the browser console, one message per line and out of order with other
 * noise; a file named by NETREACH_E2E_RESULTS is what the harness prints afterwards.
 * Output still goes to the console too (that is all @vscode/test-electron shows).
 */
function openOutput(file: string | undefined): { write(text: string): void; close(): void } {
  if (!file) return { write: (text) => console.log(text), close: () => undefined };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'w');
  const base = Mocha.reporters.Base as unknown as { consoleLog: (...args: unknown[]) => void };
  const original = base.consoleLog;
  const write = (text: string): void => {
    fs.writeSync(fd, `${text}\n`);
  };
  base.consoleLog = (...args: unknown[]) => {
    // Same `%s`/`%d` substitution as console.log: mocha passes format strings.
    write(format(...args));
    original(...args);
  };
  let closed = false;
  return {
    write: (text) => {
      write(text);
      console.log(text);
    },
    close: () => {
      if (closed) return;
      closed = true;
      base.consoleLog = original;
      fs.closeSync(fd);
    },
  };
}
