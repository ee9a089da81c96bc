// The CLI on mutated manifests (seeded, reproducible; see test/lsp/mutate.ts): a folder of
// the corpus with some files mutated, given to `netreach connlist` and `netreach lint`
// (text, JSON and SARIF). The exit status is 0, 1 or 2, never a crash: no stack trace,
// no "TypeError", and it finishes (a generous budget per run catches a hang).
//
// NETREACH_FUZZ_SEED / NETREACH_FUZZ_CLI_CASES pick the runs; NETREACH_TEST_CLI runs
// another bundle (e.g. a private build) with the project's Node instead of bin/netreach.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from '../lsp/lspClient';
import { corpus, fuzzSeed, mutate, random, type CorpusFile } from '../lsp/mutate';

const BUDGET_MS = 120000;

function netreach(args: readonly string[]): {
  status: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
} {
  const custom = process.env.NETREACH_TEST_CLI;
  const [command, prefix] = custom
    ? [path.join(ROOT, 'node_modules', 'node', 'bin', 'node'), [custom]]
    : [path.join(ROOT, 'bin', 'netreach'), []];
  const result = spawnSync(command, [...prefix, ...args], {
    encoding: 'utf8',
    timeout: BUDGET_MS,
    maxBuffer: 64 * 1024 * 1024,
  });
  return {
    status: result.status,
    stdout: result.stdout ?? '',
    stderr: result.stderr ?? '',
    timedOut: result.error !== undefined && /ETIMEDOUT/.test(String(result.error)),
  };
}

const hasLint = netreach(['lint', '--help']).status === 0;

describe('fuzz: CLI', function () {
  const seed = fuzzSeed(20260101);
  const count = Number(process.env.NETREACH_FUZZ_CLI_CASES ?? 40);
  this.timeout(Math.max(600000, count * 20000));

  it(`${count} folders with mutated files: exit 0, 1 or 2, no stack trace, no hang`, () => {
    const files = corpus();
    const groups = new Map<string, CorpusFile[]>();
    for (const f of files) groups.set(f.group, [...(groups.get(f.group) ?? []), f]);
    const groupList = [...groups.values()];
    const commands: string[][] = [
      ['connlist'],
      ...(hasLint ? [['lint'], ['lint', '--format', 'json'], ['lint', '--format', 'sarif']] : []),
    ];
    for (let i = 0; i < count; i++) {
      const caseSeed = seed + i;
      const r = random(caseSeed);
      const group = r.pick(groupList);
      const dir = mkdtempSync(path.join(tmpdir(), 'netreach-cli-fuzz-'));
      const steps: string[] = [];
      try {
        for (const [n, file] of group.entries()) {
          const mutated = r.chance(0.5) || n === 0 ? mutate(file.text, r) : { text: file.text, steps: [] };
          if (mutated.steps.length) steps.push(`${path.basename(file.path)}: ${mutated.steps.join(', ')}`);
          writeFileSync(path.join(dir, `${n}-${path.basename(file.path)}`), mutated.text);
        }
        for (const command of commands) {
          const run = netreach([...command, dir]);
          const what = `netreach ${command.join(' ')} on case seed ${caseSeed} (rerun: NETREACH_FUZZ_SEED=${caseSeed} NETREACH_FUZZ_CLI_CASES=1; ${group[0].group}; ${steps.join('; ')})`;
          assert.ok(!run.timedOut, `${what} did not finish in ${BUDGET_MS / 1000} s`);
          assert.ok(
            run.status === 0 || run.status === 1 || run.status === 2,
            `${what} exited ${run.status}:\n${run.stderr}`,
          );
          assert.doesNotMatch(
            run.stderr,
            /\n\s+at .+[(:]\d+|TypeError|RangeError|ReferenceError|SyntaxError: (?!.*JSON)/,
            `${what}: a crash on stderr:\n${run.stderr}`,
          );
          if (command.includes('json') && run.status !== 2) JSON.parse(run.stdout);
          if (command.includes('sarif') && run.status !== 2)
            assert.equal(JSON.parse(run.stdout).version, '2.1.0', what);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});
