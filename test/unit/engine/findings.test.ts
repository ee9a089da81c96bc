// The readers' findings NR001-NR014: code, where (the smallest node that shows the problem,
// marked «» in each fixture), whether the API server would refuse the object, and the facts
// recorded for fixes. NR013 (duplicates) points at both definitions.
import { strict as assert } from 'node:assert';
import type { Finding } from '../../../server/src/engine';
import { fixture } from './helpers';

/** A NetworkPolicy in namespace x whose `spec` is `body` (already indented by two spaces). */
function policy(body: string, header = 'apiVersion: networking.k8s.io/v1'): string {
  return `${header}\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec:\n${body.replace(/^\n/, '').replace(/\s+$/, '')}\n`;
}

interface Case {
  readonly name: string;
  readonly text: string;
  readonly code: string;
  readonly message: RegExp;
  readonly rejected: boolean;
  readonly data?: Readonly<Record<string, unknown>>;
  /** The policy stays in the model (with its best-effort meaning). */
  readonly kept?: boolean;
}

const cases: Case[] = [
  {
    name: 'NR001 ipBlock together with a selector',
    code: 'NR001',
    text: policy(`
  podSelector: {}
  ingress:
    - from:
        - «ipBlock»: {cidr: 10.0.0.0/8}
          podSelector: {}`),
    message: /cannot combine `ipBlock` with `podSelector` or `namespaceSelector`/,
    rejected: true,
    kept: true,
  },
  {
    name: 'NR002 an empty peer',
    code: 'NR002',
    text: policy(`
  podSelector: {}
  ingress: [{from: [«{}»]}]`),
    message: /empty peer is refused/,
    rejected: true,
    kept: true,
  },
  {
    name: 'NR003 spec without podSelector: at the spec key',
    code: 'NR003',
    text: policy(`
  policyTypes: [Ingress]`).replace('spec:', '«spec»:'),
    message: /`spec.podSelector` is missing/,
    rejected: false,
    data: { specPresent: true },
    kept: true,
  },
  {
    name: 'NR003 no spec at all: at the name',
    code: 'NR003',
    text: 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: «p», namespace: x}\n',
    message: /`spec.podSelector` is missing/,
    rejected: false,
    data: { specPresent: false },
    kept: true,
  },
  {
    name: 'NR004 endPort without port',
    code: 'NR004',
    text: policy(`
  podSelector: {}
  ingress: [{ports: [{protocol: TCP, «endPort: 90»}]}]`),
    message: /`endPort` needs a `port`/,
    rejected: true,
    data: { endPort: 90 },
    kept: true,
  },
  {
    name: 'NR005 endPort with a named port',
    code: 'NR005',
    text: policy(`
  podSelector: {}
  ingress: [{ports: [{port: http, «endPort: 90»}]}]`),
    message: /`endPort` works only with a numbered `port`, not the name "http"/,
    rejected: true,
    data: { portName: 'http' },
    kept: true,
  },
  {
    name: 'NR006 endPort below port',
    code: 'NR006',
    text: policy(`
  podSelector: {}
  ingress: [{ports: [{port: 90, endPort: «80»}]}]`),
    message: /`endPort` 80 is lower than `port` 90/,
    rejected: true,
    data: { port: 90, endPort: 80 },
    kept: true,
  },
  {
    name: 'NR007 port number out of range',
    code: 'NR007',
    text: policy(`
  podSelector: {}
  ingress: [{ports: [{port: «70000»}]}]`),
    message: /Port 70000 is outside 1-65535/,
    rejected: true,
    kept: true,
  },
  {
    name: 'NR007 port 0',
    code: 'NR007',
    text: policy(`
  podSelector: {}
  egress: [{ports: [{port: «0»}]}]`),
    message: /Port 0 is outside 1-65535/,
    rejected: true,
    kept: true,
  },
  {
    name: 'NR007 a quoted number is a name, and names need a letter',
    code: 'NR007',
    text: policy(`
  podSelector: {}
  ingress: [{ports: [{port: «"8080"»}]}]`),
    message: /"8080" is a string, so it names a port/,
    rejected: true,
    data: { number: 8080 },
    kept: true,
  },
  {
    name: 'NR007 an invalid port name',
    code: 'NR007',
    text: policy(`
  podSelector: {}
  ingress: [{ports: [{port: «Web_UI»}]}]`),
    message: /Invalid port name: "Web_UI" may contain only lowercase letters, digits and '-'/,
    rejected: true,
    kept: true,
  },
  {
    name: 'NR007 a port name longer than 15 characters',
    code: 'NR007',
    text: policy(`
  podSelector: {}
  ingress: [{ports: [{port: «very-long-port-name»}]}]`),
    message: /longer than 15 characters/,
    rejected: true,
    kept: true,
  },
  {
    name: 'NR007 endPort out of range',
    code: 'NR007',
    text: policy(`
  podSelector: {}
  ingress: [{ports: [{port: 1000, endPort: «70000»}]}]`),
    message: /`endPort` 70000 is outside 1-65535/,
    rejected: true,
    kept: true,
  },
  {
    name: 'NR008 protocol in the wrong case',
    code: 'NR008',
    text: policy(`
  podSelector: {}
  ingress: [{ports: [{protocol: «tcp», port: 80}]}]`),
    message: /`tcp` must be written exactly `TCP`/,
    rejected: true,
    data: { replacement: 'TCP' },
    kept: true,
  },
  {
    name: 'NR008 an unknown protocol',
    code: 'NR008',
    text: policy(`
  podSelector: {}
  ingress: [{ports: [{protocol: «ICMP»}]}]`),
    message: /`ICMP` is not a protocol/,
    rejected: true,
    kept: true,
  },
  {
    name: 'NR008 a policy type in the wrong case',
    code: 'NR008',
    text: policy(`
  podSelector: {}
  policyTypes: [Ingress, «egress»]`),
    message: /`egress` must be written exactly `Egress`/,
    rejected: true,
    data: { replacement: 'Egress' },
    kept: true,
  },
  {
    name: 'NR008 an unknown policy type',
    code: 'NR008',
    text: policy(`
  podSelector: {}
  policyTypes: [«Both»]`),
    message: /`Both` is not a policy type/,
    rejected: true,
    kept: true,
  },
  {
    name: 'NR009 ipBlock without cidr',
    code: 'NR009',
    text: policy(`
  podSelector: {}
  ingress: [{from: [{«ipBlock»: {except: []}}]}]`),
    message: /`ipBlock` needs a `cidr`/,
    rejected: true,
    kept: true,
  },
  {
    name: 'NR009 a cidr that does not parse',
    code: 'NR009',
    text: policy(`
  podSelector: {}
  egress: [{to: [{ipBlock: {cidr: «10.0.0/8»}}]}]`),
    message: /`10.0.0\/8` is not a valid CIDR: "10.0.0" is not an IP address/,
    rejected: true,
    data: { what: 'cidr' },
    kept: true,
  },
  {
    name: 'NR009 a cidr without prefix length',
    code: 'NR009',
    text: policy(`
  podSelector: {}
  egress: [{to: [{ipBlock: {cidr: «10.0.0.1»}}]}]`),
    message: /needs a prefix length/,
    rejected: true,
    data: { what: 'cidr' },
    kept: true,
  },
  {
    name: 'NR009 an except outside the cidr',
    code: 'NR009',
    text: policy(`
  podSelector: {}
  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16, «11.0.0.0/16»]}}]}]`),
    message: /`11.0.0.0\/16` is not strictly inside `10.0.0.0\/8`/,
    rejected: true,
    kept: true,
  },
  {
    name: 'NR009 an except equal to the cidr',
    code: 'NR009',
    text: policy(`
  podSelector: {}
  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: [«10.0.0.0/8»]}}]}]`),
    message: /not strictly inside/,
    rejected: true,
    kept: true,
  },
  {
    name: 'NR009 an IPv6 except outside an IPv6 cidr',
    code: 'NR009',
    text: policy(`
  podSelector: {}
  ingress: [{from: [{ipBlock: {cidr: "fd00::/64", except: [«"fd01::/96"»]}}]}]`),
    message: /`fd01::\/96` is not strictly inside `fd00::\/64`/,
    rejected: true,
    kept: true,
  },
  {
    name: 'NR010 host bits set (accepted by the API, but probably not meant)',
    code: 'NR010',
    text: policy(`
  podSelector: {}
  ingress: [{from: [{ipBlock: {cidr: «10.1.2.3/8»}}]}]`),
    message: /`10.1.2.3\/8` has host bits set: it means the network `10.0.0.0\/8`/,
    rejected: false,
    data: { network: '10.0.0.0/8', host: '10.1.2.3/32' },
    kept: true,
  },
  {
    name: 'NR010 a leading zero',
    code: 'NR010',
    text: policy(`
  podSelector: {}
  ingress: [{from: [{ipBlock: {cidr: «010.0.0.0/8»}}]}]`),
    message: /leading zero/,
    rejected: true,
    data: { network: '10.0.0.0/8', host: undefined },
    kept: true,
  },
  {
    name: 'NR011 an invalid label key in matchLabels',
    code: 'NR011',
    text: policy(`
  podSelector: {matchLabels: {«-app»: web}}`),
    message: /Invalid label key: "-app" must start and end with a letter or digit/,
    rejected: true,
    kept: true,
  },
  {
    name: 'NR011 an invalid label value in matchLabels',
    code: 'NR011',
    text: policy(`
  podSelector: {matchLabels: {app: «web server»}}`),
    message: /Invalid label value: the value "web server"/,
    rejected: true,
    kept: true,
  },
  {
    name: 'NR011 an operator in the wrong case',
    code: 'NR011',
    text: policy(`
  podSelector: {matchExpressions: [{key: app, operator: «in», values: [web]}]}`),
    message: /"in" is not a selector operator; did you mean In\?/,
    rejected: true,
    data: { replacement: 'In' },
    kept: true,
  },
  {
    name: 'NR011 an unknown operator',
    code: 'NR011',
    text: policy(`
  podSelector: {matchExpressions: [{key: app, operator: «Equals», values: [web]}]}`),
    message: /"Equals" is not a selector operator \(In, NotIn, Exists, DoesNotExist\)/,
    rejected: true,
    kept: true,
  },
  {
    name: 'NR011 In without values',
    code: 'NR011',
    text: policy(`
  podSelector: {matchExpressions: [{key: app, operator: In, values: «[]»}]}`),
    message: /`In` needs at least one value in `values`/,
    rejected: true,
    data: { operator: 'In' },
    kept: true,
  },
  {
    name: 'NR011 NotIn with no values key at all: at the operator',
    code: 'NR011',
    text: policy(`
  podSelector: {matchExpressions: [{key: app, operator: «NotIn»}]}`),
    message: /`NotIn` needs at least one value/,
    rejected: true,
    data: { operator: 'NotIn' },
    kept: true,
  },
  {
    name: 'NR011 Exists with values: the whole `values` entry (a fix removes it)',
    code: 'NR011',
    text: policy(`
  podSelector: {matchExpressions: [{key: app, operator: Exists, «values: [web]»}]}`),
    message: /`Exists` takes no `values`/,
    rejected: true,
    data: { operator: 'Exists', removeValues: true },
    kept: true,
  },
  {
    name: 'NR011 an expression without key',
    code: 'NR011',
    text: policy(`
  podSelector: {matchExpressions: [«{operator: Exists}»]}`),
    message: /has no `key`/,
    rejected: true,
    kept: true,
  },
  {
    name: 'NR011 an expression without operator',
    code: 'NR011',
    text: policy(`
  podSelector: {matchExpressions: [«{key: app, values: [web]}»]}`),
    message: /has no `operator`/,
    rejected: true,
    kept: true,
  },
  {
    name: 'NR011 an invalid value in matchExpressions values',
    code: 'NR011',
    text: policy(`
  podSelector: {}
  ingress: [{from: [{namespaceSelector: {matchExpressions: [{key: team, operator: In, values: [ok, «not ok»]}]}}]}]`),
    message: /Invalid label value: the value "not ok"/,
    rejected: true,
    kept: true,
  },
  {
    name: 'NR011 an invalid key in matchExpressions',
    code: 'NR011',
    text: policy(`
  podSelector: {matchExpressions: [{key: «example.com/», operator: Exists}]}`),
    message: /Invalid label key: the name part of "example.com\/" is empty/,
    rejected: true,
    kept: true,
  },
  {
    name: 'NR012 the removed extensions/v1beta1 API',
    code: 'NR012',
    text: policy(
      `
  podSelector: {}`,
      'apiVersion: «extensions/v1beta1»',
    ),
    message: /removed in Kubernetes 1.16; use `networking.k8s.io\/v1`/,
    rejected: true,
    kept: true,
  },
];

