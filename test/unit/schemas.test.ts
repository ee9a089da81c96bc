// schemas/networkpolicy.schema.json, exercised through yaml-language-server, the library the
// netreach language server uses for schema validation, completion and hover. yaml-language-server
// also checks the schema itself against the JSON Schema draft-07 meta-schema (with ajv), and
// reports a schema that fails as a diagnostic; the first tests rely on that.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getLanguageService, type LanguageService } from 'yaml-language-server';
import { SettingsState } from 'yaml-language-server/out/src/yamlSettings.js';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CompletionItem, Diagnostic } from 'vscode-languageserver-types';

const root = join(__dirname, '..', '..');
const schemaPath = join(root, 'schemas', 'networkpolicy.schema.json');
const snippetsPath = join(root, 'snippets', 'networkpolicy.code-snippets');

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObj = { [k: string]: Json };
const isObj = (v: unknown): v is JsonObj => typeof v === 'object' && v !== null && !Array.isArray(v);

const schemaText = readFileSync(schemaPath, 'utf8');
const schema = JSON.parse(schemaText) as JsonObj;
const SCHEMA_URI = 'file:///netreach/schemas/networkpolicy.schema.json';
const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

function newService(s: JsonObj): LanguageService {
  // yaml-language-server 2.0.0 localizes meta-schema errors with ajv-i18n and, without a locale,
  // reads a property that does not exist under Node's ESM loader and throws; 'en' avoids that.
  const settings = new SettingsState();
  settings.locale = 'en';
  const ls = getLanguageService({
    schemaRequestService: (uri) => Promise.reject(new Error(`no network in tests: ${uri}`)),
    workspaceContext: { resolveRelativePath: (p) => p },
    yamlSettings: settings,
  });
  ls.configure({
    validate: true,
    hover: true,
    completion: true,
    isKubernetes: false,
    schemas: [{ uri: SCHEMA_URI, fileMatch: ['*.yaml'], schema: s }],
  });
  return ls;
}

let docCounter = 0;
function doc(text: string): TextDocument {
  docCounter += 1;
  return TextDocument.create(`file:///work/test-${docCounter}.yaml`, 'yaml', 1, text);
}

// A copy: yaml-language-server annotates the schema objects it is given (e.g. _sourceUri).
const service = newService(JSON.parse(schemaText) as JsonObj);
const validate = (text: string): Promise<Diagnostic[]> => service.doValidation(doc(text), false);
const message = (d: Diagnostic): string => (typeof d.message === 'string' ? d.message : d.message.value);
const brief = (ds: Diagnostic[]) => ds.map((d) => `${d.range.start.line + 1}: ${message(d)} [${d.source}]`);

/** Text with a caret '|' marking a position. */
function atCaret(textWithCaret: string): { document: TextDocument; position: { line: number; character: number } } {
  const offset = textWithCaret.indexOf('|');
  assert.ok(offset >= 0, 'caret marker');
  const document = doc(textWithCaret.slice(0, offset) + textWithCaret.slice(offset + 1));
  return { document, position: document.positionAt(offset) };
}

// Snippet bodies with every placeholder at its default (the snippet test checks the resolution in
// depth; this one only needs the default text): ${n:text} -> text, ${n|a,b|} -> a, $n -> ''.
function resolveDefaults(body: string): string {
  let prev = '';
  let text = body;
  while (prev !== text) {
    prev = text;
    text = text.replace(/\$\{\d+:((?:[^{}\\$]|\\.)*)\}/g, '$1');
  }
  return text
    .replace(/\$\{\d+\|([^,|]*)[^|]*\|\}/g, '$1')
    .replace(/\$\{\d+\}|\$\d+/g, '')
    .replace(/\\([$}\\])/g, '$1');
}

const MINIMAL = [
  'apiVersion: networking.k8s.io/v1',
  'kind: NetworkPolicy',
  'metadata:',
  '  name: p',
  '  namespace: default',
  'spec:',
  '  podSelector: {}',
  '  policyTypes:',
  '    - Ingress',
  '',
].join('\n');

