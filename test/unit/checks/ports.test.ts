import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fixesOf } from '../../../server/src/engine';
import { dedent, expectFindings, expectFix, expectFixInEveryStyle, lint, pickFix } from './lintFixture';

const pod = (name: string, labels: string, ports: string, ns = 'x') =>
  `{apiVersion: v1, kind: Pod, metadata: {name: ${name}, namespace: ${ns}, labels: {${labels}}}, spec: {containers: [{name: c, image: i, ports: [${ports}]}]}}`;

const WEB = pod('web', 'app: web', '{name: http, containerPort: 8080}, {name: dns, containerPort: 53, protocol: UDP}');
const API = pod('api', 'app: api', '{name: http, containerPort: 3000}');
const BACKEND = pod('backend', 'app: backend', '{name: web, containerPort: 8080}');
const BACKEND_SERVICE = `{apiVersion: v1, kind: Service, metadata: {name: backend, namespace: x}, spec: {selector: {app: backend}, ports: [{port: 80, targetPort: 8080}]}}`;
const NAMED_SERVICE = `{apiVersion: v1, kind: Service, metadata: {name: backend, namespace: x}, spec: {selector: {app: backend}, ports: [{port: 80, targetPort: web}]}}`;

/** A policy in namespace x selecting app=<app>, with the given rules (already indented by 2). */
function policy(app: string, rules: string, types = 'Ingress'): string {
  return `
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      name: p
      namespace: x
    spec:
      podSelector:
        matchLabels:
          app: ${app}
      policyTypes: [${types}]
${rules
  .split('\n')
  .map((l) => `      ${l}`)
  .join('\n')}
  `;
}

const withPods = (text: string, ...docs: string[]) =>
  `${text.replace(/\s+$/, '')}\n    ---\n${docs.map((d) => `    ${d}`).join('\n    ---\n')}\n`;

