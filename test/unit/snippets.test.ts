// The NetworkPolicy snippets (snippets/networkpolicy.code-snippets) and their parameter list
// (snippets/parameters.json): each body, with its placeholders resolved, must be valid YAML made
// of NetworkPolicies that netreach would report nothing about, and every declared parameter must
// land where its kind says.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const root = join(__dirname, '..', '..');
const snippetsPath = join(root, 'snippets', 'networkpolicy.code-snippets');
const parametersPath = join(root, 'snippets', 'parameters.json');

interface Snippet {
  scope?: string;
  prefix: string | string[];
  description: string;
  body: string | string[];
}
type ParameterKind = 'namespace' | 'podLabels' | 'port' | 'name' | 'namespaceLabels';
interface Parameter {
  placeholder: number;
  kind: ParameterKind;
  default: string;
}
interface SnippetParameters {
  prefix: string;
  parameters: Parameter[];
}

// The snippets this project ships; adding or removing one is a deliberate change of this list.
const EXPECTED_PREFIXES = [
  'netpol-default-deny-ingress',
  'netpol-default-deny-egress',
  'netpol-default-deny-all',
  'netpol-allow-dns',
  'netpol-allow-from-app',
  'netpol-allow-from-namespace',
  'netpol-allow-from-all-namespaces',
  'netpol-allow-from-pods-in-namespace',
  'netpol-deny-from-other-namespaces',
  'netpol-allow-ports',
  'netpol-deny-external-egress',
  'netpol-allow-internet-egress',
];
const KINDS: readonly ParameterKind[] = ['namespace', 'podLabels', 'port', 'name', 'namespaceLabels'];

// ---------------------------------------------------------------------------------------------
// VS Code snippet syntax: $n, ${n}, ${n:text} (text may nest), ${n|a,b|}, escapes \$ \} \\.
// Variables ($NAME) are not used by these snippets and are rejected, as is a bare '$'.

interface Occurrence {
  n: number;
  /** the placeholder's own text, or undefined for $n / ${n} */
  text?: string;
  choices?: string[];
}

type Node = string | { n: number; children?: Node[]; choices?: string[] };

function parseSnippet(src: string): Node[] {
  let i = 0;
  const fail = (msg: string): never => {
    throw new Error(`${msg} at offset ${i}: ${JSON.stringify(src.slice(Math.max(0, i - 20), i + 20))}`);
  };
  const parseSeq = (inPlaceholder: boolean): Node[] => {
    const out: Node[] = [];
    let text = '';
    while (i < src.length) {
      const c = src[i];
      if (c === '\\' && i + 1 < src.length && '$}\\'.includes(src[i + 1])) {
        text += src[i + 1];
        i += 2;
      } else if (c === '}' && inPlaceholder) {
        break;
      } else if (c === '$') {
        if (text) out.push(text);
        text = '';
        out.push(parseDollar());
      } else {
        text += c;
        i++;
      }
    }
    if (text) out.push(text);
    return out;
  };
  const parseDollar = (): Node => {
    i++; // $
    const digits = /^\d+/.exec(src.slice(i));
    if (digits) {
      i += digits[0].length;
      return { n: Number(digits[0]) };
    }
    if (src[i] !== '{') fail('a "$" that is neither a tabstop nor escaped');
    i++;
    const num = /^\d+/.exec(src.slice(i));
    if (!num) return fail('a variable or malformed placeholder');
    i += num[0].length;
    const n = Number(num[0]);
    if (src[i] === '}') {
      i++;
      return { n };
    }
    if (src[i] === ':') {
      i++;
      const children = parseSeq(true);
      if (src[i] !== '}') fail('an unterminated placeholder');
      i++;
      return { n, children };
    }
    if (src[i] === '|') {
      i++;
      const choices: string[] = [];
      let cur = '';
      for (;;) {
        if (i >= src.length) fail('an unterminated choice');
        const c = src[i];
        if (c === '\\' && i + 1 < src.length && '$}\\,|'.includes(src[i + 1])) {
          cur += src[i + 1];
          i += 2;
        } else if (c === ',') {
          choices.push(cur);
          cur = '';
          i++;
        } else if (c === '|' && src[i + 1] === '}') {
          choices.push(cur);
          i += 2;
          return { n, choices };
        } else {
          cur += c;
          i++;
        }
      }
    }
    return fail('a malformed placeholder');
  };
  const nodes = parseSeq(false);
  if (i !== src.length) fail('an unmatched "}"');
  return nodes;
}

