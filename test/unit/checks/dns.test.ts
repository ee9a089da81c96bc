import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fixesOf } from '../../../server/src/engine';
import { containsBlock, dedent, expectFindings, expectFix, expectFixInEveryStyle, lint } from './lintFixture';

const pod = (name: string, labels: string, ns = 'x', ports = '') =>
  `{apiVersion: v1, kind: Pod, metadata: {name: ${name}, namespace: ${ns}, labels: {${labels}}}, spec: {containers: [{name: c, image: i${ports ? `, ports: [${ports}]` : ''}}]}}`;

const WEB = pod('web', 'app: web');
const API = pod('api', 'app: api');
const COREDNS_CUSTOM = pod(
  'dns',
  'k8s-app: coredns',
  'kube-system',
  '{name: dns, containerPort: 53, protocol: UDP}, {name: dns-tcp, containerPort: 53}',
);

const DEFAULT_DENY = `
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata:
    name: default-deny
    namespace: x
  spec:
    podSelector: {}
    policyTypes:
      - Ingress
      - «Egress»
`;

const ALLOW_DNS = (selector = '{}') => `
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata:
    name: allow-dns
    namespace: x
  spec:
    podSelector: ${selector}
    policyTypes: [Egress]
    egress:
      - to:
          - namespaceSelector:
              matchLabels:
                kubernetes.io/metadata.name: kube-system
            podSelector:
              matchLabels:
                k8s-app: kube-dns
        ports:
          - protocol: UDP
            port: 53
          - protocol: TCP
            port: 53
`;

/** A policy for app=web with the given egress rules and spec lines (written as under `spec`). */
const egressPolicy = (rules: string, extra = 'policyTypes: [Egress]') =>
  [
    'apiVersion: networking.k8s.io/v1',
    'kind: NetworkPolicy',
    'metadata:',
    '  name: web',
    '  namespace: x',
    'spec:',
    '  podSelector:',
    '    matchLabels:',
    '      app: web',
    ...(extra ? extra.split('\n').map((l) => `  ${l}`) : []),
    ...rules.split('\n').map((l) => `  ${l}`),
  ].join('\n') + '\n';

const docs = (...parts: string[]) => parts.map((p) => dedent(p)).join('---\n');
const noMarks = (text: string) => text.replace(/[«»]/g, '');

