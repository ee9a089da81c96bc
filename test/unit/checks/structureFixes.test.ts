import { strict as assert } from 'node:assert';
import { parseAllDocuments } from 'yaml';
import { applyEdits, fixesOf } from '../../../server/src/engine';
import { dedent, expectFindings, expectFix, expectFixInEveryStyle, lint } from './lintFixture';

/** A policy in namespace x whose `spec` body is given (written as under `spec`). */
const policy = (spec: string, apiVersion = 'networking.k8s.io/v1') =>
  [
    `apiVersion: ${apiVersion}`,
    'kind: NetworkPolicy',
    'metadata:',
    '  name: p',
    '  namespace: x',
    'spec:',
    ...spec.split('\n').map((l) => `  ${l}`),
  ].join('\n') + '\n';

const ingress = (rule: string, types = 'policyTypes:\n  - Ingress') =>
  policy(`podSelector: {}\n${types}\ningress:\n${rule.replace(/^/gm, '  ')}`);

const WEB = `{apiVersion: v1, kind: Pod, metadata: {name: web, namespace: x, labels: {app: web, tier: front}}, spec: {containers: [{name: c, image: i, ports: [{name: http, containerPort: 8080}]}]}}`;
const withWeb = (text: string) => `${dedent(text)}---\n${WEB}\n`;

