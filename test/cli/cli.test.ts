// The built CLI (bin/netreach) on fixtures: connlist in every format, explain naming the
// deciding policy and rule with file:line, and exit codes with clear messages (never a stack
// trace) on bad input.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { assertNoStackTrace, netreach, requireBundle, type Run } from './helpers';

const SHOP = 'test/fixtures/cli/shop';
const E2E = 'test/fixtures/k8s-e2e';

const SHOP_ROWS = [
  { src: '0.0.0.0-9.255.255.255[External]', dst: 'shop/web[Deployment]', conn: 'TCP 8080' },
  { src: '11.0.0.0-255.255.255.255[External]', dst: 'shop/web[Deployment]', conn: 'TCP 8080' },
  { src: 'shop/web[Deployment]', dst: '0.0.0.0-255.255.255.255[External]', conn: 'All Connections' },
  { src: 'shop/web[Deployment]', dst: 'shop/db[StatefulSet]', conn: 'TCP 5432' },
];

function ok(result: Run): Run {
  assert.equal(result.code, 0, `exit code ${result.code}; stderr:\n${result.stderr}`);
  assertNoStackTrace(result);
  return result;
}

/** Exit code 2, a one-line reason on stderr matching `message`, nothing on stdout, no stack. */
function usageError(result: Run, message: RegExp): void {
  assert.equal(result.code, 2, `exit code ${result.code}; stdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  assert.match(result.stderr, message);
  assert.equal(result.stdout, '');
  assertNoStackTrace(result);
}

describe('netreach CLI', function () {
  this.timeout(60_000);
  before(requireBundle);

  describe('connlist', () => {
    it('--output json: the rows, parseable', async () => {
      const result = ok(await netreach('connlist', SHOP, '--output', 'json'));
      assert.deepEqual(JSON.parse(result.stdout), SHOP_ROWS);
    });

    it('txt is the default', async () => {
      const result = ok(await netreach('connlist', SHOP));
      assert.equal(result.stdout, SHOP_ROWS.map((r) => `${r.src} => ${r.dst} : ${r.conn}\n`).join(''));
      assert.equal(result.stderr, '');
    });

    it('-o md', async () => {
      const result = ok(await netreach('connlist', SHOP, '-o', 'md'));
      const lines = result.stdout.trimEnd().split('\n');
      assert.deepEqual(lines.slice(0, 2), ['| src | dst | conn |', '|-----|-----|------|']);
      assert.deepEqual(
        lines.slice(2),
        SHOP_ROWS.map((r) => `| ${r.src} | ${r.dst} | ${r.conn} |`),
      );
    });

    it('-o csv', async () => {
      const result = ok(await netreach('connlist', SHOP, '-o', 'csv'));
      assert.equal(
        result.stdout,
        ['src,dst,conn', ...SHOP_ROWS.map((r) => `${r.src},${r.dst},${r.conn}`), ''].join('\n'),
      );
    });

    it('-o dot', async () => {
      const result = ok(await netreach('connlist', SHOP, '-o', 'dot'));
      assert.match(result.stdout, /^digraph \{\n/);
      assert.match(result.stdout, /\t"shop\/web\[Deployment\]" -> "shop\/db\[StatefulSet\]" \[label="TCP 5432"/);
      assert.match(
        result.stdout,
        /\t"0\.0\.0\.0-9\.255\.255\.255\[External\]" \[label="0\.0\.0\.0-9\.255\.255\.255\[External\]" color="red2"/,
      );
      assert.equal(result.stdout.match(/ -> /g)?.length, SHOP_ROWS.length);
      assert.match(result.stdout, /\}\n$/);
    });

    it('takes files as well as folders, and several of them', async () => {
      const result = ok(await netreach('connlist', `${SHOP}/cluster.yaml`, `${SHOP}/policies.yaml`, '-o', 'json'));
      assert.deepEqual(JSON.parse(result.stdout), SHOP_ROWS);
    });

    it('--ipblock-pods: match (the default) lets an ipBlock match pods by IP; ignore does not', async () => {
      const paths = [`${E2E}/cluster.yaml`, `${E2E}/34-egress-to-cidr`];
      const rows = async (...flags: string[]) =>
        (
          JSON.parse(ok(await netreach('connlist', ...paths, '-o', 'json', ...flags)).stdout) as {
            src: string;
            dst: string;
          }[]
        )
          .filter((r) => r.src === 'x/a[Pod]')
          .map((r) => r.dst);
      assert.deepEqual(await rows(), ['10.244.2.12-10.244.2.12[External]', 'y/b[Pod]']);
      assert.deepEqual(await rows('--ipblock-pods', 'match'), await rows());
      assert.deepEqual(await rows('--ipblock-pods', 'ignore'), ['10.244.2.12-10.244.2.12[External]']);
    });

    it('a broken document: a warning on stderr, the documents before it and other files still count', async () => {
      const result = ok(await netreach('connlist', 'test/fixtures/cli/broken', '-o', 'json'));
      assert.match(
        result.stderr,
        /^netreach: warning: test\/fixtures\/cli\/broken\/manifests\.yaml:\d+:\d+: .*left out of the analysis/m,
      );
      const names = new Set((JSON.parse(result.stdout) as { src: string }[]).map((r) => r.src));
      assert.ok(names.has('x/before[Pod]') && names.has('x/other[Pod]'));
      assert.ok(!names.has('x/after[Pod]') && !names.has('x/broken[Pod]'));
    });
  });

  describe('explain', () => {
    it('names the deciding policy and rule with file:line', async () => {
      const result = ok(await netreach('explain', SHOP, '--from', 'web', '--to', 'shop/db', '--port', 'TCP/5432'));
      const out = result.stdout;
      assert.match(out, /^shop\/web\[Deployment\] -> shop\/db\[StatefulSet\]\n/);
      assert.match(out, /TCP\/5432: ALLOWED/);
      assert.match(out, /egress from shop\/web\[Deployment\]: not isolated/);
      assert.match(
        out,
        /ingress to shop\/db\[StatefulSet\]: isolated by\n\s+- shop\/db \(test\/fixtures\/cli\/shop\/policies\.yaml:4:9\)/,
      );
      assert.match(
        out,
        /- shop\/db ingress rule 1 \(test\/fixtures\/cli\/shop\/policies\.yaml:12:7\): TCP 5432 from pods app=web/,
      );
    });

    it('says which side denies, and why', async () => {
      const result = ok(
        await netreach('explain', SHOP, '--from', 'shop/db[StatefulSet]', '--to', 'web', '--port', '8080'),
      );
      assert.match(result.stdout, /TCP\/8080: DENIED \(by egress and ingress\)/);
      assert.match(
        result.stdout,
        /egress from shop\/db\[StatefulSet\]: isolated by\n\s+- shop\/db \(test\/fixtures\/cli\/shop\/policies\.yaml:4:9\)\n\s+no rule of it allows traffic to shop\/web\[Deployment\]: DENIED/,
      );
      assert.match(
        result.stdout,
        /ingress to shop\/web\[Deployment\]: isolated by\n\s+- shop\/web \(test\/fixtures\/cli\/shop\/policies\.yaml:22:9\)/,
      );
    });

    it('an external address as the source', async () => {
      const result = ok(await netreach('explain', SHOP, '--from', '1.2.3.4', '--to', 'web'));
      assert.match(result.stdout, /an external address, not governed by NetworkPolicy/);
      assert.match(
        result.stdout,
        /- shop\/web ingress rule 1 \(test\/fixtures\/cli\/shop\/policies\.yaml:29:7\): TCP 8080 from ipBlock 0\.0\.0\.0\/0 except 10\.0\.0\.0\/8/,
      );
    });

    it('--output json', async () => {
      const result = ok(
        await netreach('explain', SHOP, '--from', 'web', '--to', 'db', '--port', 'TCP/5432', '-o', 'json'),
      );
      const json = JSON.parse(result.stdout);
      assert.equal(json.verdict, 'allowed');
      assert.deepEqual(json.ingress.isolatingPolicies, [
        { policy: 'shop/db', location: 'test/fixtures/cli/shop/policies.yaml:4:9' },
      ]);
      assert.equal(json.ingress.rules[0].location, 'test/fixtures/cli/shop/policies.yaml:12:7');
    });

    it('agrees with the e2e truth table (x/b may reach x/a, x/c may not)', async () => {
      const paths = [`${E2E}/cluster.yaml`, `${E2E}/03-allow-from-same-namespace-by-podselector`];
      assert.match(
        ok(await netreach('explain', ...paths, '--from', 'x/b', '--to', 'x/a', '--port', 'TCP/80')).stdout,
        /TCP\/80: ALLOWED/,
      );
      assert.match(
        ok(await netreach('explain', ...paths, '--from', 'x/c', '--to', 'x/a', '--port', 'TCP/80')).stdout,
        /TCP\/80: DENIED \(by ingress\)/,
      );
    });
  });

  describe('exit codes and messages', () => {
    let empty: string;
    before(() => {
      empty = mkdtempSync(path.join(tmpdir(), 'netreach-cli-'));
      writeFileSync(path.join(empty, 'notes.txt'), 'no manifests here\n');
    });
    after(() => rmSync(empty, { recursive: true, force: true }));

    it('help and version exit 0', async () => {
      assert.match(ok(await netreach('--help')).stdout, /Usage: netreach <command>/);
      assert.match(ok(await netreach('help', 'connlist')).stdout, /Usage: netreach connlist/);
      assert.match(ok(await netreach('connlist', '--help')).stdout, /--ipblock-pods MODE/);
      assert.match(ok(await netreach('--version')).stdout, /^\S+\n$/);
    });

    it('a missing path: 2', async () => {
      usageError(
        await netreach('connlist', 'test/fixtures/cli/no-such-folder'),
        /^netreach connlist: cannot read test\/fixtures\/cli\/no-such-folder: no such file or folder/,
      );
    });

    it('no paths at all: 2', async () => {
      usageError(await netreach('connlist'), /no paths given/);
    });

    it('a folder without manifest files: 2', async () => {
      usageError(
        await netreach('connlist', empty),
        /holds no manifest files \(recognized file extensions are \.yaml, \.yml, \.json\)/,
      );
    });

    it('a file that is not a manifest: 2', async () => {
      usageError(await netreach('connlist', path.join(empty, 'notes.txt')), /is not a manifest file/);
    });

    it('YAML without any Kubernetes object: 2', async () => {
      usageError(await netreach('connlist', 'test/fixtures/cli/not-kubernetes'), /no Kubernetes objects found/);
    });

    it('an unknown flag: 2', async () => {
      usageError(
        await netreach('connlist', SHOP, '--bogus'),
        /^netreach connlist: Unknown option '--bogus'\nRun "netreach help connlist" for usage\.\n$/,
      );
    });

    it('an unknown command: 2', async () => {
      usageError(await netreach('frobnicate'), /unknown command "frobnicate"/);
    });

    it('a bad --output value: 2', async () => {
      usageError(
        await netreach('connlist', SHOP, '--output', 'xml'),
        /--output must be one of txt, json, md, csv, dot \(got "xml"\)/,
      );
    });

    it('a bad --ipblock-pods value: 2', async () => {
      usageError(
        await netreach('connlist', SHOP, '--ipblock-pods', 'maybe'),
        /--ipblock-pods must be one of match, ignore/,
      );
    });

    it('a policy the API server would refuse: 2, with the reason and its file:line', async () => {
      usageError(
        await netreach('connlist', 'test/fixtures/cli/refused'),
        /problems that make the answer uncertain.*\n\s+test\/fixtures\/cli\/refused\/policy\.yaml:17:20: NR006: `endPort` 8000 is lower than `port` 9000/,
      );
      usageError(await netreach('explain', 'test/fixtures/cli/refused', '--from', 'p', '--to', '1.2.3.4'), /NR006/);
    });

    it('an ambiguous --from: 2, listing the candidates', async () => {
      usageError(
        await netreach('explain', 'test/fixtures/cli/ambiguous', '--from', 'web', '--to', 'green/web'),
        /--from web.*ambiguous.*blue\/web\[Pod\], green\/web\[Pod\]/,
      );
    });

    it('an unknown workload, a missing --to, a bad --port: 2', async () => {
      usageError(await netreach('explain', SHOP, '--from', 'nope', '--to', 'web'), /--from nope: no such workload/);
      usageError(await netreach('explain', SHOP, '--from', 'web'), /--to is required/);
      usageError(
        await netreach('explain', SHOP, '--from', 'web', '--to', 'db', '--port', 'TCP/99999'),
        /--port TCP\/99999/,
      );
      usageError(await netreach('explain', SHOP, '--from', '1.1.1.1', '--to', '2.2.2.2'), /both IP addresses/);
    });

    it('garbage input files: no stack trace', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'netreach-garbage-'));
      try {
        writeFileSync(path.join(dir, 'a.yaml'), '\u0000\u0001: [unclosed\n---\n:::\n');
        writeFileSync(
          path.join(dir, 'b.json'),
          '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": 7}, "spec": []}',
        );
        writeFileSync(
          path.join(dir, 'c.yaml'),
          'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p}\nspec: {podSelector: {matchExpressions: [{key: a, operator: Nope}]}}\n',
        );
        const result = await netreach('connlist', dir);
        assert.ok(result.code === 0 || result.code === 2, `exit code ${result.code}`);
        assertNoStackTrace(result);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
