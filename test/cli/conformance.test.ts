// The third-party conformance corpus (../shared/conformance, netpol-analyzer's connlist
// goldens) run against the built CLI with its own checker. Skipped where the corpus is not
// checked out next to this repository.
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { requireBundle, ROOT, run } from './helpers';

const CONFORMANCE = path.join(ROOT, '..', 'shared', 'conformance');
const CHECKER = path.join(CONFORMANCE, 'check.mjs');
// The corpus's connlist contract: ipBlocks never match pods (upstream netpol-analyzer).
const COMMAND = './bin/netreach connlist {dir} --output json --ipblock-pods ignore';

describe('conformance corpus (../shared/conformance)', function () {
  this.timeout(600_000);

  before(function () {
    if (!existsSync(CHECKER)) {
      for (const test of this.test!.parent!.tests)
        test.title += ' (SKIPPED: ../shared/conformance/check.mjs does not exist in this checkout)';
      this.skip();
    }
    requireBundle();
  });

  /** Runs the checker and returns the number of passed cases; fails on any failed case. */
  async function check(...args: string[]): Promise<number> {
    const result = await run(process.execPath, [CHECKER, '--cmd', COMMAND, ...args], { timeout: 590_000 });
    const summary = /^(\d+) passed, (\d+) failed$/m.exec(result.stdout);
    assert.ok(summary, `no summary line in the checker output:\n${result.stdout}\n${result.stderr}`);
    assert.equal(`${summary[0]}`, `${summary[1]} passed, 0 failed`, `failing cases:\n${result.stdout}`);
    assert.equal(result.code, 0, result.stderr);
    return Number(summary[1]);
  }

  it('class a: NetworkPolicy and workloads, every connlist exact', async () => {
    const passed = await check('--class', 'a');
    assert.ok(passed >= 40, `only ${passed} class-a cases ran`);
  });

  it('class f without AdminNetworkPolicy: bad input refused, or tolerated where upstream does', async () => {
    const passed = await check('--class', 'f', '--exclude-kind', 'AdminNetworkPolicy,BaselineAdminNetworkPolicy');
    assert.ok(passed >= 15, `only ${passed} class-f cases ran`);
  });
});
