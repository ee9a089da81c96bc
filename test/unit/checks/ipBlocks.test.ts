import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { applyEdits, fixesOf } from '../../../server/src/engine';
import { dedent, expectFindings, expectFix, expectFixInEveryStyle, lint } from './lintFixture';

const pod = (name: string, labels: string, ip: string, ns = 'x') =>
  `{apiVersion: v1, kind: Pod, metadata: {name: ${name}, namespace: ${ns}, labels: {${labels}}}, spec: {containers: [{name: c, image: i}]}, status: {podIP: "${ip}", podIPs: [{ip: "${ip}"}]}}`;
const service = (name: string, selector: string, extra: string, ns = 'x') =>
  `{apiVersion: v1, kind: Service, metadata: {name: ${name}, namespace: ${ns}}, spec: {selector: {${selector}}, ports: [{port: 80}]${extra}}}`;

const WEB = pod('web', 'app: web, pod-template-hash: 5d4f', '10.244.1.5');
const DB = pod('db', 'app: db', '10.244.2.7', 'data');

/** A policy in x selecting app=web, with the given rules (written as under `spec`). */
const policy = (direction: 'ingress' | 'egress', peers: string, types?: string) =>
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
    '  policyTypes:',
    `    - ${types ?? (direction === 'ingress' ? 'Ingress' : 'Egress')}`,
    `  ${direction}:`,
    `    - ${direction === 'ingress' ? 'from' : 'to'}:`,
    ...peers.split('\n').map((l) => `        ${l}`),
  ].join('\n') + '\n';

const docs = (...parts: string[]) => parts.map((p) => dedent(p)).join('---\n');

const PRIVATE_EXCEPT = 'except:\n      - 10.0.0.0/8\n      - 172.16.0.0/12\n      - 192.168.0.0/16';

