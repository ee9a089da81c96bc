/**
 * Small fixtures for the engine tests: a workspace built from inline YAML templates, with
 * markers for the positions a test checks.
 *
 * Markers (removed from the text before parsing):
 *   «...»  a span; spans are numbered in order of appearance, over all files in order
 *   ‸      a caret (an offset), numbered the same way
 *
 * Endpoint names in expectations: `ns/name` (any kind), `ns/name[Kind]`, or an IP address.
 */
import { strict as assert } from 'node:assert';
import {
  buildWorkspace,
  explain,
  formatConnections,
  parseConnections,
  parseIp,
  portSetKey,
  ReachabilityIndex,
  type AnalysisOptions,
  type Endpoint,
  type Finding,
  type Policy,
  type PortSet,
  type Span,
  type Workload,
  type Workspace,
} from '../../../server/src/engine';
import { dedent } from '../../dedent';

export { dedent };

export interface Marked {
  readonly text: string;
  readonly spans: { start: number; end: number }[];
  readonly carets: number[];
}

/** Strips «» and ‸ markers, recording where they were (UTF-16 offsets into the clean text). */
export function mark(input: string): Marked {
  let text = '';
  const spans: { start: number; end: number }[] = [];
  const open: number[] = [];
  const carets: number[] = [];
  for (const ch of input) {
    if (ch === '«') open.push(spans.push({ start: text.length, end: -1 }) - 1);
    else if (ch === '»') {
      const i = open.pop();
      assert.ok(i !== undefined, 'unbalanced » in fixture');
      spans[i].end = text.length;
    } else if (ch === '‸') carets.push(text.length);
    else text += ch;
  }
  assert.equal(open.length, 0, 'unbalanced « in fixture');
  return { text, spans, carets };
}

export interface Fixture {
  readonly workspace: Workspace;
  /** Marked spans of all files, in order. */
  readonly spans: Span[];
  readonly carets: { uri: string; offset: number }[];
  /** The clean text of a file. */
  text(uri?: string): string;
  index(options?: Partial<AnalysisOptions>): ReachabilityIndex;
  workload(name: string): Workload;
  endpoint(name: string): Endpoint;
  policy(id: string): Policy;
  findings(code?: string): Finding[];
  /** The allowed connections as connlist writes them. */
  conn(from: string, to: string, options?: Partial<AnalysisOptions>): string;
}

/** A workspace from one file (`test.yaml`) or several (`{ 'a.yaml': ..., 'b.yaml': ... }`). */
export function fixture(input: string | Readonly<Record<string, string>>): Fixture {
  const files = typeof input === 'string' ? { 'test.yaml': input } : input;
  const texts = new Map<string, string>();
  const spans: Span[] = [];
  const carets: { uri: string; offset: number }[] = [];
  for (const [uri, raw] of Object.entries(files)) {
    const marked = mark(dedent(raw));
    texts.set(uri, marked.text);
    for (const s of marked.spans) spans.push({ uri, start: s.start, end: s.end });
    for (const c of marked.carets) carets.push({ uri, offset: c });
  }
  const workspace = buildWorkspace([...texts].map(([uri, text]) => ({ uri, text })));
  const indexes = new Map<string, ReachabilityIndex>();
  const index = (options: Partial<AnalysisOptions> = {}) => {
    const key = JSON.stringify(options);
    let result = indexes.get(key);
    if (!result) {
      result = new ReachabilityIndex(workspace, options);
      indexes.set(key, result);
    }
    return result;
  };
  const fx: Fixture = {
    workspace,
    spans,
    carets,
    text: (uri = Object.keys(files)[0]) => texts.get(uri)!,
    index,
    workload: (name) => findWorkload(workspace, name),
    endpoint: (name) => endpointOf(workspace, name),
    policy: (id) => {
      const policy = workspace.policies.find((p) => p.id === id || p.name === id);
      assert.ok(policy, `no policy ${id}; have ${workspace.policies.map((p) => p.id).join(', ')}`);
      return policy;
    },
    findings: (code) => workspace.findings.filter((f) => code === undefined || f.code === code),
    conn: (from, to, options) => {
      const i = index(options);
      return formatConnections(i.connection(endpointOf(workspace, from), endpointOf(workspace, to)));
    },
  };
  return fx;
}