describe('schemas/networkpolicy.schema.json', () => {
  describe('as a JSON Schema', () => {
    it('declares draft-07', () => {
      assert.equal(schema.$schema, DRAFT_07);
    });

    it('passes the draft-07 meta-schema check of yaml-language-server', async () => {
      const ds = await validate(MINIMAL);
      assert.deepEqual(brief(ds), []);
    });

    it('(control) a schema that breaks the meta-schema is reported, so the check above is real', async () => {
      const broken = JSON.parse(schemaText) as JsonObj;
      ((broken.definitions as JsonObj).IPBlock as JsonObj).type = 'objekt';
      const ds = await newService(broken).doValidation(doc(MINIMAL), false);
      assert.ok(
        ds.some((d) => /is not valid/.test(message(d)) && /\/definitions\/IPBlock\/type/.test(message(d))),
        brief(ds).join('\n'),
      );
    });

    it('resolves every $ref, and every definition is used', () => {
      const defs = schema.definitions as JsonObj;
      const used = new Set<string>();
      const visit = (node: Json, path: string): void => {
        if (Array.isArray(node)) return node.forEach((n, i) => visit(n, `${path}/${i}`));
        if (!isObj(node)) return;
        for (const [k, v] of Object.entries(node)) {
          if (k === '$ref') {
            assert.equal(typeof v, 'string');
            const m = /^#\/definitions\/([A-Za-z]+)$/.exec(v as string);
            assert.ok(m && m[1] in defs, `${path}: $ref ${String(v)} resolves`);
            used.add(m[1]);
          } else if (k !== 'defaultSnippets') visit(v, `${path}/${k}`);
        }
      };
      visit(schema, '#');
      assert.deepEqual(Object.keys(defs).sort(), [...used].sort());
    });

    it('gives every property a description for hovers, and uses only draft-07 types', () => {
      const types = ['object', 'array', 'string', 'integer', 'number', 'boolean', 'null'];
      const visit = (node: Json, path: string): void => {
        if (Array.isArray(node)) return node.forEach((n, i) => visit(n, `${path}/${i}`));
        if (!isObj(node)) return;
        if ('type' in node) {
          const t = node.type;
          for (const x of Array.isArray(t) ? t : [t]) assert.ok(types.includes(x as string), `${path}: type ${x}`);
        }
        if (isObj(node.properties)) {
          for (const [name, p] of Object.entries(node.properties)) {
            assert.ok(isObj(p), `${path}/properties/${name}`);
            assert.ok(
              typeof p.description === 'string' && p.description.length > 10,
              `${path}/properties/${name} has a description`,
            );
            assert.ok(!String(p.description).includes('`'), `${path}/properties/${name}: plain description`);
          }
        }
        for (const [k, v] of Object.entries(node)) if (k !== 'defaultSnippets') visit(v, `${path}/${k}`);
      };
      visit(schema, '#');
    });

    it('is about shape and types: no required podSelector, no "not", unknown fields allowed', () => {
      const visit = (node: Json, path: string): void => {
        if (Array.isArray(node)) return node.forEach((n, i) => visit(n, `${path}/${i}`));
        if (!isObj(node)) return;
        assert.ok(!('not' in node), `${path}: no "not"`);
        if (Array.isArray(node.required)) assert.ok(!node.required.includes('podSelector'), `${path}: podSelector`);
        if (node.type === 'object' && isObj(node.properties)) {
          assert.equal(node.additionalProperties, true, `${path}: unknown fields are allowed`);
        }
        for (const [k, v] of Object.entries(node)) if (k !== 'defaultSnippets') visit(v, `${path}/${k}`);
      };
      visit(schema, '#');
    });

    it('follows the API for the fields people get wrong', () => {
      const defs = schema.definitions as Record<string, JsonObj>;
      const props = (d: string) => defs[d].properties as Record<string, JsonObj>;
      assert.deepEqual(props('NetworkPolicyPort').protocol.enum, ['TCP', 'UDP', 'SCTP']);
      assert.deepEqual(props('NetworkPolicyPort').port.type, ['integer', 'string']);
      assert.equal(props('NetworkPolicyPort').endPort.type, 'integer');
      assert.deepEqual((props('NetworkPolicySpec').policyTypes.items as JsonObj).enum, ['Ingress', 'Egress']);
      assert.deepEqual(props('LabelSelectorRequirement').operator.enum, ['In', 'NotIn', 'Exists', 'DoesNotExist']);
      assert.deepEqual(Object.keys(props('NetworkPolicyPeer')), ['podSelector', 'namespaceSelector', 'ipBlock']);
      assert.deepEqual(Object.keys(props('NetworkPolicySpec')), ['podSelector', 'policyTypes', 'ingress', 'egress']);
      assert.deepEqual(defs.IPBlock.required, ['cidr']);
      assert.deepEqual(defs.StringMap.additionalProperties, { type: 'string' });
    });
  });

  describe('validating documents', () => {
    const snippets = JSON.parse(readFileSync(snippetsPath, 'utf8')) as Record<string, { body: string[] }>;
    for (const [name, s] of Object.entries(snippets)) {
      it(`accepts the snippet "${name}"`, async () => {
        const text = resolveDefaults(s.body.join('\n'));
        assert.ok(!text.includes('${'), 'all placeholders resolved');
        assert.deepEqual(brief(await validate(text)), []);
      });
    }

    it('accepts unknown fields (the API server drops them; kubectl rejects them by default)', async () => {
      const text =
        MINIMAL.replace('  name: p', '  name: p\n  uid: 1234\n  resourceVersion: "7"') + '  futureField: 1\n';
      assert.deepEqual(brief(await validate(text)), []);
    });

    // Each wrong document marks with '#!' the line where the offending value starts.
    const wrong: Array<[string, string]> = [
      ['a port list instead of a port', '  ingress:\n    - ports:\n        - port: [80] #!\n'],
      ['protocol in lower case', '  ingress:\n    - ports:\n        - protocol: tcp #!\n          port: 80\n'],
      ['policyTypes in lower case', '  egress:\n    - {}\n  policyTypes:\n    - egress #!\n'],
      ['a named endPort', '  ingress:\n    - ports:\n        - port: 8000\n          endPort: "8080" #!\n'],
      [
        'a boolean label value',
        '  ingress:\n    - from:\n        - podSelector:\n            matchLabels:\n              enabled: true #!\n',
      ],
      [
        'a numeric label value',
        '  ingress:\n    - from:\n        - namespaceSelector:\n            matchLabels:\n              version: 1.0 #!\n',
      ],
      ['a peer instead of a list of peers', '  ingress:\n    - from:\n        podSelector: {} #!\n'],
      [
        'an operator in lower case',
        '  ingress:\n    - from:\n        - podSelector:\n            matchExpressions:\n              - key: app\n                operator: in #!\n                values: [a]\n',
      ],
      ['an ipBlock without cidr', '  egress:\n    - to:\n        - ipBlock: #!\n            except: [10.0.0.0/8]\n'],
      ['rules as a mapping', '  ingress:\n    from: [] #!\n'],
    ];
    for (const [what, specTail] of wrong) {
      it(`rejects ${what}`, async () => {
        const base = MINIMAL.replace(
          '  policyTypes:\n    - Ingress\n',
          specTail.includes('policyTypes') ? '' : '  policyTypes:\n    - Ingress\n    - Egress\n',
        );
        const text = base + specTail;
        const line = text.split('\n').findIndex((l) => l.includes('#!'));
        const ds = (await validate(text)).filter((d) => String(d.source).startsWith('yaml-schema'));
        assert.ok(
          ds.some((d) => d.range.start.line === line),
          `a schema diagnostic on line ${line + 1}:\n${text}\ngot:\n${brief(ds).join('\n')}`,
        );
      });
    }
  });

  describe('completion and hover', () => {
    const labels = (items: CompletionItem[]) => items.map((i) => i.label);

    it('completes the fields of spec, and only those', async () => {
      const { document, position } = atCaret(MINIMAL.replace('  podSelector: {}\n', '  podSelector: {}\n  |\n'));
      const got = labels((await service.doComplete(document, position, false)).items);
      for (const f of ['ingress', 'egress']) assert.ok(got.includes(f), `${f} in ${got.join(', ')}`);
      for (const f of got) assert.ok(!/^(status|from|to|ports)$/.test(f), `unexpected ${f}`);
    });

    it('completes the fields of a port and the protocol values', async () => {
      const base = MINIMAL + '  ingress:\n    - ports:\n        - protocol: TCP\n          |\n';
      const a = atCaret(base);
      const fields = labels((await service.doComplete(a.document, a.position, false)).items);
      assert.ok(fields.includes('port') && fields.includes('endPort'), fields.join(', '));
      const b = atCaret(MINIMAL + '  ingress:\n    - ports:\n        - protocol: |\n');
      const values = labels((await service.doComplete(b.document, b.position, false)).items);
      assert.deepEqual(values.filter((v) => ['TCP', 'UDP', 'SCTP'].includes(v)).sort(), ['SCTP', 'TCP', 'UDP']);
    });

    it('offers the AND peer and the DNS rule as completion snippets', async () => {
      const peer = atCaret(MINIMAL + '  ingress:\n    - from:\n        - |\n');
      const peerItems = labels((await service.doComplete(peer.document, peer.position, false)).items);
      assert.ok(peerItems.includes('pods of another namespace (AND)'), peerItems.join(', '));
      const rule = atCaret(MINIMAL.replace('    - Ingress\n', '    - Egress\n') + '  egress:\n    - |\n');
      const ruleItems = labels((await service.doComplete(rule.document, rule.position, false)).items);
      assert.ok(ruleItems.includes('DNS to the cluster DNS'), ruleItems.join(', '));
    });

    it('explains the traps in hovers', async () => {
      const cases: Array<[string, RegExp]> = [
        [MINIMAL + '  ingress:\n    - ports:\n        - port: 8000\n          end|Port: 8080\n', /inclusive/],
        [MINIMAL + '  ingress:\n    - from:\n        - namespace|Selector: {}\n', /all pods/],
        [MINIMAL.replace('policy|Types', 'policyTypes').replace('  policyTypes', '  policy|Types'), /defaults to/],
        [MINIMAL + '  ingress:\n    - ports:\n        - proto|col: UDP\n', /default/],
      ];
      for (const [text, expected] of cases) {
        const { document, position } = atCaret(text);
        const hover = await service.doHover(document, position);
        const value =
          hover && typeof hover.contents === 'object' && 'value' in hover.contents ? hover.contents.value : '';
        assert.match(value, expected, text);
      }
    });
  });
});