describe('checks: ipBlocks', () => {
  describe('NR060 ipBlock covering pod IPs', () => {
    const cases: [string, string][] = [
      ['a /32 of a pod', docs(policy('egress', '- ipBlock:\n    cidr: «10.244.2.7/32»'), WEB, DB)],
      ['the pod network', docs(policy('ingress', '- ipBlock:\n    cidr: «10.244.0.0/16»'), WEB, DB)],
      ['near miss: an address outside the pods', docs(policy('egress', '- ipBlock:\n    cidr: 192.0.2.0/24'), WEB, DB)],
      [
        'near miss: the pod excepted',
        docs(policy('egress', '- ipBlock:\n    cidr: 10.244.2.0/24\n    except:\n      - 10.244.2.7/32'), WEB, DB),
      ],
      [
        'near miss: 0.0.0.0/0 (NR061 speaks)',
        docs(policy('egress', `- ipBlock:\n    cidr: 0.0.0.0/0\n    ${PRIVATE_EXCEPT}`), WEB, DB),
      ],
      ['near miss: pods without known IPs', docs(policy('egress', '- ipBlock:\n    cidr: 10.244.2.7/32'))],
    ];
    for (const [name, text] of cases) it(name, () => expectFindings(text, 'NR060', 'warning'));

    it('fix: select the pod by its labels (and namespace) instead', () => {
      expectFix(
        docs(policy('egress', '- ipBlock:\n    cidr: 10.244.2.7/32 # the database\n- podSelector: {}'), WEB, DB),
        'NR060',
        {
          preferred: true,
          contains: `
          - to:
              - namespaceSelector: # the database
                  matchLabels:
                    kubernetes.io/metadata.name: data
                podSelector:
                  matchLabels:
                    app: db
              - podSelector: {}
        `,
        },
      );
      expectFixInEveryStyle(docs(policy('egress', '- ipBlock:\n    cidr: 10.244.2.7/32'), WEB, DB), 'NR060');
    });

    it('fix: controller-managed labels are left out', () => {
      const fixed = expectFix(docs(policy('egress', '- ipBlock:\n    cidr: 10.244.1.5/32'), WEB, DB), 'NR060', {
        contains: 'app: web',
      });
      assert.ok(!fixed.includes('pod-template-hash: 5d4f\n          '), fixed);
      assert.equal(fixed.match(/pod-template-hash/g)?.length, 1, 'only the pod keeps it');
    });
  });

  describe('NR061 0.0.0.0/0 without the private ranges excepted', () => {
    const cases: [string, string][] = [
      ['ingress from everywhere', policy('ingress', '- ipBlock:\n    cidr: «0.0.0.0/0»')],
      [
        'egress with one private range excepted',
        policy(
          'egress',
          '- ipBlock:\n    cidr: «0.0.0.0/0»\n    except:\n      - 10.0.0.0/8\n      - 169.254.169.254/32',
        ),
      ],
      [
        'near miss: every private range excepted',
        policy('ingress', `- ipBlock:\n    cidr: 0.0.0.0/0\n    ${PRIVATE_EXCEPT}`),
      ],
      ['near miss: a smaller block', policy('ingress', '- ipBlock:\n    cidr: 0.0.0.0/1')],
      ['near miss: IPv6', policy('ingress', '- ipBlock:\n    cidr: ::/0')],
    ];
    for (const [name, text] of cases) it(name, () => expectFindings(text, 'NR061', 'warning'));

    it('fix: adds except with the private ranges', () => {
      expectFix(policy('ingress', '- ipBlock:\n    cidr: 0.0.0.0/0 # the internet'), 'NR061', {
        preferred: true,
        contains: `
          - ipBlock:
              cidr: 0.0.0.0/0 # the internet
              except:
                - 10.0.0.0/8
                - 172.16.0.0/12
                - 192.168.0.0/16
        `,
      });
      expectFixInEveryStyle(policy('ingress', '- ipBlock:\n    cidr: 0.0.0.0/0'), 'NR061');
    });

    it('fix: appends the missing ranges to an existing except', () => {
      expectFix(
        policy('ingress', '- ipBlock:\n    cidr: 0.0.0.0/0\n    except:\n      - 172.16.0.0/12 # vpn'),
        'NR061',
        {
          contains: `
          except:
            - 172.16.0.0/12 # vpn
            - 10.0.0.0/8
            - 192.168.0.0/16
        `,
        },
      );
      expectFixInEveryStyle(
        policy('ingress', '- ipBlock:\n    cidr: 0.0.0.0/0\n    except:\n      - 172.16.0.0/12'),
        'NR061',
      );
      expectFix(policy('ingress', '- ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}'), 'NR061', {
        contains: 'except: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16]',
      });
    });

    it('egress: a second fix also excepts the metadata address, and clears both findings', () => {
      expectFix(policy('egress', '- ipBlock:\n    cidr: 0.0.0.0/0'), 'NR061', {
        title: 'metadata',
        preferred: false,
        contains: '- 169.254.169.254/32',
      });
      const text = policy('egress', '- ipBlock:\n    cidr: 0.0.0.0/0');
      const finding = lint({ 't.yaml': text }).find((f) => f.code === 'NR061')!;
      const fix = fixesOf(finding).find((f) => f.title.includes('metadata'))!;
      const fixed = applyEdits(text, fix.edits);
      assert.deepEqual(
        lint({ 't.yaml': fixed }).filter((f) => f.code === 'NR061' || f.code === 'NR062'),
        [],
      );
    });
  });

  describe('NR062 egress to 0.0.0.0/0 with the metadata address', () => {
    const cases: [string, string][] = [
      ['egress to everywhere', policy('egress', `- ipBlock:\n    cidr: «0.0.0.0/0»\n    ${PRIVATE_EXCEPT}`)],
      [
        'near miss: metadata excepted',
        policy('egress', `- ipBlock:\n    cidr: 0.0.0.0/0\n    ${PRIVATE_EXCEPT}\n      - 169.254.169.254/32`),
      ],
      [
        'near miss: link-local excepted',
        policy('egress', `- ipBlock:\n    cidr: 0.0.0.0/0\n    ${PRIVATE_EXCEPT}\n      - 169.254.0.0/16`),
      ],
      ['near miss: ingress', policy('ingress', `- ipBlock:\n    cidr: 0.0.0.0/0\n    ${PRIVATE_EXCEPT}`)],
    ];
    for (const [name, text] of cases) it(name, () => expectFindings(text, 'NR062', 'warning'));

    it('fix: excepts 169.254.169.254/32', () => {
      expectFix(policy('egress', `- ipBlock:\n    cidr: 0.0.0.0/0\n    ${PRIVATE_EXCEPT}`), 'NR062', {
        preferred: true,
        contains: '- 192.168.0.0/16\n- 169.254.169.254/32',
      });
      expectFixInEveryStyle(policy('egress', `- ipBlock:\n    cidr: 0.0.0.0/0\n    ${PRIVATE_EXCEPT}`), 'NR062');
    });
  });

  describe('NR063 ingress ipBlock behind a Service that rewrites sources', () => {
    const cases: [string, string][] = [
      [
        'LoadBalancer, externalTrafficPolicy defaulted',
        docs(
          policy('ingress', '- ipBlock:\n    cidr: «203.0.113.0/24»'),
          WEB,
          service('web', 'app: web', ', type: LoadBalancer'),
        ),
      ],
      [
        'NodePort with Cluster',
        docs(
          policy('ingress', '- ipBlock:\n    cidr: «203.0.113.0/24»'),
          WEB,
          service('web', 'app: web', ', type: NodePort, externalTrafficPolicy: Cluster'),
        ),
      ],
      [
        'near miss: externalTrafficPolicy Local',
        docs(
          policy('ingress', '- ipBlock:\n    cidr: 203.0.113.0/24'),
          WEB,
          service('web', 'app: web', ', type: LoadBalancer, externalTrafficPolicy: Local'),
        ),
      ],
      [
        'near miss: a ClusterIP Service',
        docs(policy('ingress', '- ipBlock:\n    cidr: 203.0.113.0/24'), WEB, service('web', 'app: web', '')),
      ],
      [
        'near miss: every address allowed',
        docs(
          policy('ingress', '- ipBlock:\n    cidr: 0.0.0.0/0'),
          WEB,
          service('web', 'app: web', ', type: LoadBalancer'),
        ),
      ],
      [
        'near miss: egress',
        docs(
          policy('egress', '- ipBlock:\n    cidr: 203.0.113.0/24'),
          WEB,
          service('web', 'app: web', ', type: LoadBalancer'),
        ),
      ],
    ];
    for (const [name, text] of cases) it(name, () => expectFindings(text, 'NR063', 'info'));

    it('points at the Service', () => {
      const finding = lint({
        't.yaml': docs(
          policy('ingress', '- ipBlock:\n    cidr: 203.0.113.0/24'),
          WEB,
          service('web', 'app: web', ', type: LoadBalancer'),
        ),
      }).find((f) => f.code === 'NR063')!;
      assert.equal(finding.related?.length, 1);
      assert.match(finding.message, /LoadBalancer Service x\/web/);
    });
  });

  describe('NR064 egress ipBlock aimed at a ClusterIP', () => {
    const API = service('api', 'app: api', ', clusterIP: 10.96.0.20', 'backend');
    const cases: [string, string][] = [
      ['a /32 of a ClusterIP', docs(policy('egress', '- ipBlock:\n    cidr: «10.96.0.20/32»'), WEB, API)],
      ['the Service range', docs(policy('egress', '- ipBlock:\n    cidr: «10.96.0.0/12»'), WEB, API)],
      ['near miss: a wider block', docs(policy('egress', '- ipBlock:\n    cidr: 10.0.0.0/8'), WEB, API)],
      ['near miss: another address', docs(policy('egress', '- ipBlock:\n    cidr: 10.96.0.21/32'), WEB, API)],
      ['near miss: ingress', docs(policy('ingress', '- ipBlock:\n    cidr: 10.96.0.20/32'), WEB, API)],
      [
        'near miss: a headless Service',
        docs(
          policy('egress', '- ipBlock:\n    cidr: 10.96.0.20/32'),
          WEB,
          service('api', 'app: api', ', clusterIP: None'),
        ),
      ],
    ];
    for (const [name, text] of cases) it(name, () => expectFindings(text, 'NR064', 'info'));

    it('fix: select the pods behind the Service', () => {
      expectFix(docs(policy('egress', '- ipBlock:\n    cidr: 10.96.0.20/32'), WEB, API), 'NR064', {
        preferred: false,
        contains: `
          - namespaceSelector:
              matchLabels:
                kubernetes.io/metadata.name: backend
            podSelector:
              matchLabels:
                app: api
        `,
      });
      expectFixInEveryStyle(docs(policy('egress', '- ipBlock:\n    cidr: 10.96.0.20/32'), WEB, API), 'NR064');
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
    for (const dir of ['shop', 'bookstore', 'common-mistakes']) {
      it(`${dir} has no ipBlock findings`, () => {
        const findings = lint({ ...read(dir), ...read('kube-system') }).filter((f) => /^NR06/.test(f.code));
        assert.deepEqual(
          findings.map((f) => `${f.code} ${f.message}`),
          [],
        );
      });
    }
  });
});
