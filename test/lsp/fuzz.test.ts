// Fuzzing with seeded, reproducible mutations of real manifests (the examples, the test
// fixtures, and the conformance corpus at ../shared/conformance when it is there):
//
// - the engine, directly, for speed: thousands of cases, each linted, its reachability
//   listed, hovers and completions asked at random offsets, code actions built. No
//   exception, no broken span or edit, no hang (a watchdog on a worker thread).
// - the real server over the protocol: a few hundred mutated texts sent with didChange,
//   each followed by a hover, a completion and code actions at random places. No failed
//   request, nothing on stderr, no handler failure in the log, and the server still
//   answers correctly afterwards.
//
// A failure prints the case's seed; NETREACH_FUZZ_SEED=<seed> NETREACH_FUZZ_CASES=1 runs
// that case alone. NETREACH_FUZZ_CASES / NETREACH_FUZZ_LSP_CASES change the counts.
import { strict as assert } from 'node:assert';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol';
import type { WorkerInput, WorkerMessage } from './fuzzWorker';
import {
  codeActions,
  complete,
  EXAMPLES,
  find,
  hover,
  hoverText,
  ready,
  settled,
  startOn,
  TempWorkspace,
} from './helpers';
import type { LspClient } from './lspClient';
import { corpus, fuzzCount, fuzzSeed, mutate, random } from './mutate';

/** Without a report from the worker for this long, a case hangs. */
const HANG_MS = 120000;

function runWorker(
  input: WorkerInput,
): Promise<{ failures: { seed: number; message: string }[]; done?: WorkerMessage }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(path.join(__dirname, 'fuzzWorker.ts'), { workerData: input });
    const failures: { seed: number; message: string }[] = [];
    let current = input.seed;
    let timer: NodeJS.Timeout;
    const watchdog = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        void worker.terminate();
        reject(
          new Error(
            `engine fuzz case seed ${current} did not finish in ${HANG_MS / 1000} s (rerun: NETREACH_FUZZ_SEED=${current} NETREACH_FUZZ_CASES=1)`,
          ),
        );
      }, HANG_MS);
    };
    watchdog();
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'start') {
        current = message.seed;
        watchdog();
      } else if (message.type === 'failed') {
        failures.push(message);
      } else {
        clearTimeout(timer);
        resolve({ failures, done: message });
      }
    });
    worker.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`engine fuzz worker crashed at seed ${current}: ${error.stack ?? error}`));
    });
  });
}

describe('fuzz', function () {
  describe('engine', () => {
    it('mutated manifests: no exception, no broken span or edit, no hang', async function () {
      const seed = fuzzSeed(20260101);
      const count = fuzzCount(2000);
      this.timeout(Math.max(600000, count * 1000));
      // Two workers, one half each (cases are independent).
      const half = Math.ceil(count / 2);
      const results = await Promise.all([
        runWorker({ seed, count: Math.min(half, count) }),
        ...(count > half ? [runWorker({ seed: seed + half, count: count - half })] : []),
      ]);
      const failures = results.flatMap((r) => r.failures);
      const summary = results.map((r) => r.done).filter(Boolean) as Extract<WorkerMessage, { type: 'done' }>[];
      assert.equal(
        summary.reduce((n, d) => n + d.cases, 0),
        count,
      );
      assert.ok(summary[0].files > 20, `the corpus has ${summary[0].files} files`);
      if (failures.length > 0) {
        assert.fail(
          `${failures.length} of ${count} cases failed (seeds ${failures.map((f) => f.seed).join(', ')}); the first:\n${failures[0].message}`,
        );
      }
    });
  });

  describe('language server', () => {
    let workspace: TempWorkspace;
    let client: LspClient;

    afterEach(async () => {
      await client?.stop();
      workspace?.dispose();
    });

    it('a storm of mutated documents through didChange: every request answered, nothing fails, the server still answers', async function () {
      const seed = fuzzSeed(20260101);
      const count = Number(process.env.NETREACH_FUZZ_LSP_CASES ?? Math.min(400, fuzzCount(400)));
      this.timeout(Math.max(600000, count * 2000));
      const files = corpus();
      workspace = new TempWorkspace(EXAMPLES);
      client = await startOn(workspace, { settings: { schema: 'on' } });
      await ready(client);
      const uri = workspace.uri('shop/fuzz.yaml');
      client.open(uri, '');
      /** A request must be answered; a generous budget tells a hang from a slow machine. */
      const answered = <T>(what: string, caseSeed: number, request: Promise<T>): Promise<T> =>
        Promise.race([
          request,
          new Promise<never>((_, reject) =>
            setTimeout(
              () =>
                reject(
                  new Error(
                    `${what} not answered within 120 s, case seed ${caseSeed} (rerun: NETREACH_FUZZ_SEED=${caseSeed} NETREACH_FUZZ_LSP_CASES=1)`,
                  ),
                ),
              120000,
            ).unref(),
          ),
        ]);
      let withDiagnostics = 0;
      for (let i = 0; i < count; i++) {
        const caseSeed = seed + i;
        const r = random(caseSeed);
        const file = r.pick(files);
        const { text, steps } = mutate(file.text, r);
        try {
          client.change(uri, text);
          const lines = text.split('\n');
          const at = () => {
            const line = r.int(lines.length + 1);
            return { line, character: r.int((lines[line]?.length ?? 0) + 2) };
          };
          await answered('hover', caseSeed, hover(client, uri, at()));
          await answered('completion', caseSeed, complete(client, uri, at()));
          const diagnostics: Diagnostic[] = client.pushed(uri) ?? [];
          if (diagnostics.length > 0) withDiagnostics++;
          const some = diagnostics.slice(0, 3);
          for (const d of some) {
            const actions: CodeAction[] = await answered(
              'code actions',
              caseSeed,
              codeActions(client, uri, d.range, [d]),
            );
            for (const action of actions) assert.ok(action.edit?.changes, `"${action.title}" has an edit`);
          }
          const p = at();
          await answered('fix all', caseSeed, codeActions(client, uri, { start: p, end: p }, [], ['source.fixAll']));
          if (r.chance(0.05)) {
            client.close(uri);
            client.open(uri, text);
          }
        } catch (error) {
          throw new Error(
            `LSP fuzz case seed ${caseSeed} (${file.path}; ${steps.join(', ')}): ${(error as Error).message}\n--- text ---\n${text.slice(0, 3000)}`,
            { cause: error },
          );
        }
        assert.equal(client.exitCode, undefined, `the server exited at case seed ${caseSeed}:\n${client.stderr}`);
      }
      assert.ok(withDiagnostics > count / 4, `diagnostics were pushed for ${withDiagnostics} of ${count} cases`);
      // After the storm: a known policy is analysed and hovered as usual.
      const policy = workspace.read('shop/allow-app-traffic.yaml');
      await settled(
        client,
        () => client.change(uri, policy.replace(/name: (web-from-internet|api|db)$/gm, 'name: fuzz-$1')),
        120000,
      );
      assert.match(
        await hoverText(client, uri, find(policy, 'pod‸Selector')),
        /NetworkPolicy shop\/fuzz-web-from-internet/,
      );
      assert.doesNotMatch(client.stderr, /\n\s+at /, `a stack trace on stderr:\n${client.stderr}`);
      const failed = client.log.filter((l) => / failed: /.test(l));
      assert.deepEqual(failed, [], 'a request handler failed');
    });
  });
});
