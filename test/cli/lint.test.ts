// `netreach lint` through the built binary: the formats, exit codes, --check, --fail-on,
// --fix on copies of the examples, disable comments, and SARIF that GitHub code scanning
// accepts (checked with the SARIF multitool's schema and GitHub rules when it can run here).
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { assertNoStackTrace, BIN, netreach, requireBundle, ROOT, run } from './helpers';

const EXAMPLES = path.join(ROOT, 'examples');
const MISTAKES = 'examples/common-mistakes';

interface JsonFinding {
  file: string;
  line: number;
  column: number;
  code: string;
  severity: string;
  message: string;
  fixes: { title: string; preferred: boolean }[];
}

describe('netreach lint', function () {
  this.timeout(120_000);
  let scratch: string;

  before(() => requireBundle());
  beforeEach(() => {
    scratch = mkdtempSync(path.join(os.tmpdir(), 'netreach-lint-'));
  });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  it('prints findings grouped by file with line:column, severity and code, and exits 1 on errors', async () => {
    const result = await netreach('lint', MISTAKES);
    assertNoStackTrace(result);
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stdout,
      /examples\/common-mistakes\/egress-ignored\.yaml\n\s+17:3\s+error\s+NR020 {2}These egress rules are ignored/,
    );
    assert.match(result.stdout, /\d+ problems \(1 error, \d+ warnings, \d+ info\)/);
  });

  it('exits 0 when only warnings remain, unless --fail-on warning', async () => {
    const clean = await netreach('lint', 'examples/bookstore');
    assert.equal(clean.code, 0, clean.stdout);
    const warnings = await netreach('lint', `${MISTAKES}/service-port.yaml`, `${MISTAKES}/namespace.yaml`);
    assert.equal(warnings.code, 0, warnings.stdout);
    assert.match(warnings.stdout, /NR041/);
    const strict = await netreach(
      'lint',
      `${MISTAKES}/service-port.yaml`,
      `${MISTAKES}/namespace.yaml`,
      '--fail-on',
      'warning',
    );
    assert.equal(strict.code, 1);
  });

  it('--format json gives each finding with its position and fixes', async () => {
    const result = await netreach('lint', MISTAKES, '--format', 'json');
    const findings = JSON.parse(result.stdout) as JsonFinding[];
    const nr020 = findings.find((f) => f.code === 'NR020');
    assert.ok(nr020, result.stdout);
    assert.deepEqual(
      { file: nr020.file, line: nr020.line, column: nr020.column, severity: nr020.severity },
      { file: 'examples/common-mistakes/egress-ignored.yaml', line: 17, column: 3, severity: 'error' },
    );
    assert.deepEqual(nr020.fixes, [{ title: 'Add Egress to policyTypes', preferred: true }]);
  });

  it('--check turns a check off or changes its level; unknown codes and levels are usage errors', async () => {
    const off = JSON.parse(
      (await netreach('lint', MISTAKES, '--format', 'json', '--check', 'NR020=off')).stdout,
    ) as JsonFinding[];
    assert.ok(!off.some((f) => f.code === 'NR020'));
    const downgraded = await netreach('lint', MISTAKES, '--format', 'json', '--check', 'NR020=warning,NR070=off');
    const findings = JSON.parse(downgraded.stdout) as JsonFinding[];
    assert.equal(findings.find((f) => f.code === 'NR020')?.severity, 'warning');
    assert.ok(!findings.some((f) => f.code === 'NR070'));
    assert.equal(downgraded.code, 0, 'no error left');
    for (const bad of ['NR999=off', 'NR020=loud', 'nonsense']) {
      const result = await netreach('lint', MISTAKES, '--check', bad);
      assertNoStackTrace(result);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /--check/);
    }
  });

  it('honours # netreach-disable-next-line comments', async () => {
    const file = path.join(scratch, 'policy.yaml');
    const text = readFileSync(path.join(EXAMPLES, 'common-mistakes', 'egress-ignored.yaml'), 'utf8');
    writeFileSync(file, text.replace(/^(\s*)egress:/m, '$1# netreach-disable-next-line NR020\n$1egress:'));
    const result = await netreach('lint', file, '--format', 'json');
    assert.ok(!(JSON.parse(result.stdout) as JsonFinding[]).some((f) => f.code === 'NR020'), result.stdout);
  });

  it('--fix applies the safe fixes to the files, keeps valid YAML and comments, and reports what remains', async () => {
    cpSync(EXAMPLES, path.join(scratch, 'examples'), { recursive: true });
    const folder = path.join(scratch, 'examples', 'common-mistakes');
    const before = JSON.parse(
      (await netreach('lint', path.join(scratch, 'examples'), '--format', 'json')).stdout,
    ) as JsonFinding[];
    const fixable = before.filter((f) => f.fixes.some((x) => x.preferred));
    assert.ok(fixable.length >= 3, `fixable findings: ${fixable.map((f) => f.code).join(', ')}`);
    const result = await netreach('lint', path.join(scratch, 'examples'), '--fix');
    assertNoStackTrace(result);
    assert.match(result.stderr, /fixed \d+ files?/);
    const egress = readFileSync(path.join(folder, 'egress-ignored.yaml'), 'utf8');
    assert.match(egress, /policyTypes:\n\s+- Ingress\n\s+- Egress/);
    assert.match(egress, /^# Mistake: egress rules/m, 'comments are kept');
    for (const name of ['egress-ignored.yaml', 'or-instead-of-and.yaml', 'dns-udp-only.yaml', 'service-port.yaml']) {
      const documents = parseAllDocuments(readFileSync(path.join(folder, name), 'utf8'));
      assert.ok(Array.isArray(documents));
      for (const document of documents) assert.deepEqual(document.errors, [], name);
    }
    const after = JSON.parse(
      (await netreach('lint', path.join(scratch, 'examples'), '--format', 'json')).stdout,
    ) as JsonFinding[];
    assert.ok(!after.some((f) => f.code === 'NR020'), 'NR020 fixed');
    assert.ok(after.length < before.length, `${before.length} findings before, ${after.length} after`);
    // A second --fix has nothing left to do.
    const again = await netreach('lint', path.join(scratch, 'examples'), '--fix');
    assert.doesNotMatch(again.stderr, /fixed/);
  });

  it('--fix leaves JSON manifests alone (fixes write YAML) and they stay valid JSON', async () => {
    const policy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'api', namespace: 'web' },
      spec: { podSelector: {}, policyTypes: ['Ingress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] },
    };
    const file = path.join(scratch, 'policy.json');
    const text = JSON.stringify(policy, null, 2) + '\n';
    writeFileSync(file, text);
    const listed = JSON.parse((await netreach('lint', file, '--format', 'json')).stdout) as JsonFinding[];
    const nr020 = listed.find((f) => f.code === 'NR020');
    assert.ok(nr020, 'NR020 is reported in JSON files too');
    assert.deepEqual(nr020.fixes, [], 'no fix offered for a JSON file');
    const result = await netreach('lint', file, '--fix');
    assertNoStackTrace(result);
    assert.equal(result.code, 1, 'the error remains');
    assert.doesNotMatch(result.stderr, /fixed/);
    assert.equal(readFileSync(file, 'utf8'), text, 'the file is untouched');
  });

  it('leaves Helm templates out with a note on stderr; connlist on templates alone says to render them', async () => {
    const chart = path.join(scratch, 'chart');
    mkdirSync(path.join(chart, 'templates'), { recursive: true });
    writeFileSync(path.join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: demo\nversion: 0.1.0\n');
    writeFileSync(
      path.join(chart, 'templates', 'netpol.yaml'),
      '{{- if .Values.enabled }}\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  podSelector: {}\n{{- end }}\n',
    );
    const lint = await netreach('lint', chart);
    assertNoStackTrace(lint);
    assert.equal(lint.code, 0, lint.stdout);
    assert.match(lint.stdout, /No problems found/);
    assert.match(lint.stderr, /left out 1 template file .*netpol\.yaml.*helm template/);
    const connlist = await netreach('connlist', chart);
    assert.equal(connlist.code, 2);
    assert.match(connlist.stderr, /no Kubernetes objects found[\s\S]*left out 1 template file/);
  });

  it('a kustomize overlay: its patch files are left out with a note, so base and patch are no duplicate', async () => {
    const write = (file: string, text: string) => {
      mkdirSync(path.dirname(path.join(scratch, file)), { recursive: true });
      writeFileSync(path.join(scratch, file), text);
    };
    write('base/kustomization.yaml', 'resources: [deployment.yaml]\n');
    write(
      'base/deployment.yaml',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: web}\nspec:\n  selector: {matchLabels: {app: api}}\n  template:\n    metadata: {labels: {app: api}}\n    spec: {containers: [{name: api, image: api}]}\n',
    );
    write('overlays/prod/kustomization.yaml', 'resources: [../../base]\npatches:\n  - path: replicas.yaml\n');
    write(
      'overlays/prod/replicas.yaml',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: web}\nspec: {replicas: 3}\n',
    );
    const result = await netreach('lint', scratch, '--format', 'json');
    assertNoStackTrace(result);
    const findings = JSON.parse(result.stdout) as JsonFinding[];
    assert.ok(!findings.some((f) => f.code === 'NR013'), result.stdout);
    assert.match(result.stderr, /left out 1 kustomize patch file: .*replicas\.yaml/);
  });

  it("'-' reads manifests from standard input (rendered Helm or kustomize output); --fix refuses it", async () => {
    const text = readFileSync(path.join(ROOT, MISTAKES, 'egress-ignored.yaml'), 'utf8');
    const result = await run(BIN, ['lint', '-'], { input: text });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /^<stdin>\n\s+17:3\s+error\s+NR020/m);
    const fix = await run(BIN, ['lint', '-', '--fix'], { input: text });
    assert.equal(fix.code, 2);
    assert.match(fix.stderr, /cannot write back to standard input/);
    const connlist = await run(BIN, ['connlist', '-', path.join(ROOT, 'examples', 'bookstore'), '--output', 'json'], {
      input: text,
    });
    assert.equal(connlist.code, 0, connlist.stderr);
    assert.ok((JSON.parse(connlist.stdout) as unknown[]).length > 0);
  });

  it('reports broken and half-typed files with a message, never a stack trace', async () => {
    writeFileSync(
      path.join(scratch, 'broken.yaml'),
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: x\nspec: [\n',
    );
    writeFileSync(
      path.join(scratch, 'typed.yaml'),
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: y, namespace: a}\nspec:\n  podSelector: {}\n  ingress:\n    - ports:\n        - port: [80]\n',
    );
    const result = await netreach('lint', scratch);
    assertNoStackTrace(result);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /broken\.yaml\n\s+\d+:\d+\s+error\s+NR014/);
    assert.match(
      result.stdout,
      /typed\.yaml\n\s+8:\d+\s+error\s+NR014 {2}`port` must be a port number or a port name, not a list/,
    );
    const missing = await netreach('lint', path.join(scratch, 'nope'));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read .*nope: no such file or folder/);
  });

  describe('SARIF', () => {
    let sarif: {
      version: string;
      runs: {
        tool: { driver: { rules: { id: string; helpUri: string }[] } };
        results: {
          ruleId: string;
          ruleIndex: number;
          level: string;
          locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
        }[];
      }[];
    };
    let sarifText: string;

    before(async () => {
      const result = await netreach('lint', MISTAKES, '--format', 'sarif');
      sarifText = result.stdout;
      sarif = JSON.parse(sarifText);
    });

    it('is SARIF 2.1.0 with one rule per check, relative paths and regions', () => {
      assert.equal(sarif.version, '2.1.0');
      const run = sarif.runs[0];
      const rules = run.tool.driver.rules;
      assert.ok(rules.some((r) => r.id === 'NR020' && r.helpUri.endsWith('docs/checks.md#nr020')));
      const result = run.results.find((r) => r.ruleId === 'NR020')!;
      assert.equal(rules[result.ruleIndex].id, 'NR020');
      assert.equal(result.level, 'error');
      assert.equal(
        result.locations[0].physicalLocation.artifactLocation.uri,
        'examples/common-mistakes/egress-ignored.yaml',
      );
      assert.equal(result.locations[0].physicalLocation.region.startLine, 17);
      assert.ok(
        run.results.some((r) => r.level === 'note'),
        'info findings are notes',
      );
    });

    it('passes the SARIF multitool validation, schema and GitHub rules (skipped when the tool cannot run here)', function () {
      const tool = path.join(ROOT, 'node_modules', '@microsoft', 'sarif-multitool-linux', 'Sarif.Multitool');
      if (process.platform !== 'linux' || !existsSync(tool)) {
        this.skip();
      }
      const input = path.join(scratch, 'netreach.sarif');
      const output = path.join(scratch, 'validation.sarif');
      writeFileSync(input, sarifText);
      execFileSync(
        tool,
        ['validate', input, '--output', output, '--log', 'ForceOverwrite', '--rule-kind', 'Gh;Sarif'],
        {
          env: { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: '1' },
          stdio: 'pipe',
        },
      );
      const validation = JSON.parse(readFileSync(output, 'utf8')) as {
        runs: { results?: { ruleId: string; level?: string; message: { id?: string; arguments?: string[] } }[] }[];
      };
      const problems = (validation.runs[0].results ?? []).filter((r) => r.level === 'error' || r.level === 'warning');
      assert.deepEqual(
        problems.map((p) => `${p.ruleId} ${p.message.id ?? ''} ${(p.message.arguments ?? []).join(' ')}`),
        [],
      );
    });
  });
});