describe('checks: DNS', () => {
  describe('NR050 egress isolation without DNS', () => {
    const cases: [string, string | Record<string, string>][] = [
      ['a default deny with workloads and no DNS rule', docs(DEFAULT_DENY, WEB, API)],
      ['a default deny without any workload in the workspace', docs(DEFAULT_DENY)],
      [
        'isolation by an egress key without policyTypes',
        docs(egressPolicy('«egress»:\n  - to:\n      - podSelector: {}', ''), WEB),
      ],
      [
        'a DNS rule whose namespace label does not exist',
        docs(
          egressPolicy(
            'egress:\n  - to:\n      - namespaceSelector:\n          matchLabels:\n            name: kube-system\n    ports:\n      - protocol: UDP\n        port: 53',
            'policyTypes: [«Egress»]',
          ),
          WEB,
        ),
      ],
      [
        'a DNS rule on TCP only',
        docs(
          egressPolicy('egress:\n  - ports:\n      - protocol: TCP\n        port: 53', 'policyTypes: [«Egress»]'),
          WEB,
        ),
      ],
      ['DNS allowed for some pods only', docs(DEFAULT_DENY, ALLOW_DNS('{matchLabels: {app: web}}'), WEB, API)],
      ['near miss: a separate allow-dns policy', docs(noMarks(DEFAULT_DENY), ALLOW_DNS(), WEB, API)],
      ['near miss: a separate allow-dns policy, no workloads', docs(noMarks(DEFAULT_DENY), ALLOW_DNS())],
      [
        'near miss: the policy allows DNS itself',
        docs(
          egressPolicy(
            'egress:\n  - to:\n      - namespaceSelector: {}\n        podSelector:\n          matchLabels:\n            k8s-app: kube-dns\n    ports:\n      - protocol: UDP\n        port: 53',
          ),
          WEB,
        ),
      ],
      [
        'near miss: port 53 to anyone',
        docs(egressPolicy('egress:\n  - ports:\n      - protocol: UDP\n        port: 53'), WEB),
      ],
      [
        'near miss: the named DNS port',
        docs(
          egressPolicy(
            'egress:\n  - to:\n      - namespaceSelector: {}\n    ports:\n      - protocol: UDP\n        port: dns',
          ),
          WEB,
        ),
      ],
      ['near miss: allow all egress', docs(egressPolicy('egress:\n  - {}'), WEB)],
      [
        'near miss: the whole internet without except',
        docs(egressPolicy('egress:\n  - to:\n      - ipBlock:\n          cidr: 0.0.0.0/0'), WEB),
      ],
      ['near miss: ingress only', docs(noMarks(DEFAULT_DENY).replace('      - Egress\n', ''), WEB)],
      [
        'near miss: the policy selects no workload of its namespace',
        docs(egressPolicy('egress: []').replace('app: web', 'app: nothing'), WEB),
      ],
      [
        'near miss: DNS pods of the workspace, reached by their own labels',
        docs(
          egressPolicy(
            'egress:\n  - to:\n      - namespaceSelector: {}\n        podSelector:\n          matchLabels:\n            k8s-app: coredns\n    ports:\n      - protocol: UDP\n        port: 53',
          ),
          WEB,
          COREDNS_CUSTOM,
        ),
      ],
    ];
    for (const [name, files] of cases) it(name, () => expectFindings(files, 'NR050', 'warning'));

    it('reports once per policy and names only the pods without DNS', () => {
      const findings = lint({
        't.yaml': noMarks(docs(DEFAULT_DENY, ALLOW_DNS('{matchLabels: {app: web}}'), WEB, API)),
      }).filter((f) => f.code === 'NR050');
      assert.equal(findings.length, 1);
      assert.deepEqual(findings[0].data?.workloads, ['x/api[Pod]']);
      assert.match(findings[0].message, /x\/api\[Pod\]/);
      assert.doesNotMatch(findings[0].message, /x\/web/);
    });

    it('every isolating policy without DNS is reported, the DNS policy is not', () => {
      const findings = lint({
        't.yaml': noMarks(docs(DEFAULT_DENY, egressPolicy('egress:\n  - to:\n      - podSelector: {}'), WEB)),
      }).filter((f) => f.code === 'NR050');
      assert.equal(findings.length, 2);
    });

    it('fix: appends a DNS rule to the egress list', () => {
      const text = docs(
        egressPolicy(
          'egress:\n  # to the api\n  - to:\n      - podSelector:\n          matchLabels:\n            app: api',
        ),
        WEB,
        API,
      );
      expectFix(noMarks(text), 'NR050', {
        title: 'Add an egress rule',
        preferred: true,
        contains: `
          egress:
            # to the api
            - to:
                - podSelector:
                    matchLabels:
                      app: api
            - to:
                - namespaceSelector:
                    matchLabels:
                      kubernetes.io/metadata.name: kube-system
                  podSelector:
                    matchLabels:
                      k8s-app: kube-dns
              ports:
                - protocol: UDP
                  port: 53
                - protocol: TCP
                  port: 53
        `,
      });
      expectFixInEveryStyle(noMarks(text), 'NR050', { title: 'Add an egress rule' });
    });

    it('fix: creates egress: when the policy has none', () => {
      expectFix(noMarks(docs(DEFAULT_DENY, WEB)), 'NR050', {
        title: 'Add an egress rule',
        contains: `
          spec:
            podSelector: {}
            policyTypes:
              - Ingress
              - Egress
            egress:
              - to:
        `,
      });
      expectFixInEveryStyle(noMarks(docs(DEFAULT_DENY, WEB)), 'NR050', { title: 'Add an egress rule' });
    });

    it('fix: replaces an empty egress list', () => {
      // A block list shows whether this file indents lists under their key.
      const text = docs(egressPolicy('egress: [] # nothing yet', 'policyTypes:\n  - Egress'), WEB);
      expectFix(text, 'NR050', { title: 'Add an egress rule', contains: 'egress: # nothing yet' });
      // (The yaml package moves such a comment below the key, so the style check runs without it.)
      expectFixInEveryStyle(text.replace(' # nothing yet', ''), 'NR050', { title: 'Add an egress rule' });
    });

    it('fix: uses the labels of the DNS pods found in the workspace', () => {
      expectFix(noMarks(docs(DEFAULT_DENY, WEB, COREDNS_CUSTOM)), 'NR050', {
        title: 'Add an egress rule',
        contains: 'k8s-app: coredns',
      });
    });

    it('fix: a separate allow-dns policy when the policy selects every pod', () => {
      const fixed = expectFix(noMarks(docs(DEFAULT_DENY, WEB)), 'NR050', {
        title: 'allow-dns',
        preferred: false,
        contains: `
          ---
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata:
            name: allow-dns
            namespace: x
          spec:
            podSelector: {}
            policyTypes:
              - Egress
            egress:
        `,
      });
      assert.ok(fixed.includes('kind: Pod'), 'the documents after it are kept');
      expectFixInEveryStyle(noMarks(docs(DEFAULT_DENY, WEB)), 'NR050', { title: 'allow-dns' });
      const narrow = lint({ 't.yaml': docs(egressPolicy('egress: []'), WEB) }).find((f) => f.code === 'NR050')!;
      assert.ok(
        !fixesOf(narrow).some((f) => f.title.includes('allow-dns')),
        'no namespace-wide policy for a policy that selects some pods',
      );
    });
  });

  describe('NR051 DNS on UDP only', () => {
    const udpOnly =
      'egress:\n  - to:\n      - namespaceSelector: {}\n    ports:\n      - «protocol: UDP\n        port: 53»';
    const cases: [string, string][] = [
      ['UDP 53 alone', docs(egressPolicy(udpOnly), WEB)],
      [
        'the named UDP port of the DNS pods',
        docs(egressPolicy('egress:\n  - ports:\n      - «port: dns\n        protocol: UDP»'), WEB),
      ],
      [
        'near miss: UDP and TCP',
        docs(
          egressPolicy(
            'egress:\n  - ports:\n      - protocol: UDP\n        port: 53\n      - protocol: TCP\n        port: 53',
          ),
          WEB,
        ),
      ],
      [
        'near miss: 53 without protocol beside UDP',
        docs(egressPolicy('egress:\n  - ports:\n      - protocol: UDP\n        port: 53\n      - port: 53'), WEB),
      ],
      [
        'near miss: TCP 53 in another rule to the same peers',
        docs(
          egressPolicy(
            'egress:\n  - to:\n      - namespaceSelector: {}\n    ports:\n      - protocol: UDP\n        port: 53\n  - to:\n      - namespaceSelector: {}\n    ports:\n      - protocol: TCP\n        port: 53',
          ),
          WEB,
        ),
      ],
      [
        'near miss: another UDP port',
        docs(egressPolicy('egress:\n  - ports:\n      - protocol: UDP\n        port: 123'), WEB),
      ],
    ];
    for (const [name, text] of cases) it(name, () => expectFindings(text, 'NR051', 'warning'));

    it('fix: adds TCP 53 beside the UDP entry', () => {
      expectFix(noMarks(docs(egressPolicy(udpOnly), WEB)), 'NR051', {
        preferred: true,
        contains: `
          ports:
            - protocol: UDP
              port: 53
            - protocol: TCP
              port: 53
        `,
      });
      expectFixInEveryStyle(noMarks(docs(egressPolicy(udpOnly), WEB)), 'NR051');
    });
  });

  describe('NR052 NodeLocal DNSCache missed', () => {
    const NODE_LOCAL_DNS = dedent(`
      apiVersion: apps/v1
      kind: DaemonSet
      metadata: {name: node-local-dns, namespace: kube-system}
      spec:
        selector: {matchLabels: {k8s-app: node-local-dns}}
        template:
          metadata: {labels: {k8s-app: node-local-dns}}
          spec:
            hostNetwork: true
            containers: [{name: node-cache, image: k8s-dns-node-cache}]
    `);
    const dnsRule = (extraPeer = '') =>
      'egress:\n  - «to:\n      - namespaceSelector: {}\n        podSelector:\n          matchLabels:\n            k8s-app: kube-dns' +
      extraPeer +
      '»\n    ports:\n      - protocol: UDP\n        port: 53\n      - protocol: TCP\n        port: 53';
    const cases: [string, string][] = [
      [
        'DNS to the CoreDNS pods only, with NodeLocal DNSCache in the workspace',
        docs(egressPolicy(dnsRule()), WEB, NODE_LOCAL_DNS),
      ],
      ['near miss: no NodeLocal DNSCache in the workspace', noMarks(docs(egressPolicy(dnsRule()), WEB))],
      [
        'near miss: the rule allows the node-local address too',
        noMarks(
          docs(egressPolicy(dnsRule('\n      - ipBlock:\n          cidr: 169.254.20.10/32')), WEB, NODE_LOCAL_DNS),
        ),
      ],
      [
        'near miss: another policy allows the node-local address',
        noMarks(
          docs(
            egressPolicy(dnsRule()),
            egressPolicy(
              'egress:\n  - to:\n      - ipBlock:\n          cidr: 169.254.0.0/16\n    ports:\n      - protocol: UDP\n        port: 53',
            ).replace('name: web', 'name: web-node-local'),
            WEB,
            NODE_LOCAL_DNS,
          ),
        ),
      ],
      [
        'near miss: DNS to anyone on port 53',
        noMarks(
          docs(egressPolicy('egress:\n  - ports:\n      - protocol: UDP\n        port: 53'), WEB, NODE_LOCAL_DNS),
        ),
      ],
    ];
    for (const [name, text] of cases) it(name, () => expectFindings(text, 'NR052', 'warning'));

    it('names the pods that lose DNS and the agent', () => {
      const [finding] = lint({ 'test.yaml': noMarks(docs(egressPolicy(dnsRule()), WEB, NODE_LOCAL_DNS)) }).filter(
        (f) => f.code === 'NR052',
      );
      assert.match(finding.message, /NodeLocal DNSCache \(kube-system\/node-local-dns\[DaemonSet\]\)/);
      assert.match(finding.message, /lookups from x\/web\[Pod\] fail/);
    });

    it('fix: adds the node-local address to the rule', () => {
      const text = noMarks(docs(egressPolicy(dnsRule()), WEB, NODE_LOCAL_DNS));
      expectFix(text, 'NR052', {
        preferred: true,
        contains: `
          - to:
              - namespaceSelector: {}
                podSelector:
                  matchLabels:
                    k8s-app: kube-dns
              - ipBlock:
                  cidr: 169.254.20.10/32
        `,
      });
      expectFixInEveryStyle(text, 'NR052');
    });
  });

  describe('NR053 DNS to any destination', () => {
    const anyone =
      'egress:\n  # resolvers\n  - ports:\n      - «protocol: UDP\n        port: 53»\n      - protocol: TCP\n        port: 53';
    const cases: [string, string][] = [
      ['port 53 without to', docs(egressPolicy(anyone), WEB)],
      [
        'port 53 with an empty to',
        docs(egressPolicy('egress:\n  - to: []\n    ports:\n      - «port: 53\n        protocol: UDP»'), WEB),
      ],
      ['near miss: to the DNS pods', docs(noMarks(ALLOW_DNS()), WEB)],
      ['near miss: another port without to', docs(egressPolicy('egress:\n  - ports:\n      - port: 443'), WEB)],
    ];
    for (const [name, text] of cases) it(name, () => expectFindings(text, 'NR053', 'info'));

    it('fix: scopes the rule to the cluster DNS pods', () => {
      expectFix(noMarks(docs(egressPolicy(anyone), WEB)), 'NR053', {
        preferred: true,
        contains: `
          # resolvers
          - to:
              - namespaceSelector:
                  matchLabels:
                    kubernetes.io/metadata.name: kube-system
                podSelector:
                  matchLabels:
                    k8s-app: kube-dns
            ports:
              - protocol: UDP
        `,
      });
      expectFixInEveryStyle(noMarks(docs(egressPolicy(anyone), WEB)), 'NR053');
      expectFixInEveryStyle(
        docs(egressPolicy('egress:\n  - to: []\n    ports:\n      - port: 53\n        protocol: UDP'), WEB),
        'NR053',
      );
    });
  });

  describe('examples', () => {
    const root = path.resolve(__dirname, '../../../examples');
    const read = (dir: string) =>
      Object.fromEntries(
        readdirSync(path.join(root, dir))
          .filter((f) => f.endsWith('.yaml'))
          .map((f) => [`${dir}/${f}`, readFileSync(path.join(root, dir, f), 'utf8')]),
      );

    it('common-mistakes/dns-udp-only.yaml reports NR050 and NR051', () => {
      const files = { ...read('common-mistakes'), ...read('kube-system') };
      const findings = lint(files).filter(
        (f) => f.span.uri === 'common-mistakes/dns-udp-only.yaml' && /^NR05/.test(f.code),
      );
      const text = files['common-mistakes/dns-udp-only.yaml'];
      assert.deepEqual(
        findings.map((f) => [f.code, text.slice(f.span.start, f.span.end).replace(/\s+/g, ' ')]),
        [
          ['NR050', 'Egress'],
          ['NR051', 'protocol: UDP port: 53'],
        ],
      );
      assert.deepEqual(findings[0].data?.workloads, ['legacy/frontend[Deployment]', 'legacy/backend[Deployment]']);
    });

    for (const dir of ['shop', 'bookstore']) {
      for (const withDns of [false, true]) {
        it(`${dir}${withDns ? ' with kube-system' : ''} has no DNS findings`, () => {
          const findings = lint({ ...read(dir), ...(withDns ? read('kube-system') : {}) }).filter((f) =>
            /^NR05/.test(f.code),
          );
          assert.deepEqual(
            findings.map((f) => `${f.code} ${f.message}`),
            [],
          );
        });
      }
    }

    it('containsBlock matches lines at any indentation only', () => {
      assert.ok(containsBlock('a:\n    b: 1\n    c: 2\n', 'b: 1\nc: 2'));
      assert.ok(!containsBlock('a:\n    b: 1\n  c: 2\n', 'b: 1\nc: 2'));
    });
  });
});