describe('checks: fixes for the reader findings', () => {
  describe('NR001 ipBlock with a selector in one peer', () => {
    it('splits when the ipBlock comes last', () => {
      const text = ingress(
        '- from:\n    - podSelector: {} # same namespace\n      ipBlock:\n        cidr: 192.0.2.0/24 # partner\n        except:\n          - 192.0.2.8/29',
      );
      expectFix(text, 'NR001', {
        preferred: true,
        contains: `
          - from:
              - podSelector: {} # same namespace
              - ipBlock:
                  cidr: 192.0.2.0/24 # partner
                  except:
                    - 192.0.2.8/29
        `,
      });
      expectFixInEveryStyle(text, 'NR001');
    });

    it('splits when the ipBlock comes first', () => {
      const text = ingress(
        '- from:\n    - ipBlock:\n        cidr: 192.0.2.0/24\n      namespaceSelector:\n        matchLabels:\n          team: a\n  ports:\n    - port: 80',
      );
      expectFix(text, 'NR001', {
        contains: `
          - from:
              - namespaceSelector:
                  matchLabels:
                    team: a
              - ipBlock:
                  cidr: 192.0.2.0/24
            ports:
        `,
      });
      expectFixInEveryStyle(text, 'NR001');
    });
  });

  describe('NR002 empty peer', () => {
    it('reports the empty peer, and a null item at its dash', () => {
      expectFindings(ingress('- from:\n    - «{}»\n    - podSelector: {}'), 'NR002', 'error');
      expectFindings(ingress('- from:\n    «-»\n    - podSelector: {}'), 'NR002', 'error');
      expectFindings(ingress('- from:\n    - «null»'), 'NR002', 'error');
    });

    const text = ingress('- from:\n    - {} # everyone?\n    - podSelector: {}\n  ports:\n    - port: 80');
    it('offers removing from (any peer), preferring neither', () => {
      expectFix(text, 'NR002', {
        title: 'Remove `from`',
        preferred: false,
        contains: `
          ingress:
            # everyone?
            - ports:
                - port: 80
        `,
      });
      expectFixInEveryStyle(text.replace(' # everyone?', ''), 'NR002', { title: 'Remove `from`' });
    });

    it('offers namespaceSelector: {} (all pods)', () => {
      expectFix(text, 'NR002', {
        title: 'namespaceSelector',
        preferred: false,
        contains: '- namespaceSelector: {} # everyone?',
      });
      expectFixInEveryStyle(text, 'NR002', { title: 'namespaceSelector' });
      expectFix(ingress('- from:\n    -\n    - podSelector: {}'), 'NR002', {
        title: 'namespaceSelector',
        contains: '- namespaceSelector: {}\n- podSelector: {}',
      });
      expectFix(ingress('- from: [{}]'), 'NR002', {
        title: 'namespaceSelector',
        contains: 'from: [{namespaceSelector: {}}]',
      });
    });

    it('removing the only key of a rule leaves an allow-all rule', () => {
      expectFix(ingress('- from:\n    - {}'), 'NR002', { title: 'Remove `from`', contains: 'ingress:\n  - {}' });
    });
  });

  describe('NR003 spec.podSelector missing', () => {
    it('inserts podSelector: {} first in spec', () => {
      const text = policy('# types\npolicyTypes:\n  - Ingress\ningress: []');
      expectFix(text, 'NR003', { preferred: true, contains: 'spec:\n  podSelector: {}\n  # types\n  policyTypes:' });
      expectFixInEveryStyle(text, 'NR003');
    });

    it('fills an empty or null spec, or adds spec', () => {
      expectFix(policy('{}').replace('spec:\n  {}', 'spec: {}'), 'NR003', { contains: 'spec:\n  podSelector: {}' });
      expectFix(policy('').replace('spec:\n  \n', 'spec:\n'), 'NR003', { contains: 'spec:\n  podSelector: {}' });
      const noSpec = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p\n  namespace: x\n';
      expectFix(noSpec, 'NR003', { expected: `${noSpec}spec:\n  podSelector: {}\n` });
      expectFixInEveryStyle(noSpec.replace('metadata:\n  name: p', 'metadata:\n  labels: {a: b}\n  name: p'), 'NR003');
    });
  });

  describe('NR004 endPort without port', () => {
    const text = ingress('- ports:\n    - endPort: 32768 # upper bound\n      protocol: TCP');
    it('adds port equal to endPort (preferred), or renames endPort to port', () => {
      expectFix(text, 'NR004', {
        title: 'Add port: 32768',
        preferred: true,
        contains: '- port: 32768\n  endPort: 32768 # upper bound',
      });
      expectFix(text, 'NR004', {
        title: 'Rename endPort',
        preferred: false,
        contains: '- port: 32768 # upper bound\n  protocol: TCP',
      });
      expectFixInEveryStyle(text, 'NR004', { title: 'Add port' });
      expectFix(ingress('- ports: [{endPort: 90}]'), 'NR004', {
        title: 'Add port',
        contains: '[{port: 90, endPort: 90}]',
      });
    });
  });

  describe('NR005 endPort with a named port', () => {
    it('uses the number the name has on the selected pods', () => {
      const text = withWeb(
        policy(
          'podSelector:\n  matchLabels:\n    app: web\npolicyTypes:\n  - Ingress\ningress:\n  - ports:\n      - port: http\n        endPort: 8090',
        ),
      );
      expectFix(text, 'NR005', { preferred: true, contains: '- port: 8080\n  endPort: 8090' });
      expectFixInEveryStyle(text, 'NR005');
    });

    it('no fix when the name resolves nowhere', () => {
      const finding = lint({ 't.yaml': ingress('- ports:\n    - port: nope\n      endPort: 8090') }).find(
        (f) => f.code === 'NR005',
      )!;
      assert.equal(finding.fixes, undefined);
    });
  });

  describe('NR006 endPort lower than port', () => {
    it('swaps them', () => {
      const text = ingress('- ports:\n    - port: 9000 # high\n      endPort: 8000 # low');
      expectFix(text, 'NR006', { preferred: true, contains: '- port: 8000 # high\n  endPort: 9000 # low' });
      expectFixInEveryStyle(text, 'NR006');
    });
  });

  describe('NR007 invalid port', () => {
    const cases: [string, string, string][] = [
      ['a quoted number', '"8080"', '8080'],
      ['upper case', 'HTTP', 'http'],
      ['underscores and spaces', "' Metrics_Port '", "'metrics-port'"],
    ];
    for (const [name, value, fixed] of cases) {
      it(name, () => {
        expectFix(ingress(`- ports:\n    - port: ${value} # p`), 'NR007', {
          preferred: true,
          contains: `- port: ${fixed} # p`,
        });
      });
    }
    it('in every style', () => expectFixInEveryStyle(ingress('- ports:\n    - port: HTTP'), 'NR007'));
    it('no fix for a number out of range', () => {
      const finding = lint({ 't.yaml': ingress('- ports:\n    - port: 70000') }).find((f) => f.code === 'NR007')!;
      assert.equal(finding.fixes, undefined);
    });
  });

  describe('NR008 casing', () => {
    it('fixes the protocol and a policy type', () => {
      expectFix(ingress('- ports:\n    - protocol: tcp\n      port: 80'), 'NR008', {
        preferred: true,
        contains: '- protocol: TCP\n  port: 80',
      });
      expectFix(ingress('- {}', 'policyTypes:\n  - ingress # lower'), 'NR008', { contains: '- Ingress # lower' });
      expectFix(ingress('- {}', 'policyTypes: [ingress]'), 'NR008', { contains: 'policyTypes: [Ingress]' });
    });
  });

  describe('NR010 CIDR form', () => {
    const text = ingress('- from:\n    - ipBlock:\n        cidr: 10.0.0.5/24 # host bits');
    it('offers the network and the host, preferring neither', () => {
      expectFix(text, 'NR010', { title: 'network', preferred: false, contains: 'cidr: 10.0.0.0/24 # host bits' });
      expectFix(text, 'NR010', {
        title: 'single address',
        preferred: false,
        contains: 'cidr: 10.0.0.5/32 # host bits',
      });
      expectFix(ingress('- from:\n    - ipBlock:\n        cidr: "2001:db8::1/64"'), 'NR010', {
        title: 'single address',
        contains: 'cidr: "2001:db8::1/128"',
      });
    });
    it('leading zeros: the normal form, preferred', () => {
      expectFix(ingress('- from:\n    - ipBlock:\n        cidr: 010.0.0.0/8'), 'NR010', {
        preferred: true,
        contains: 'cidr: 10.0.0.0/8',
      });
    });
  });

  describe('NR011 invalid selector', () => {
    const selector = (expression: string) =>
      withWeb(
        policy(
          `podSelector:\n  matchExpressions:\n    - key: tier\n${expression.replace(/^/gm, '      ')}\npolicyTypes:\n  - Ingress`,
        ),
      );

    it('operator casing', () => {
      expectFix(selector('operator: notin\nvalues: [back]'), 'NR011', { preferred: true, contains: 'operator: NotIn' });
    });

    it('Exists with values: drops values', () => {
      const text = selector('operator: Exists # any tier\nvalues:\n  - front');
      expectFix(text, 'NR011', { preferred: true, expected: text.replace(/\n +values:\n +- front/, '') });
      expectFixInEveryStyle(text, 'NR011');
    });

    it('In without values: values used in the workspace, or Exists', () => {
      const text = selector('operator: In');
      expectFix(text, 'NR011', {
        title: 'values: [front]',
        preferred: false,
        contains: '- key: tier\n  operator: In\n  values:\n    - front',
      });
      expectFixInEveryStyle(text, 'NR011', { title: 'values: [front]' });
      expectFix(text, 'NR011', { title: 'Use Exists', contains: '- key: tier\n  operator: Exists' });
      expectFix(selector('operator: NotIn\nvalues: [] # none'), 'NR011', {
        title: 'values: [front]',
        contains: 'operator: NotIn\nvalues: # none\n  - front',
      });
      const fixed = expectFix(selector('operator: NotIn\nvalues: []'), 'NR011', {
        title: 'Use DoesNotExist',
        contains: '- key: tier\n  operator: DoesNotExist',
      });
      assert.ok(!fixed.includes('values'), fixed);
    });
  });

  describe('NR012 extensions/v1beta1', () => {
    it('rewrites the apiVersion', () => {
      const text = policy('podSelector: {}', 'extensions/v1beta1 # old');
      expectFix(text, 'NR012', { preferred: true, contains: 'apiVersion: networking.k8s.io/v1 # old' });
    });
  });
});

