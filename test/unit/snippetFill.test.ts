// Filling snippet placeholders for the "Insert NetworkPolicy" command.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { fillSnippet, labelLines } from '../../client/src/snippetFill';

const root = path.join(__dirname, '..', '..');

describe('snippet filling', () => {
  it('replaces every occurrence of a placeholder and keeps later label lines in the mapping', () => {
    const body =
      'metadata:\n  namespace: ${2:default}\nspec:\n  podSelector:\n    matchLabels:\n      ${3:app: x}\n# ns again: $2\n';
    const filled = fillSnippet(
      body,
      new Map([
        [2, 'shop'],
        [3, 'app: web\ntier: frontend'],
      ]),
    );
    assert.equal(
      filled,
      'metadata:\n  namespace: shop\nspec:\n  podSelector:\n    matchLabels:\n      app: web\n      tier: frontend\n# ns again: shop\n',
    );
  });

  it('leaves unlisted placeholders (protocol choices, $0) for the user and escapes snippet syntax in values', () => {
    const filled = fillSnippet('protocol: ${4|TCP,UDP|}\nname: ${1:x}\n$0', new Map([[1, 'a$b}c']]));
    assert.equal(filled, 'protocol: ${4|TCP,UDP|}\nname: a\\$b\\}c\n$0');
  });

  it('quotes label values YAML would not read as strings', () => {
    assert.equal(
      labelLines({ enabled: 'true', version: '1.0', app: 'web', zip: '0123' }),
      'enabled: "true"\nversion: "1.0"\napp: web\nzip: "0123"',
    );
  });

  it('every bundled snippet filled with workspace-like values is valid YAML naming the values', () => {
    const snippets = JSON.parse(
      readFileSync(path.join(root, 'snippets', 'networkpolicy.code-snippets'), 'utf8'),
    ) as Record<string, { body: string[] | string }>;
    const parameters = JSON.parse(readFileSync(path.join(root, 'snippets', 'parameters.json'), 'utf8')) as Record<
      string,
      { parameters: { placeholder: number; kind: string }[] }
    >;
    const sample: Record<string, string> = {
      name: 'my-policy',
      namespace: 'shop',
      podLabels: 'app: web\ntier: "1"',
      namespaceLabels: 'kubernetes.io/metadata.name: shop',
      port: '8080',
    };
    for (const [name, snippet] of Object.entries(snippets)) {
      const values = new Map((parameters[name]?.parameters ?? []).map((p) => [p.placeholder, sample[p.kind]]));
      const body = Array.isArray(snippet.body) ? snippet.body.join('\n') : snippet.body;
      // What VS Code inserts for the placeholders left: their default text.
      const text = fillSnippet(body, values)
        .replace(/\$\{\d+\|([^,|]+)[^}]*\|\}/g, '$1')
        .replace(/\$\{\d+:([^}]*)\}/g, '$1')
        .replace(/\$\d+/g, '');
      const documents = parseAllDocuments(text);
      assert.ok(Array.isArray(documents), name);
      for (const document of documents) assert.deepEqual(document.errors, [], `${name}: ${text}`);
      assert.ok(
        !values.size || text.includes('shop') || text.includes('my-policy'),
        `${name} did not take the values:\n${text}`,
      );
    }
  });
});
