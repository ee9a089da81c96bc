// docs/checks.md is where every diagnostic links (docsUrl): one section per code of the
// catalog, under a heading whose GitHub anchor is the lowercase code, with the catalog's
// default severity, an example and the ways to silence it.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { allChecks, docsUrl } from '../../../server/src/engine';

const TEXT = readFileSync(path.resolve(__dirname, '../../../docs/checks.md'), 'utf8');

/** The section of one code: from its heading to the next heading of the same or a higher level. */
function section(code: string): string | undefined {
  const start = TEXT.indexOf(`\n### ${code}\n`);
  if (start < 0) return undefined;
  const rest = TEXT.slice(start + 1);
  const next = rest.slice(1).search(/\n##+ /);
  return next < 0 ? rest : rest.slice(0, next + 1);
}

describe('docs/checks.md', () => {
  it('links point at the page and at a lowercase anchor', () => {
    assert.equal(docsUrl('NR022'), 'https://github.com/netreach/netreach/blob/main/docs/checks.md#nr022');
  });

  for (const check of allChecks()) {
    it(`documents ${check.code}`, () => {
      assert.equal(
        TEXT.split(`\n### ${check.code}\n`).length,
        2,
        `exactly one heading "### ${check.code}" (anchor #${check.code.toLowerCase()})`,
      );
      const body = section(check.code)!;
      const titleLine = body.split('\n').find((l) => l.startsWith('**'));
      assert.ok(
        titleLine?.includes(check.severity),
        `the title line names the default severity ${check.severity}: ${titleLine}`,
      );
      assert.match(body, /```yaml\n[\s\S]+?```/, 'a YAML example');
      assert.match(body, /\*\*Quick fix\*\*/, 'the quick fix, or that there is none');
      assert.ok(body.includes(`# netreach-disable-next-line ${check.code}`), 'how to silence it with a comment');
      assert.ok(body.includes(`"${check.code}": "off"`), 'how to turn it off in settings');
      assert.ok(TEXT.includes(`[${check.code}](#${check.code.toLowerCase()})`), 'listed in the contents');
    });
  }
});
