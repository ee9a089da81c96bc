// The extension's probe bundle (dist/probe.js, loaded by "Test Reachability in Cluster" on
// first use) against the API test double: the same calls the VS Code command makes, in the
// order it makes them, through the built CommonJS bundle with @kubernetes/client-node inside.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type * as Probe from '../../server/src/probe';
import { assertSafeAndClean, FAST, startCluster, type TestCluster } from './helpers';
import { notEnforcing, SERVER_ALLOW_CLIENT_YAML, shopScenario } from './probeFixtures';
import { ROOT } from '../cli/helpers';

const BUNDLE = path.join(ROOT, 'dist', 'probe.js');

describe('the extension probe bundle (dist/probe.js) against the API test double', function () {
  this.timeout(30_000);
  let cluster: TestCluster | undefined;
  let probe: typeof Probe;

  before(() => {
    assert.ok(existsSync(BUNDLE), 'dist/probe.js is missing: run "npm run build"');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    probe = require(BUNDLE) as typeof Probe;
  });

  afterEach(async () => {
    await cluster?.double.close();
    cluster = undefined;
  });

  it('cursor on a policy: plan, confirmation text, run, rows for the view, diagnostics on the file', async () => {
    cluster = await startCluster(shopScenario({ connect: notEnforcing }));
    const file = { uri: 'file:///work/policies/server.yaml', text: SERVER_ALLOW_CLIENT_YAML };
    const scope = probe.editorScope(file, file.text.indexOf('server-allow-client'));
    assert.deepEqual(scope, { kind: 'policy', id: 'shop/server-allow-client' });
    const prepared = await probe.prepareProbe({ kubeconfig: cluster.kubeconfig, files: [file], scope, maxPods: 20 });
    const summary = probe.planSummary(prepared.target, prepared.plan, prepared.differences);
    assert.match(summary.message, /^Run 3 probe pods in context "test-cluster" \(cluster "test-cluster-cluster" at /);
    assert.match(summary.detail, /namespaces shop, tools/);
    assert.equal(cluster.double.requestsFor({ verb: 'create' }).length, 0, 'nothing before the confirmation');

    const events: string[] = [];
    const outcome = await probe.runProbe(prepared, {
      ...FAST,
      onProgress: (e) => {
        if (e.type === 'stage') events.push(e.stage);
      },
    });
    assert.deepEqual(events, ['sweep', 'preflight', 'probe', 'reprobe', 'cleanup', 'done']);
    const rows = probe.rowsData(outcome.rows);
    assert.deepEqual(
      rows.map((r) => r.verdict),
      ['match', 'mismatch', 'mismatch'],
    );
    const diagnostics = probe.mismatchDiagnostics(outcome.rows, prepared.filePolicies);
    assert.deepEqual(
      diagnostics.map((d) => [d.uri, d.range.start.line]),
      [
        [file.uri, 3],
        [file.uri, 3],
      ],
    );
    assertSafeAndClean(cluster.double);
  });

  it('cancellation (the progress notification) deletes the pods', async () => {
    cluster = await startCluster(shopScenario({ pod: () => ({ kind: 'hang' }) }));
    const prepared = await probe.prepareProbe({
      kubeconfig: cluster.kubeconfig,
      scope: { kind: 'workload', name: 'shop/server' },
    });
    const controller = new AbortController();
    const outcome = await probe.runProbe(prepared, {
      ...FAST,
      signal: controller.signal,
      onProgress: (e) => {
        if (e.type === 'pod' && e.state === 'running') controller.abort();
      },
    });
    assert.equal(outcome.report.cancelled, true);
    assertSafeAndClean(cluster.double);
  });
});