export function findWorkload(workspace: Workspace, name: string): Workload {
  const match = /^([^/]+)\/([^[]+)(?:\[(\w+)\])?$/.exec(name);
  assert.ok(match, `bad workload name ${name}`);
  const [, namespace, workloadName, kind] = match;
  const found = workspace.workloads.filter(
    (w) => w.namespace === namespace && w.name === workloadName && (kind === undefined || w.kind === kind),
  );
  assert.equal(
    found.length,
    1,
    `expected one workload ${name}; have ${workspace.workloads.map((w) => w.id).join(', ')}`,
  );
  return found[0];
}

export function endpointOf(workspace: Workspace, name: string): Endpoint {
  const ip = parseIp(name);
  if (ip) return { kind: 'ip', range: { family: ip.family, start: ip.value, end: ip.value } };
  return { kind: 'workload', workload: findWorkload(workspace, name) };
}

/** Compares connection strings as sets (so `TCP 80,81` equals `TCP 80-81`). */
export function assertSameConnections(actual: PortSet | string, expected: string, message?: string): void {
  const a = typeof actual === 'string' ? parseConnections(actual) : actual;
  const e = parseConnections(expected);
  assert.ok(a && e, `unreadable connections: ${String(actual)} / ${expected}`);
  assert.equal(formatConnections(a), formatConnections(e), message);
}

/**
 * Checks expected connections, given as `'from -> to': 'conn'` (conn in connlist form,
 * `none` for nothing), and that explain() agrees with the index on each of them.
 */
export function expectConnections(
  fx: Fixture,
  expected: Readonly<Record<string, string>>,
  options: Partial<AnalysisOptions> = {},
): void {
  const index = fx.index(options);
  for (const [pair, conn] of Object.entries(expected)) {
    const [from, to] = pair.split(/\s*->\s*/);
    const source = fx.endpoint(from);
    const destination = fx.endpoint(to);
    const actual = index.connection(source, destination);
    assertSameConnections(
      actual,
      conn === 'none' ? 'No Connections' : conn,
      `${pair} (options ${JSON.stringify(options)})`,
    );
    const explanation = explain(index, source, destination);
    assert.equal(portSetKey(explanation.allowed), portSetKey(actual), `explain disagrees with the index on ${pair}`);
  }
}

/** A one-line Pod manifest (flow style), safe to interpolate into a template. */
export function pod(
  ref: string,
  labels: Readonly<Record<string, string>> = {},
  extra: { ip?: string | string[]; ports?: string; owner?: string } = {},
): string {
  const [namespace, name] = ref.includes('/') ? ref.split('/') : [undefined, ref];
  const meta = [`name: ${name}`];
  if (namespace) meta.push(`namespace: ${namespace}`);
  if (Object.keys(labels).length)
    meta.push(
      `labels: {${Object.entries(labels)
        .map(([k, v]) => `${k}: "${v}"`)
        .join(', ')}}`,
    );
  if (extra.owner) {
    const [kind, ownerName] = extra.owner.split('/');
    meta.push(
      `ownerReferences: [{apiVersion: apps/v1, kind: ${kind}, name: ${ownerName}, controller: true, uid: u-${ownerName}}]`,
    );
  }
  const ports = extra.ports ? `, ports: [${extra.ports.split(',').map(portEntry).join(', ')}]` : '';
  const ips = extra.ip === undefined ? [] : Array.isArray(extra.ip) ? extra.ip : [extra.ip];
  const status = ips.length
    ? `, status: {podIP: "${ips[0]}", podIPs: [${ips.map((ip) => `{ip: "${ip}"}`).join(', ')}]}`
    : '';
  return `{apiVersion: v1, kind: Pod, metadata: {${meta.join(', ')}}, spec: {containers: [{name: c, image: i${ports}}]}${status}}`;
}

/** `http:8080/TCP`, `8080`, `dns:53/UDP` -> a flow-style container port. */
function portEntry(text: string): string {
  const match = /^(?:([a-z0-9-]+):)?(\d+)(?:\/(TCP|UDP|SCTP))?$/.exec(text.trim());
  assert.ok(match, `bad port ${text}`);
  const [, name, port, protocol] = match;
  return `{${name ? `name: ${name}, ` : ''}containerPort: ${port}${protocol ? `, protocol: ${protocol}` : ''}}`;
}

/** A one-line Namespace manifest. */
export function namespace(name: string, labels: Readonly<Record<string, string>> = {}): string {
  const l = Object.entries(labels)
    .map(([k, v]) => `${k}: "${v}"`)
    .join(', ');
  return `{apiVersion: v1, kind: Namespace, metadata: {name: ${name}${l ? `, labels: {${l}}` : ''}}}`;
}