function collect(nodes: Node[], out: Occurrence[] = []): Occurrence[] {
  for (const node of nodes) {
    if (typeof node === 'string') continue;
    if (node.choices) out.push({ n: node.n, choices: node.choices });
    else if (node.children) {
      out.push({ n: node.n, text: render(node.children, new Map(), new Map(), '') });
      collect(node.children, out);
    } else out.push({ n: node.n });
  }
  return out;
}

/**
 * Renders a parsed body. `values` overrides placeholders (continuation lines of a multi-line
 * value are indented like the line the placeholder is on, as parameters.json specifies);
 * otherwise a placeholder takes its own text, a mirror ($n) the text of its placeholder, a choice
 * its first option, and $0 nothing.
 */
function render(nodes: Node[], values: Map<number, string>, defaults: Map<number, Node[]>, before: string): string {
  let out = '';
  for (const node of nodes) {
    const lineStart = (before + out).lastIndexOf('\n') + 1;
    const indent = /^[ \t]*/.exec((before + out).slice(lineStart))![0];
    if (typeof node === 'string') out += node;
    else if (node.n !== 0 && values.has(node.n))
      out += values
        .get(node.n)!
        .split('\n')
        .join('\n' + indent);
    else if (node.choices) out += node.choices[0];
    else if (node.children) out += render(node.children, values, defaults, before + out);
    else if (node.n !== 0 && defaults.has(node.n)) out += render(defaults.get(node.n)!, values, defaults, before + out);
  }
  return out;
}

function bodyText(s: Snippet): string {
  return Array.isArray(s.body) ? s.body.join('\n') : s.body;
}

/** The body with every placeholder resolved to its default, or to `values` where given. */
function resolveSnippet(s: Snippet, values = new Map<number, string>()): string {
  const nodes = parseSnippet(bodyText(s));
  const defaults = new Map<number, Node[]>();
  const walk = (ns: Node[]) => {
    for (const node of ns) {
      if (typeof node === 'string') continue;
      if (node.children) {
        if (!defaults.has(node.n)) defaults.set(node.n, node.children);
        walk(node.children);
      }
    }
  };
  walk(nodes);
  return render(nodes, values, defaults, '');
}

// ---------------------------------------------------------------------------------------------
// A plain view of the resolved documents, and the checks netreach would make on them.

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function loadDocuments(text: string): Obj[] {
  const docs = parseAllDocuments(text);
  assert.ok(Array.isArray(docs), 'the body is a stream of documents');
  const out: Obj[] = [];
  for (const doc of docs) {
    assert.deepEqual(
      doc.errors.map((e) => e.message),
      [],
      'the body is valid YAML',
    );
    assert.deepEqual(
      doc.warnings.map((e) => e.message),
      [],
      'the body parses without YAML warnings',
    );
    const value: unknown = doc.toJS();
    assert.ok(isObj(value), 'every document is a mapping');
    out.push(value);
  }
  return out;
}

const DNS_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];
const METADATA = '169.254.169.254/32';

function checkSelector(sel: unknown, where: string): void {
  assert.ok(isObj(sel), `${where} is a mapping`);
  if (sel.matchLabels !== undefined) {
    assert.ok(isObj(sel.matchLabels), `${where}.matchLabels is a mapping`);
    for (const [k, v] of Object.entries(sel.matchLabels)) {
      assert.equal(typeof v, 'string', `${where}.matchLabels.${k} is a string`);
    }
  }
}