function only(findings: readonly Finding[], code: string): Finding {
  const matching = findings.filter((f) => f.code === code);
  assert.equal(
    matching.length,
    1,
    `expected one ${code}, got ${JSON.stringify(
      findings.map((f) => [f.code, f.message]),
      null,
      1,
    )}`,
  );
  return matching[0];
}

describe('engine findings', () => {
  for (const c of cases) {
    it(c.name, () => {
      const fx = fixture(c.text);
      assert.equal(fx.spans.length, 1, 'each case marks one span');
      const finding = only(fx.findings(), c.code);
      assert.match(finding.message, c.message);
      const text = fx.text();
      assert.equal(
        text.slice(finding.span.start, finding.span.end),
        text.slice(fx.spans[0].start, fx.spans[0].end),
        'the span covers the marked text',
      );
      assert.deepEqual(finding.span, fx.spans[0]);
      assert.equal(finding.severity, 'error');
      assert.equal(finding.rejectedByApi ?? false, c.rejected, 'rejectedByApi');
      if (c.data) assert.deepEqual(finding.data, c.data);
      assert.equal(fx.workspace.policies.length, c.kept ? 1 : 0, 'the policy stays in the model');
    });
  }

  it('every finding is reported once, in the file it belongs to', () => {
    const fx = fixture({
      'a.yaml': policy(`
  podSelector: {}
  ingress: [{ports: [{protocol: «udp»}]}]`),
      'b.yaml': policy(`
  podSelector: {}
  egress: [{ports: [{port: «0»}]}]`).replace('name: p', 'name: q'),
    });
    assert.deepEqual(
      fx.findings().map((f) => [f.code, f.span]),
      [
        ['NR008', fx.spans[0]],
        ['NR007', fx.spans[1]],
      ],
    );
  });

  describe('NR013 duplicates', () => {
    it('points at both definitions of a NetworkPolicy, each with the other as related information', () => {
      const fx = fixture({
        'one.yaml': policy('  podSelector: {}').replace('name: p', 'name: «p»'),
        'two.yaml': policy('  podSelector: {matchLabels: {app: a}}').replace('name: p', 'name: «p»'),
      });
      const duplicates = fx.findings('NR013');
      assert.equal(duplicates.length, 2);
      const [first, second] = fx.spans;
      assert.deepEqual(
        duplicates.map((d) => [d.span, d.related?.map((r) => r.span)]),
        [
          [first, [second]],
          [second, [first]],
        ],
      );
      assert.match(duplicates[0].message, /NetworkPolicy "x\/p" is defined twice/);
      assert.deepEqual(duplicates[0].data, { kind: 'NetworkPolicy' });
      // The last one applied wins.
      assert.equal(fx.workspace.policies.length, 1);
      assert.equal(fx.workspace.policies[0].object.file.uri, 'two.yaml');
    });

    it('reports duplicate Namespaces and workloads, but not same names in other namespaces or kinds', () => {
      const fx = fixture(`
        {apiVersion: v1, kind: Namespace, metadata: {name: «shop»}}
        ---
        {apiVersion: v1, kind: Namespace, metadata: {name: «shop», labels: {a: b}}}
        ---
        {apiVersion: apps/v1, kind: Deployment, metadata: {name: «web», namespace: shop}}
        ---
        {apiVersion: apps/v1, kind: Deployment, metadata: {name: «web», namespace: shop}}
        ---
        {apiVersion: apps/v1, kind: Deployment, metadata: {name: web, namespace: other}}
        ---
        {apiVersion: apps/v1, kind: StatefulSet, metadata: {name: web, namespace: shop}}
      `);
      const duplicates = fx.findings('NR013');
      assert.deepEqual(
        duplicates.map((d) => [d.data?.kind, d.span]),
        [
          ['Namespace', fx.spans[0]],
          ['Namespace', fx.spans[1]],
          ['Deployment', fx.spans[2]],
          ['Deployment', fx.spans[3]],
        ],
      );
      assert.deepEqual(Object.fromEntries(fx.workspace.namespaces.get('shop')!.labels), {
        a: 'b',
        'kubernetes.io/metadata.name': 'shop',
      });
    });
  });

  it('a clean policy has no findings', () => {
    const fx = fixture(
      policy(`
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress, Egress]
  ingress:
    - from:
        - namespaceSelector: {matchExpressions: [{key: team, operator: NotIn, values: [a, b]}]}
          podSelector: {matchExpressions: [{key: tier, operator: Exists}]}
        - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}
      ports: [{port: 80}, {protocol: UDP, port: 5000, endPort: 5010}, {port: http}]
  egress:
    - to: [{ipBlock: {cidr: "fd00::/8"}}]`),
    );
    assert.deepEqual(fx.findings(), []);
  });
});
