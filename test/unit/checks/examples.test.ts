// The examples/ workspace as users first see it: examples/common-mistakes shows the
// mistakes its comments describe, and examples/shop and examples/bookstore are clean
// of warnings and errors (information is fine). Linted as one workspace, every check on.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildWorkspace, lintWorkspace, type Finding } from '../../../server/src/engine';
import { CHECKS } from '../../../server/src/engine/checks/registry';

const ROOT = path.resolve(__dirname, '../../../examples');

function exampleFiles(): { uri: string; text: string }[] {
  const files: { uri: string; text: string }[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.ya?ml$/.test(entry.name))
        files.push({ uri: path.relative(ROOT, full).split(path.sep).join('/'), text: readFileSync(full, 'utf8') });
    }
  };
  walk(ROOT);
  return files.sort((a, b) => (a.uri < b.uri ? -1 : 1));
}

function lintExamples(replace?: (uri: string, text: string) => string) {
  const files = exampleFiles().map((f) => ({ uri: f.uri, text: replace ? replace(f.uri, f.text) : f.text }));
  const texts = new Map(files.map((f) => [f.uri, f.text]));
  const { findings } = lintWorkspace(buildWorkspace(files));
  const text = (f: Finding) => texts.get(f.span.uri)!.slice(f.span.start, f.span.end);
  const show = (list: readonly Finding[]) =>
    list.map((f) => `${f.span.uri} ${f.code} ${f.severity} ${JSON.stringify(text(f))}: ${f.message}`).join('\n  ');
  return { findings, text, show };
}

const registered = (code: string) => CHECKS.some((c) => c.codes.includes(code));

/** What each file of examples/common-mistakes says is wrong with it. */
const INTENDED: readonly { file: string; code: string; span: string }[] = [
  { file: 'common-mistakes/dns-udp-only.yaml', code: 'NR028', span: 'name: kube-system' },
  { file: 'common-mistakes/dns-udp-only.yaml', code: 'NR051', span: 'protocol: UDP\n          port: 53' },
  { file: 'common-mistakes/egress-ignored.yaml', code: 'NR020', span: 'egress' },
  { file: 'common-mistakes/or-instead-of-and.yaml', code: 'NR022', span: '' },
  { file: 'common-mistakes/service-port.yaml', code: 'NR041', span: '80' },
];

describe('the examples workspace', () => {
  const { findings, text, show } = lintExamples();

  for (const intended of INTENDED) {
    it(`common-mistakes: ${intended.file.split('/')[1]} shows ${intended.code}`, function () {
      if (!registered(intended.code)) this.skip();
      const found = findings.filter((f) => f.span.uri === intended.file && f.code === intended.code);
      assert.ok(
        found.length > 0,
        `expected ${intended.code} in ${intended.file}; found:\n  ${show(findings.filter((f) => f.span.uri === intended.file))}`,
      );
      if (intended.span)
        assert.ok(
          found.some((f) => text(f) === intended.span),
          `${intended.code} on ${JSON.stringify(intended.span)}; found:\n  ${show(found)}`,
        );
      assert.ok(
        found.every((f) => f.severity !== 'info'),
        `${intended.code} is a real problem, not information`,
      );
    });
  }

  for (const folder of ['shop', 'bookstore', 'kube-system']) {
    it(`${folder} has no warnings or errors`, () => {
      const problems = findings.filter((f) => f.span.uri.startsWith(`${folder}/`) && f.severity !== 'info');
      assert.deepEqual(
        problems.map((f) => f.code),
        [],
        `unexpected:\n  ${show(problems)}`,
      );
    });
  }

  it('NR032 in shop/allow-app-traffic.yaml is silenced by its comment, and only by it', function () {
    if (!registered('NR032')) this.skip();
    const uri = 'shop/allow-app-traffic.yaml';
    assert.deepEqual(
      findings.filter((f) => f.span.uri === uri && f.code === 'NR032'),
      [],
    );
    const unsilenced = lintExamples((file, content) =>
      file === uri ? content.replace('# netreach-disable-next-line NR032', '#') : content,
    );
    const reported = unsilenced.findings.filter((f) => f.span.uri === uri && f.code === 'NR032');
    assert.equal(reported.length, 1, unsilenced.show(reported));
    assert.match(unsilenced.text(reported[0]), /^ipBlock:\n\s+cidr: 0\.0\.0\.0\/0/);
    assert.match(reported[0].message, /shop\/web\[Deployment\]/);
  });
});