function checkPeer(peer: unknown, where: string): void {
  assert.ok(isObj(peer), `${where} is a mapping`);
  const keys = Object.keys(peer);
  assert.ok(keys.length > 0, `${where} is not an empty peer (NR002)`);
  assert.ok(
    keys.every((k) => ['podSelector', 'namespaceSelector', 'ipBlock'].includes(k)),
    `${where} has only peer fields`,
  );
  if (peer.ipBlock !== undefined) {
    assert.deepEqual(keys, ['ipBlock'], `${where}: ipBlock stands alone (NR001)`);
    const block = peer.ipBlock;
    assert.ok(isObj(block) && typeof block.cidr === 'string', `${where}.ipBlock.cidr is a string`);
    if (block.cidr === '0.0.0.0/0') {
      const except = asList(block.except);
      for (const r of [...PRIVATE_RANGES, METADATA]) {
        assert.ok(except.includes(r), `${where}: 0.0.0.0/0 excepts ${r} (NR061/NR062)`);
      }
    }
  }
  if (peer.podSelector !== undefined) checkSelector(peer.podSelector, `${where}.podSelector`);
  if (peer.namespaceSelector !== undefined) {
    checkSelector(peer.namespaceSelector, `${where}.namespaceSelector`);
    const labels = (peer.namespaceSelector as Obj).matchLabels;
    assert.ok(
      !isObj(labels) || !('name' in labels),
      `${where}: namespaces are matched by kubernetes.io/metadata.name, not name (NR028)`,
    );
  }
}