describe('checks: ports', () => {
  describe('NR040 usually-UDP port without protocol', () => {
    const cases: [string, string][] = [
      ['NTP without protocol is TCP', policy('web', `ingress:\n  - ports:\n      - port: «123»`)],
      [
        'DNS 53 without protocol and without a UDP entry',
        policy('web', `egress:\n  - to:\n      - namespaceSelector: {}\n    ports:\n      - port: «53»`, 'Egress'),
      ],
      ['VXLAN in a flow list', policy('web', `ingress:\n  - ports: [{port: «4789»}]`)],
      [
        'near miss: protocol UDP written',
        policy('web', `ingress:\n  - ports:\n      - port: 123\n        protocol: UDP`),
      ],
      [
        'near miss: TCP 53 beside UDP 53',
        policy('web', `egress:\n  - ports:\n      - port: 53\n      - port: 53\n        protocol: UDP`, 'Egress'),
      ],
      ['near miss: a TCP port', policy('web', `ingress:\n  - ports:\n      - port: 443`)],
      [
        'near miss: a range starting at 53',
        policy('web', `ingress:\n  - ports:\n      - port: 53\n        endPort: 60`),
      ],
    ];
    for (const [name, text] of cases) it(name, () => expectFindings(text, 'NR040', 'warning'));

    it('fix: adds protocol: UDP to a UDP-only port', () => {
      expectFix(policy('web', `ingress:\n  - ports:\n      - port: 123 # ntp\n`), 'NR040', {
        preferred: true,
        contains: `
          - ports:
              - port: 123 # ntp
                protocol: UDP
        `,
      });
      expectFixInEveryStyle(policy('web', `ingress:\n  - ports:\n      - port: 161 # snmp\n      - port: 80`), 'NR040');
    });

    it('fix: adds protocol inside a flow mapping', () => {
      expectFix(policy('web', `ingress:\n  - ports: [{port: 514}]`), 'NR040', {
        contains: '[{port: 514, protocol: UDP }]',
      });
    });

    it('fix: adds a UDP 53 entry beside the TCP one', () => {
      const fixed = expectFix(policy('web', `egress:\n  - ports:\n      - port: 53`, 'Egress'), 'NR040', {
        title: 'UDP 53',
        preferred: true,
        contains: `
          - port: 53
          - protocol: UDP
            port: 53
        `,
      });
      assert.ok(fixed.includes('- port: 53\n'), 'the TCP entry stays');
      expectFixInEveryStyle(policy('web', `egress:\n  # dns\n  - ports:\n      - port: 53 # tcp\n`, 'Egress'), 'NR040');
    });
  });

  describe('NR041 Service port instead of the pod port', () => {
    const cases: [string, string][] = [
      [
        'ingress on the Service port',
        withPods(policy('backend', `ingress:\n  - ports:\n      - port: «80»`), BACKEND, BACKEND_SERVICE),
      ],
      [
        'egress toward the Service port',
        withPods(
          policy(
            'web',
            `egress:\n  - to:\n      - podSelector:\n          matchLabels:\n            app: backend\n    ports:\n      - port: «80»`,
            'Egress',
          ),
          WEB,
          BACKEND,
          BACKEND_SERVICE,
        ),
      ],
      [
        'near miss: the pod port',
        withPods(policy('backend', `ingress:\n  - ports:\n      - port: 8080`), BACKEND, BACKEND_SERVICE),
      ],
      [
        'near miss: no Service in front of the pods',
        withPods(policy('backend', `ingress:\n  - ports:\n      - port: 80`), BACKEND),
      ],
      [
        'near miss: the pods listen on the Service port too',
        withPods(
          policy('backend', `ingress:\n  - ports:\n      - port: 80`),
          pod('backend', 'app: backend', '{containerPort: 80}, {containerPort: 8080}'),
          BACKEND_SERVICE,
        ),
      ],
      [
        'near miss: egress to an ipBlock on port 80',
        withPods(
          policy(
            'web',
            `egress:\n  - to:\n      - ipBlock:\n          cidr: 192.0.2.0/24\n    ports:\n      - port: 80`,
            'Egress',
          ),
          WEB,
          BACKEND,
          BACKEND_SERVICE,
        ),
      ],
    ];
    for (const [name, text] of cases) it(name, () => expectFindings(text, 'NR041', 'warning'));

    it('names the Service and points at its port', () => {
      const findings = lint({
        'a.yaml': dedent(
          withPods(policy('backend', `ingress:\n  - ports:\n      - port: 80`), BACKEND, BACKEND_SERVICE),
        ),
      });
      const finding = findings.find((f) => f.code === 'NR041')!;
      assert.match(finding.message, /Service x\/backend/);
      assert.match(finding.message, /8080/);
      assert.equal(finding.related?.length, 1);
    });

    it('fix: the target port number', () => {
      expectFix(
        withPods(
          policy('backend', `ingress:\n  - ports:\n      - port: 80 # via the Service`),
          BACKEND,
          BACKEND_SERVICE,
        ),
        'NR041',
        {
          preferred: true,
          contains: '- port: 8080 # via the Service',
        },
      );
    });

    it('fix: a named target port gives both the name and the number', () => {
      const text = withPods(policy('backend', `ingress:\n  - ports:\n      - port: 80`), BACKEND, NAMED_SERVICE);
      expectFix(text, 'NR041', { title: 'port name web', preferred: true, contains: '- port: web' });
      expectFix(text, 'NR041', { title: 'pod port 8080', preferred: false, contains: '- port: 8080' });
    });
  });

  describe('NR042/NR043 named ports on the destination pods', () => {
    const cases: [string, string, string, 'warning' | 'info'][] = [
      [
        'NR042 a name the selected pods do not define',
        withPods(policy('web', `ingress:\n  - ports:\n      - port: «htp»`), WEB),
        'NR042',
        'warning',
      ],
      [
        'NR042 a name defined for UDP only',
        withPods(policy('web', `ingress:\n  - ports:\n      - port: «dns»`), WEB),
        'NR042',
        'warning',
      ],
      [
        'NR042 egress: the peer pods do not define it',
        withPods(
          policy(
            'web',
            `egress:\n  - to:\n      - podSelector:\n          matchLabels:\n            app: api\n    ports:\n      - port: «metrics»`,
            'Egress',
          ),
          WEB,
          API,
        ),
        'NR042',
        'warning',
      ],
      [
        'NR042 near miss: defined',
        withPods(policy('web', `ingress:\n  - ports:\n      - port: http`), WEB),
        'NR042',
        'warning',
      ],
      [
        'NR042 near miss: UDP name with protocol UDP',
        withPods(policy('web', `ingress:\n  - ports:\n      - port: dns\n        protocol: UDP`), WEB),
        'NR042',
        'warning',
      ],
      [
        'NR042 near miss: no workloads in the workspace',
        policy('web', `ingress:\n  - ports:\n      - port: htp`),
        'NR042',
        'warning',
      ],
      [
        'NR042 near miss: ingress from an ipBlock resolves on the selected pods',
        withPods(
          policy(
            'web',
            `ingress:\n  - from:\n      - ipBlock:\n          cidr: 192.0.2.0/24\n    ports:\n      - port: http`,
          ),
          WEB,
        ),
        'NR042',
        'warning',
      ],
      [
        'NR043 one name, two numbers on the destinations',
        withPods(
          policy('web', `egress:\n  - to:\n      - podSelector: {}\n    ports:\n      - port: «http»`, 'Egress'),
          WEB,
          API,
        ),
        'NR043',
        'info',
      ],
      [
        'NR043 near miss: one number',
        withPods(
          policy(
            'web',
            `egress:\n  - to:\n      - podSelector:\n          matchLabels:\n            app: api\n    ports:\n      - port: http`,
            'Egress',
          ),
          WEB,
          API,
        ),
        'NR043',
        'info',
      ],
    ];
    for (const [name, text, code, severity] of cases) it(name, () => expectFindings(text, code, severity));

    it('NR042 fix: the nearest defined name', () => {
      expectFix(withPods(policy('web', `ingress:\n  - ports:\n      - port: htp`), WEB), 'NR042', {
        preferred: true,
        contains: '- port: http',
      });
    });

    it('NR042 fix: the protocol the name is defined for', () => {
      expectFix(withPods(policy('web', `ingress:\n  - ports:\n      - port: dns`), WEB), 'NR042', {
        title: 'protocol: UDP',
        preferred: true,
        contains: `
          - port: dns
            protocol: UDP
        `,
      });
      expectFix(
        withPods(policy('web', `ingress:\n  - ports:\n      - port: dns\n        protocol: TCP`), WEB),
        'NR042',
        {
          title: 'protocol: UDP',
          contains: `
          - port: dns
            protocol: UDP
        `,
        },
      );
    });

    it('NR043 lists the numbers and where they come from', () => {
      const findings = lint({
        't.yaml': dedent(
          withPods(
            policy('web', `egress:\n  - to:\n      - podSelector: {}\n    ports:\n      - port: http`, 'Egress'),
            WEB,
            API,
          ),
        ),
      });
      const finding = findings.find((f) => f.code === 'NR043')!;
      assert.deepEqual(finding.data?.numbers, [3000, 8080]);
      assert.equal(finding.related?.length, 2);
    });
  });

  describe('NR044 named port toward IP destinations', () => {
    const cases: [string, string][] = [
      [
        'egress to an ipBlock',
        policy(
          'web',
          `egress:\n  - to:\n      - ipBlock:\n          cidr: 192.0.2.0/24\n    ports:\n      - port: «https»`,
          'Egress',
        ),
      ],
      ['egress without to', policy('web', `egress:\n  - ports:\n      - port: «https»`, 'Egress')],
      [
        'near miss: ingress from an ipBlock',
        policy(
          'web',
          `ingress:\n  - from:\n      - ipBlock:\n          cidr: 192.0.2.0/24\n    ports:\n      - port: https`,
        ),
      ],
      [
        'near miss: egress to pods',
        policy('web', `egress:\n  - to:\n      - podSelector: {}\n    ports:\n      - port: https`, 'Egress'),
      ],
      [
        'near miss: a number',
        policy(
          'web',
          `egress:\n  - to:\n      - ipBlock:\n          cidr: 192.0.2.0/24\n    ports:\n      - port: 443`,
          'Egress',
        ),
      ],
    ];
    for (const [name, text] of cases) it(name, () => expectFindings(text, 'NR044', 'warning'));

    it('fix: the usual number of a well-known name', () => {
      expectFixInEveryStyle(
        policy(
          'web',
          `egress:\n  - to:\n      - ipBlock:\n          cidr: 192.0.2.0/24 # partner\n    ports:\n      - port: https`,
          'Egress',
        ),
        'NR044',
      );
      expectFix(policy('web', `egress:\n  - ports:\n      - port: https`, 'Egress'), 'NR044', {
        preferred: true,
        contains: '- port: 443',
      });
    });

    it('fix: the number the workspace gives the name, when unambiguous', () => {
      const text = withPods(
        policy(
          'web',
          `egress:\n  - to:\n      - ipBlock:\n          cidr: 192.0.2.0/24\n    ports:\n      - port: web`,
          'Egress',
        ),
        WEB,
        BACKEND,
      );
      expectFix(text, 'NR044', { contains: '- port: 8080' });
    });

    it('no fix when the workspace gives the name two numbers', () => {
      const text = withPods(policy('web', `egress:\n  - ports:\n      - port: http`, 'Egress'), WEB, API);
      const finding = lint({ 't.yaml': dedent(text) }).find((f) => f.code === 'NR044')!;
      assert.deepEqual(fixesOf(finding), []);
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

    it('common-mistakes/service-port.yaml reports NR041 on port 80', () => {
      const files = { ...read('common-mistakes'), ...read('kube-system') };
      const findings = lint(files).filter(
        (f) => f.span.uri === 'common-mistakes/service-port.yaml' && f.code === 'NR041',
      );
      assert.equal(findings.length, 1);
      assert.equal(
        files['common-mistakes/service-port.yaml'].slice(findings[0].span.start, findings[0].span.end),
        '80',
      );
      const { fix } = pickFix(findings, 'NR041', {});
      assert.equal(fix.edits[0].text, '8080');
    });

    for (const dir of ['shop', 'bookstore']) {
      it(`${dir} has no port findings`, () => {
        const findings = lint({ ...read(dir), ...read('kube-system') }).filter((f) => /^NR04/.test(f.code));
        assert.deepEqual(
          findings.map((f) => `${f.code} ${f.message}`),
          [],
        );
      });
    }
  });
});