describe('checks: half-typed documents', () => {
  // Every line-prefix of a document full of mistakes: checks and fixes must never throw,
  // and every fix must leave YAML that still parses.
  const text = dedent(`
    apiVersion: extensions/v1beta1
    kind: NetworkPolicy
    metadata:
      name: a
      namespace: x
    spec:
      podSelector: {}
      policyTypes: [ingress, Egress]
      ingress:
        - from:
            - podSelector: {}
              ipBlock:
                cidr: 10.0.0.5/24
            - {}
            -
          ports:
            - endPort: 90
            - port: "8080"
            - port: 123
      egress:
        - to:
            - ipBlock:
                cidr: 0.0.0.0/0
                except: [10.0.0.0/8]
            - namespaceSelector:
                matchExpressions:
                  - key: team
                    operator: in
          ports:
            - port: https
            - protocol: UDP
              port: 53
        - ports:
            - port: 53
  `);
  it('never throws, and fixes keep the YAML parseable', () => {
    const lines = text.split('\n');
    let fixes = 0;
    for (let i = 1; i <= lines.length; i++) {
      const prefix = lines.slice(0, i).join('\n') + '\n';
      for (const variant of [prefix, prefix.slice(0, -3)]) {
        const findings = lint({ 't.yaml': variant });
        if (parseAllDocuments(variant).some((d) => d.errors.length > 0)) continue;
        // The codes whose fixes live in structureFixes.ts, ports.ts, dns.ts and ipBlocks.ts.
        for (const finding of findings.filter((f) => /^NR0(0\d|1[0-2]|4\d|5\d|6\d)$/.test(f.code))) {
          for (const fix of fixesOf(finding)) {
            fixes++;
            const fixed = applyEdits(variant, fix.edits);
            const errors = parseAllDocuments(fixed).flatMap((d) => d.errors);
            assert.deepEqual(errors, [], `${finding.code} "${fix.title}" on:\n${variant}\ngave:\n${fixed}`);
          }
        }
      }
    }
    assert.ok(fixes > 100, `only ${fixes} fixes exercised`);
  });
});
