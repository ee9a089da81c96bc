// `netreach probe` as users run it: the built CLI (bin/netreach) in a child process, talking
// to the Kubernetes API test double over HTTP through a kubeconfig file. Exit codes, what
// is printed, Ctrl-C (SIGINT to the child), and after every run: no probe pod remains and
// every pod the double received had the safety properties.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { faults, writeKubeconfig, type KubeObject, type Pod, type Scenario } from './double';
import { assertSafeAndClean, startCluster, type TestCluster } from './helpers';
import { notEnforcing, pod, SERVER_ALLOW_CLIENT_YAML, SERVER_IP, shopScenario } from './probeFixtures';
import { assertNoStackTrace, BIN, requireBundle, ROOT } from '../cli/helpers';

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Running {
  child: ReturnType<typeof spawn>;
  result: Promise<Result>;
  stderr: () => string;
}

function start(args: string[], env: Record<string, string | undefined> = {}): Running {
  const child = spawn(BIN, args, {
    cwd: ROOT,
    env: { ...process.env, KUBECONFIG: undefined, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const result = new Promise<Result>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`netreach ${args.join(' ')} did not finish; stderr:\n${stderr}`));
    }, 45_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return { child, result, stderr: () => stderr };
}

function probe(...args: string[]): Promise<Result> {
  return start(['probe', ...args]).result;
}