function checkPorts(ports: unknown, where: string): void {
  for (const [i, p] of asList(ports).entries()) {
    assert.ok(isObj(p), `${where}[${i}] is a mapping`);
    assert.ok(
      ['TCP', 'UDP', 'SCTP'].includes(p.protocol as string),
      `${where}[${i}].protocol is explicit (NR008/NR040)`,
    );
    const port = p.port;
    assert.ok(
      (typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535) ||
        (typeof port === 'string' && /^(?=.*[a-z])[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(port) && port.length <= 15),
      `${where}[${i}].port is a valid number or name (NR007)`,
    );
    assert.equal(p.endPort, undefined, `${where}[${i}] does not use endPort (NR045)`);
  }
}

function checkRules(spec: Obj, dir: 'ingress' | 'egress', where: string): void {
  const peersKey = dir === 'ingress' ? 'from' : 'to';
  for (const [i, rule] of asList(spec[dir]).entries()) {
    const at = `${where}.${dir}[${i}]`;
    assert.ok(isObj(rule), `${at} is a mapping`);
    const peers = asList(rule[peersKey]);
    assert.ok(peers.length > 0, `${at} names its peers: no "allow from/to anyone" rule (NR024/NR053)`);
    peers.forEach((p, j) => checkPeer(p, `${at}.${peersKey}[${j}]`));
    const only = (p: unknown, key: string) => isObj(p) && Object.keys(p).length === 1 && key in p;
    peers.forEach((p, j) => {
      const next = peers[j + 1];
      const split =
        (only(p, 'namespaceSelector') && only(next, 'podSelector')) ||
        (only(p, 'podSelector') && only(next, 'namespaceSelector'));
      assert.ok(!split, `${at}.${peersKey}[${j}]: adjacent namespaceSelector and podSelector peers are an OR (NR022)`);
    });
    checkPorts(rule.ports, `${at}.ports`);
  }
}

/** Whether the documents allow `protocol` 53 to the cluster DNS pods for egress. */
function allowsDns(docs: Obj[], protocol: 'UDP' | 'TCP'): boolean {
  return docs.some((d) =>
    asList((d.spec as Obj).egress).some((rule) => {
      if (!isObj(rule)) return false;
      const ports = asList(rule.ports);
      const portOk = ports.length === 0 || ports.some((p) => isObj(p) && p.protocol === protocol && p.port === 53);
      const peerOk = asList(rule.to).some((peer) => {
        if (!isObj(peer)) return false;
        const ns = peer.namespaceSelector;
        const pods = peer.podSelector;
        const allNamespaces = isObj(ns) && Object.keys(ns).length === 0;
        const kubeSystem =
          isObj(ns) && isObj(ns.matchLabels) && ns.matchLabels['kubernetes.io/metadata.name'] === 'kube-system';
        const kubeDns = isObj(pods) && isObj(pods.matchLabels) && pods.matchLabels['k8s-app'] === 'kube-dns';
        const anyPods = pods === undefined || (isObj(pods) && Object.keys(pods).length === 0);
        return (allNamespaces && (anyPods || kubeDns)) || (kubeSystem && (anyPods || kubeDns));
      });
      return portOk && peerOk;
    }),
  );
}

function checkPolicy(doc: Obj, where: string): void {
  assert.equal(doc.apiVersion, 'networking.k8s.io/v1', `${where}.apiVersion (NR012)`);
  assert.equal(doc.kind, 'NetworkPolicy', `${where}.kind`);
  const meta = doc.metadata;
  assert.ok(isObj(meta), `${where}.metadata`);
  assert.ok(typeof meta.name === 'string' && DNS_NAME.test(meta.name), `${where}.metadata.name is a valid name`);
  assert.ok(
    typeof meta.namespace === 'string' && DNS_LABEL.test(meta.namespace),
    `${where}.metadata.namespace is set (NR033)`,
  );
  const spec = doc.spec;
  assert.ok(isObj(spec), `${where}.spec`);
  checkSelector(spec.podSelector, `${where}.spec.podSelector (NR003)`);
  const types = spec.policyTypes;
  assert.ok(Array.isArray(types) && types.length > 0, `${where}.spec.policyTypes is explicit (NR021)`);
  assert.ok(
    types.every((t) => t === 'Ingress' || t === 'Egress') && new Set(types).size === types.length,
    `${where}.spec.policyTypes holds Ingress and/or Egress once each (NR008)`,
  );
  if (spec.ingress !== undefined) assert.ok(types.includes('Ingress'), `${where}: ingress rules need Ingress (NR020)`);
  if (spec.egress !== undefined) assert.ok(types.includes('Egress'), `${where}: egress rules need Egress (NR020)`);
  const allowed = ['podSelector', 'policyTypes', 'ingress', 'egress'];
  for (const k of Object.keys(spec)) assert.ok(allowed.includes(k), `${where}.spec.${k} is a known field`);
  checkRules(spec, 'ingress', `${where}.spec`);
  checkRules(spec, 'egress', `${where}.spec`);
}

// ---------------------------------------------------------------------------------------------

const snippets: Record<string, Snippet> = JSON.parse(readFileSync(snippetsPath, 'utf8'));
const parameters: Record<string, SnippetParameters> = JSON.parse(readFileSync(parametersPath, 'utf8'));
const entries = Object.entries(snippets);

describe('snippets/networkpolicy.code-snippets', () => {
  it('is strict JSON with the expected snippets, unique prefixes starting with netpol-', () => {
    const prefixes = entries.map(([, s]) => s.prefix);
    for (const p of prefixes) assert.equal(typeof p, 'string', 'one prefix per snippet');
    assert.equal(new Set(prefixes).size, prefixes.length, 'prefixes are unique');
    assert.deepEqual([...prefixes].sort(), [...EXPECTED_PREFIXES].sort());
  });

  for (const [name, snippet] of entries) {
    describe(`${name} (${String(snippet.prefix)})`, () => {
      it('has a YAML scope, a description and a body', () => {
        assert.equal(snippet.scope, 'yaml');
        assert.ok(typeof snippet.description === 'string' && snippet.description.length > 10, 'description');
        assert.ok(Array.isArray(snippet.body) && snippet.body.length > 3, 'body lines');
      });

      it('uses only well-formed tabstops, placeholders and choices, and ends at $0', () => {
        const occ = collect(parseSnippet(bodyText(snippet)));
        assert.equal(occ.filter((o) => o.n === 0).length, 1, 'exactly one $0');
        for (const o of occ.filter((x) => x.n !== 0)) {
          assert.ok(
            occ.some((x) => x.n === o.n && (x.text !== undefined || x.choices)),
            `$${o.n} has a default somewhere`,
          );
        }
        assert.ok(
          occ.some((o) => o.n > 0),
          'at least one placeholder (name and namespace)',
        );
      });

      it('starts with a one-line "# why:" comment', () => {
        const first = (snippet.body as string[])[0];
        assert.match(first, /^# why: [A-Z].{20,200}\.$/);
        assert.ok(!first.includes('$'), 'no placeholder in the why line');
      });

      it('resolves to NetworkPolicies netreach has nothing to report about', () => {
        const text = resolveSnippet(snippet);
        assert.ok(text.startsWith('# why: '), 'the why line stays first');
        const docs = loadDocuments(text);
        assert.ok(docs.length >= 1);
        docs.forEach((d, i) => checkPolicy(d, `document ${i + 1}`));
        const names = docs.map((d) => `${(d.metadata as Obj).namespace}/${(d.metadata as Obj).name}`);
        assert.equal(new Set(names).size, names.length, 'no namespace/name twice (NR013)');
        const egressIsolated = docs.some((d) => asList((d.spec as Obj).policyTypes).includes('Egress'));
        if (egressIsolated) {
          assert.ok(allowsDns(docs, 'UDP'), 'DNS over UDP 53 to the cluster DNS stays allowed (NR050)');
          assert.ok(allowsDns(docs, 'TCP'), 'DNS over TCP 53 to the cluster DNS stays allowed (NR051)');
        }
      });

      it('silences a check only with the documented directive, on a line followed by YAML', () => {
        const lines = resolveSnippet(snippet).split('\n');
        lines.forEach((line, i) => {
          if (!line.includes('netreach-disable')) return;
          assert.match(line, /^\s*# netreach-disable-next-line NR\d{3}$/);
          assert.ok(lines[i + 1] !== undefined && !/^\s*(#|$)/.test(lines[i + 1]), 'a YAML line follows');
        });
      });
    });
  }
});

describe('snippets/parameters.json', () => {
  it('describes exactly the snippets, with their prefixes', () => {
    assert.deepEqual(Object.keys(parameters).sort(), Object.keys(snippets).sort());
    for (const [name, p] of Object.entries(parameters)) assert.equal(p.prefix, snippets[name].prefix, name);
  });

  for (const [name, snippet] of entries) {
    describe(name, () => {
      const declared = () => parameters[name]?.parameters ?? [];

      it('declares known kinds, once per placeholder, including the name and the namespace', () => {
        const ps = declared();
        for (const p of ps) {
          assert.ok(KINDS.includes(p.kind), `kind ${p.kind}`);
          assert.ok(Number.isInteger(p.placeholder) && p.placeholder > 0, `placeholder ${p.placeholder}`);
          assert.equal(typeof p.default, 'string');
        }
        assert.equal(new Set(ps.map((p) => p.placeholder)).size, ps.length, 'no placeholder declared twice');
        assert.equal(ps.filter((p) => p.kind === 'name').length, 1, 'one name parameter');
        assert.ok(
          ps.some((p) => p.kind === 'namespace'),
          'a namespace parameter',
        );
        assert.deepEqual(
          ps.map((p) => p.placeholder),
          [...ps.map((p) => p.placeholder)].sort((a, b) => a - b),
          'listed in tab order',
        );
      });

      it('every declared placeholder exists in the body with the declared default', () => {
        const occ = collect(parseSnippet(bodyText(snippet)));
        for (const p of declared()) {
          const texts = occ.filter((o) => o.n === p.placeholder && o.text !== undefined).map((o) => o.text!);
          assert.ok(texts.length > 0, `\${${p.placeholder}:...} is in the body`);
          const unindented = texts.map((t) =>
            t
              .split('\n')
              .map((l) => l.trimStart())
              .join('\n'),
          );
          assert.ok(unindented.includes(p.default), `default of ${p.placeholder}: ${JSON.stringify(unindented)}`);
        }
      });

      it('every value lands where its kind says', () => {
        const values = new Map<number, string>();
        const marker = (p: Parameter, i: number): string => {
          switch (p.kind) {
            case 'name':
              return `zz-name-${i}`;
            case 'namespace':
              return `zz-ns-${i}`;
            case 'port':
              return String(40000 + i);
            case 'podLabels':
            case 'namespaceLabels':
              // two labels: the second line must stay in the same mapping
              return `zz-key-${i}: v${i}\nzz-key2-${i}: "true"`;
          }
        };
        declared().forEach((p, i) => values.set(p.placeholder, marker(p, i)));
        const docs = loadDocuments(resolveSnippet(snippet, values));
        docs.forEach((d, i) => checkPolicy(d, `document ${i + 1}`));
        const all = JSON.stringify(docs);
        declared().forEach((p, i) => {
          const v = marker(p, i);
          const found = (pred: (o: Obj, key: string, parentKey: string) => boolean): boolean => {
            const visit = (node: unknown, parentKey: string): boolean => {
              if (Array.isArray(node)) return node.some((x) => visit(x, parentKey));
              if (!isObj(node)) return false;
              return Object.entries(node).some(([k, x]) => pred(node, k, parentKey) || visit(x, k));
            };
            return docs.some((d) => visit(d, ''));
          };
          switch (p.kind) {
            case 'name':
              assert.ok(
                docs.some((d) => (d.metadata as Obj).name === v),
                `name ${v} in metadata.name`,
              );
              break;
            case 'namespace':
              assert.ok(
                docs.some((d) => (d.metadata as Obj).namespace === v) ||
                  found(
                    (o, k, parent) => parent === 'matchLabels' && k === 'kubernetes.io/metadata.name' && o[k] === v,
                  ),
                `namespace ${v} in metadata.namespace or a namespace name: ${all}`,
              );
              break;
            case 'port':
              assert.ok(
                found((o, k, parent) => parent === 'ports' && k === 'port' && o[k] === Number(v)),
                `port ${v} in ports[].port`,
              );
              break;
            case 'podLabels':
            case 'namespaceLabels': {
              const selector = p.kind === 'podLabels' ? 'podSelector' : 'namespaceSelector';
              assert.ok(
                found(
                  (o, k, parent) =>
                    parent === selector &&
                    k === 'matchLabels' &&
                    isObj(o[k]) &&
                    (o[k] as Obj)[`zz-key-${i}`] === `v${i}` &&
                    (o[k] as Obj)[`zz-key2-${i}`] === 'true',
                ),
                `labels of ${p.placeholder} in one ${selector}.matchLabels: ${all}`,
              );
              break;
            }
          }
        });
      });
    });
  }
});

describe('snippet syntax resolution (the helper these tests rely on)', () => {
  const body = (lines: string[]): Snippet => ({ prefix: 'x', description: 'x', body: lines });

  it('resolves placeholders, mirrors, choices, $0 and escapes', () => {
    assert.equal(
      resolveSnippet(body(['a: ${1:foo}', 'b: $1', 'c: ${2|TCP,UDP|}', 'd: \\$5 \\} ${3}', '$0'])),
      'a: foo\nb: foo\nc: TCP\nd: $5 } \n',
    );
    assert.equal(resolveSnippet(body(['x: ${1:a ${2:b}}'])), 'x: a b');
  });

  it('indents the later lines of a multi-line value like the placeholder line', () => {
    const s = body(['m:', '  ${1:a: b}', 'n: 1']);
    assert.equal(resolveSnippet(s, new Map([[1, 'x: 1\ny: 2']])), 'm:\n  x: 1\n  y: 2\nn: 1');
  });

  it('rejects malformed bodies', () => {
    assert.throws(() => resolveSnippet(body(['a: ${1:foo'])), /unterminated/);
    assert.throws(() => resolveSnippet(body(['a: $HOME'])), /neither a tabstop/);
    assert.throws(() => resolveSnippet(body(['a: ${TM_FILENAME}'])), /variable/);
  });
});