describe('netreach probe (the CLI against the API test double)', function () {
  this.timeout(60_000);
  let cluster: TestCluster | undefined;
  let policyFile: string;

  before(() => {
    requireBundle();
    const dir = mkdtempSync(path.join(tmpdir(), 'netreach-probe-cli-'));
    policyFile = path.join(dir, 'server-allow-client.yaml');
    writeFileSync(policyFile, SERVER_ALLOW_CLIENT_YAML);
  });

  afterEach(async () => {
    await cluster?.double.close();
    cluster = undefined;
  });

  async function withCluster(extra: Partial<Scenario> = {}): Promise<TestCluster> {
    cluster = await startCluster(shopScenario(extra));
    return cluster;
  }

  function created(): number {
    return (
      cluster!.double.requestsFor({ verb: 'create', resource: 'pods' }).length +
      cluster!.double.requestsFor({ verb: 'create', resource: 'configmaps' }).length
    );
  }

  it('a policy that works: --yes --output json, every verdict matches, exit 0', async () => {
    const { kubeconfig, double } = await withCluster();
    const result = await probe(policyFile, '--kubeconfig', kubeconfig, '--yes', '--output', 'json');
    assert.equal(result.code, 0, result.stderr);
    assertNoStackTrace({ code: 0, stdout: result.stdout, stderr: result.stderr });
    assert.deepEqual(JSON.parse(result.stdout), [
      {
        from: 'shop/client[Deployment]',
        to: 'shop/server[Deployment]',
        port: 'TCP 8080',
        predicted: 'allowed',
        observed: 'connected',
        verdict: 'match',
        reason: 'connected, as predicted; allowed by shop/server-allow-client ingress rule 1',
      },
      {
        from: 'shop/other[Pod]',
        to: 'shop/server[Deployment]',
        port: 'TCP 8080',
        predicted: 'denied',
        observed: 'timeout',
        verdict: 'match',
        reason:
          'timed out (dropped), as predicted; denied: ingress to shop/server[Deployment] is isolated by shop/server-allow-client and no rule allows TCP 8080 from shop/other[Pod]',
      },
      {
        from: 'tools/toolbox[Pod]',
        to: 'shop/server[Deployment]',
        port: 'TCP 8080',
        predicted: 'denied',
        observed: 'timeout',
        verdict: 'match',
        reason:
          'timed out (dropped), as predicted; denied: ingress to shop/server[Deployment] is isolated by shop/server-allow-client and no rule allows TCP 8080 from tools/toolbox[Pod]',
      },
    ]);
    assert.match(result.stderr, /probing 3 connections from 3 probe pods in context "test-cluster"/);
    assert.match(result.stderr, /3\/3 connections probed/);
    assert.ok(!result.stderr.includes(double.token), 'the token never appears');
    assertSafeAndClean(double);
  });

  it('a plugin that does not enforce: mismatches reported, exit 1', async () => {
    const { kubeconfig, double } = await withCluster({ connect: notEnforcing });
    const result = await probe(policyFile, '--kubeconfig', kubeconfig, '--yes');
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stdout,
      /^MISMATCH: shop\/other\[Pod\] -> shop\/server\[Deployment\] TCP 8080: predicted denied, observed connected\n {4}connected although predicted denied: the network plugin may not enforce NetworkPolicy/m,
    );
    assert.match(result.stdout, /^MISMATCH: tools\/toolbox\[Pod\]/m);
    assert.match(result.stdout, /^MATCH: shop\/client\[Deployment\]/m);
    assert.match(result.stdout, /3 connections: 1 match, 2 mismatch, 0 inconclusive\./);
    assertSafeAndClean(double);
  });

  it('without --yes: prints the plan with the context and cluster, creates nothing, exit 0', async () => {
    const { kubeconfig, double } = await withCluster();
    const result = await probe(policyFile, '--kubeconfig', kubeconfig);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      new RegExp(
        `^Cluster: context "test-cluster" \\(cluster "test-cluster-cluster" at ${double.url.replace(/\./g, '\\.')}\\)`,
      ),
    );
    assert.match(result.stdout, /Plan: 3 connections from 3 probe pods in namespaces shop, tools/);
    assert.match(
      result.stdout,
      new RegExp(
        `-> shop/server\\[Deployment\\] \\(pod shop/server-7d9f-x1, ${SERVER_IP.replace(/\./g, '\\.')}\\) TCP 8080: predicted allowed`,
      ),
    );
    assert.match(
      result.stderr,
      /nothing was created\. To create 3 probe pods in context "test-cluster" .* add --yes\./,
    );
    assert.equal(created(), 0);
    assert.equal(double.requestsFor({ verb: 'create' }).length, 0, 'not even an access review');
    assertSafeAndClean(double);
  });

  it('--output json without --yes prints the plan as JSON', async () => {
    const { kubeconfig } = await withCluster();
    const result = await probe(
      '--kubeconfig',
      kubeconfig,
      '--from',
      'shop/client',
      '--to',
      'shop/server[Deployment]',
      '-o',
      'json',
    );
    assert.equal(result.code, 0, result.stderr);
    const plan = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.equal(plan.context, 'test-cluster');
    assert.deepEqual(plan.probes, [
      {
        from: 'shop/client[Deployment]',
        to: 'shop/server[Deployment]',
        port: 'TCP 8080',
        predicted: 'allowed',
        reason: 'allowed by shop/server-allow-client ingress rule 1',
        targetPod: 'shop/server-7d9f-x1',
        target: `TCP/${SERVER_IP}:8080`,
      },
    ]);
    assert.equal(created(), 0);
  });

  it('--dry-run prints the exact pod manifests and targets and creates nothing, even with --yes', async () => {
    const { kubeconfig, double } = await withCluster();
    const result = await probe(
      policyFile,
      '--kubeconfig',
      kubeconfig,
      '--dry-run',
      '--yes',
      '--image',
      'mirror.corp/agnhost:2.53',
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /dry run: nothing was created in context "test-cluster"/);
    const yamlPart = result.stdout.slice(result.stdout.indexOf('\n---\n'));
    const objects = parseAllDocuments(yamlPart).map(
      (d) =>
        d.toJS() as {
          kind: string;
          metadata: { namespace: string; labels: Record<string, string> };
          spec?: Record<string, unknown>;
        },
    );
    const pods = objects.filter((o) => o?.kind === 'Pod');
    assert.equal(pods.length, 3);
    assert.deepEqual(
      objects.filter((o) => o?.kind === 'ConfigMap').map((o) => o.metadata.namespace),
      ['shop', 'tools'],
    );
    const client = pods.find((p) => p.metadata.labels.app === 'client')!;
    assert.equal(client.metadata.namespace, 'shop');
    const spec = client.spec as {
      containers: { image: string; env: { name: string; value: string }[] }[];
      securityContext: { runAsNonRoot: boolean };
    };
    assert.equal(spec.containers[0].image, 'mirror.corp/agnhost:2.53');
    assert.equal(spec.containers[0].env.find((e) => e.name === 'NETREACH_TARGETS')!.value, `TCP/${SERVER_IP}:8080`);
    assert.equal(spec.securityContext.runAsNonRoot, true);
    assert.equal(created(), 0);
    assert.equal(double.requestsFor({ verb: 'create' }).length, 0);
    assertSafeAndClean(double);
  });

  it('403 from RBAC: names the missing permission, exit 2, creates nothing', async () => {
    const { kubeconfig, double } = await withCluster({
      authorize: (a) => !(a.verb === 'create' && a.resource === 'pods' && a.namespace === 'shop'),
    });
    const result = await probe(policyFile, '--kubeconfig', kubeconfig, '--yes');
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stdout,
      /Error: You lack a permission the probe needs in context "test-cluster":\n {2}- create pods in namespace "shop" \(to create probe pods\)/,
    );
    assert.match(result.stdout, /deploy\/rbac\.yaml/);
    assert.equal(created(), 0);
    assertSafeAndClean(double);
  });

  it('403 from RBAC while reading the cluster: exit 2 with the permission', async () => {
    const { kubeconfig, double } = await withCluster({
      authorize: (a) => !(a.verb === 'list' && a.resource === 'pods'),
    });
    const result = await probe('--kubeconfig', kubeconfig, '--yes');
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /^netreach probe: Permission denied: user "alice" may not list pods cluster-wide \(context "test-cluster"\)\. .*deploy\/rbac\.yaml/m,
    );
    assert.equal(result.stdout, '');
    assertNoStackTrace({ code: 2, stdout: result.stdout, stderr: result.stderr });
    assertSafeAndClean(double);
  });

  it('403 from Pod Security: a clear error, exit 2, nothing left', async () => {
    const { kubeconfig, double } = await withCluster({
      faults: [faults.podSecurity({ namespace: 'shop', level: 'restricted:v1.30' })],
    });
    const result = await probe(policyFile, '--kubeconfig', kubeconfig, '--yes', '-o', 'json');
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /Pod Security admission in namespace "shop" refused .*violates PodSecurity "restricted:v1\.30"/,
    );
    const rows = JSON.parse(result.stdout) as { from: string; verdict: string; reason: string }[];
    assert.deepEqual(
      rows.map((r) => [r.from, r.verdict]),
      [
        ['shop/client[Deployment]', 'inconclusive'],
        ['shop/other[Pod]', 'inconclusive'],
        ['tools/toolbox[Pod]', 'match'],
      ],
    );
    assertSafeAndClean(double);
  });

  it('an image that cannot be pulled: says so early, exit 2', async () => {
    const { kubeconfig, double } = await withCluster({ pod: () => ({ kind: 'image-pull-error' }) });
    const started = Date.now();
    const result = await probe(
      policyFile,
      '--kubeconfig',
      kubeconfig,
      '--yes',
      '--image',
      'registry.corp/agnhost:2.53',
    );
    assert.equal(result.code, 2);
    assert.match(result.stdout, /registry\.corp\/agnhost:2\.53.*cannot be pulled in namespace "shop"/);
    assert.match(result.stdout, /--image/);
    assert.ok(Date.now() - started < 30_000, 'well before the 120 s deadline');
    assertSafeAndClean(double);
  });

  it('pods stuck Pending: gives up at the deadline, says why, deletes them, exit 2', async () => {
    const { kubeconfig, double } = await withCluster({
      pod: () => ({ kind: 'unschedulable', message: '0/3 nodes are available: 3 Insufficient cpu.' }),
    });
    const result = await probe(policyFile, '--kubeconfig', kubeconfig, '--yes', '--timeout-seconds', '3');
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stdout,
      /INCONCLUSIVE: .*\n {4}not probed: .*Pending, not scheduled \(0\/3 nodes are available/,
    );
    assert.match(result.stdout, /Error: .*(deadline|did not finish|3 s)/i);
    assert.ok(double.requestsFor({ verb: 'create', resource: 'pods' }).length > 0);
    assertSafeAndClean(double);
  });

  it('an API server that drops connections: retried, the same answers, exit 0', async () => {
    const { kubeconfig, double } = await withCluster({ faults: [faults.drop({ every: 4, times: 6 })] });
    const result = await probe(policyFile, '--kubeconfig', kubeconfig, '--yes');
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, /3 connections: 3 match, 0 mismatch, 0 inconclusive\./);
    assert.equal(double.requests.filter((r) => r.dropped).length, 6);
    double.clearFaults();
    assertSafeAndClean(double);
  });

  it('Ctrl-C in the middle: deletes its pods, a second Ctrl-C says cleanup is in progress, exit 130', async () => {
    const { kubeconfig, double } = await withCluster({ pod: () => ({ kind: 'hang' }) });
    // Deleting the pod fails twice first, so cleanup takes long enough for a second Ctrl-C.
    double.addFault(faults.serverError({ verb: 'delete', resource: 'pods', times: 2 }));
    const running = start([
      'probe',
      '--kubeconfig',
      kubeconfig,
      '--from',
      'shop/client',
      '--to',
      'shop/server',
      '--yes',
    ]);
    await double.waitFor(
      () => double.probePods().some((p) => p.status?.phase === 'Running'),
      20_000,
      'a running probe pod',
    );
    running.child.kill('SIGINT');
    await double.waitFor(() => double.requestsFor({ verb: 'delete', resource: 'pods' }).length > 0, 10_000, 'cleanup');
    await new Promise((r) => setTimeout(r, 350));
    running.child.kill('SIGINT');
    const result = await running.result;
    assert.equal(result.code, 130, result.stderr);
    assert.match(result.stderr, /cancelling; deleting the probe pods this run created/);
    assert.match(result.stderr, /cleanup is in progress, please wait/);
    assert.match(result.stderr, /cancelled; every probe pod it created was deleted/);
    double.clearFaults();
    assertSafeAndClean(double);
  });

  it('no kubeconfig: exit 2 and how to get one, without guessing localhost:8080', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'netreach-home-'));
    const result = await start(['probe', '--yes'], { HOME: home, KUBECONFIG: undefined }).result;
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^netreach probe: No kubeconfig found: .*won't guess/m);
    assert.equal(result.stdout, '');
  });

  it('an unreachable API server: exit 2 naming the server and context', async () => {
    const { double } = await withCluster();
    const url = double.url;
    await double.close();
    cluster = undefined;
    const kubeconfig = writeKubeconfig({ server: url, token: 'x', context: 'gone' });
    const result = await probe('--kubeconfig', kubeconfig, '--context', 'gone');
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      new RegExp(`Cannot reach the API server at ${url.replace(/\./g, '\\.')} \\(context "gone"\\)`),
    );
  });

  it('usage errors: an unknown workload, a bad port, a bad output', async () => {
    const { kubeconfig } = await withCluster();
    let result = await probe('--kubeconfig', kubeconfig, '--from', 'shop/nope');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--from shop\/nope: no such workload in the cluster/);
    result = await probe('--kubeconfig', kubeconfig, '--port', 'TCP/99999');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--port TCP\/99999: expected PROTOCOL\/PORT/);
    result = await probe('--output', 'yaml');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--output must be one of txt, json/);
    assert.equal(created(), 0);
  });

  it('on Node.js older than 22.19: a clear error for this command only', function () {
    const system = spawnSync('node', ['--version'], { encoding: 'utf8' });
    const version = system.stdout?.trim().replace(/^v/, '') ?? '';
    const [major, minor] = version.split('.').map(Number);
    if (!version || major > 22 || (major === 22 && minor >= 19)) this.skip();
    const cli = path.join(ROOT, 'dist', 'cli.js');
    const env = { ...process.env, NETREACH_NO_REEXEC: '1' };
    const result = spawnSync('node', [cli, 'probe', '--yes'], { cwd: ROOT, env, encoding: 'utf8' });
    assert.equal(result.status, 2);
    assert.match(
      result.stderr,
      new RegExp(`needs Node\\.js 22\\.19 or newer; this is Node\\.js ${version.replace(/\./g, '\\.')}`),
    );
    const lint = spawnSync('node', [cli, 'lint', policyFile], { cwd: ROOT, env, encoding: 'utf8' });
    assert.notEqual(lint.status, 2, lint.stderr);
  });

  it("the README's kind walkthrough (docs/probe-demo), with the double as the cluster", async () => {
    // The cluster after `kubectl apply -f docs/probe-demo/`: each Deployment's pod, as its ReplicaSet makes it.
    const docs = ['demo.yaml', 'policy.yaml'].flatMap((f) =>
      parseAllDocuments(readFileSync(path.join(ROOT, 'docs', 'probe-demo', f), 'utf8')).map(
        (d) => d.toJS() as KubeObject,
      ),
    );
    const ips: Record<string, string> = { server: '10.244.0.5', client: '10.244.0.6', other: '10.244.0.7' };
    const objects = docs.flatMap((o): KubeObject[] => {
      if (o.kind === 'Namespace') return [];
      if (o.kind !== 'Deployment') return [o];
      const name = o.metadata!.name!;
      const template = (o.spec as { template: { metadata: { labels: Record<string, string> }; spec: Pod['spec'] } })
        .template;
      const labels = { ...template.metadata.labels, 'pod-template-hash': '6d4cf56db6' };
      const created = pod('probe-demo', `${name}-6d4cf56db6-x7k2p`, labels, ips[name], {
        owner: { kind: 'ReplicaSet', name: `${name}-6d4cf56db6` },
      });
      return [{ ...created, spec: template.spec }];
    });
    const server = ips.server;
    cluster = await startCluster({
      namespaces: [{ name: 'probe-demo', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } }, 'default'],
      objects,
      connect: (source, target) =>
        target.ip === server && target.port === 8080 && source.metadata.labels?.app !== 'client'
          ? 'TIMEOUT'
          : 'CONNECTED',
    });
    const kubeconfig = writeKubeconfig({
      server: cluster.double.url,
      token: cluster.double.token,
      context: 'kind-netreach-demo',
    });
    const policy = path.join(ROOT, 'docs', 'probe-demo', 'policy.yaml');
    const plan = await probe(policy, '--kubeconfig', kubeconfig, '--context', 'kind-netreach-demo');
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /Plan: 2 connections from 2 probe pods in namespace probe-demo/);
    const result = await probe(policy, '--kubeconfig', kubeconfig, '--context', 'kind-netreach-demo', '--yes');
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /^MATCH: probe-demo\/client\[Deployment\] -> probe-demo\/server\[Deployment\] TCP 8080: predicted allowed, observed connected$/m,
    );
    assert.match(
      result.stdout,
      /^MATCH: probe-demo\/other\[Deployment\] -> probe-demo\/server\[Deployment\] TCP 8080: predicted denied, observed timeout$/m,
    );
    assertSafeAndClean(cluster.double);
  });

  it('help probe documents the decisions', async () => {
    const result = await start(['help', 'probe']).result;
    assert.equal(result.code, 0);
    assert.match(result.stdout, /Without it nothing is created/);
    assert.match(result.stdout, /130 cancelled/);
  });
});
