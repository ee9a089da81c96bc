// Workspace meaning checks (NR025-NR032, NR034): each code has cases that report it, on
// the smallest YAML node, and near misses that must stay quiet; each fix is applied, the
// workspace linted again, and the finding must be gone with the YAML intact.
import { strict as assert } from 'node:assert';
import { parse } from 'yaml';
import { fixesOf } from '../../../server/src/engine';
import {
  applyFix,
  dedent,
  deployment,
  docs,
  expectFinding,
  expectNone,
  lint,
  namespaceManifest,
  runQuietCases,
  runReportCases,
} from './workspaceKit';

/** A shop namespace (labelled team=shop) with three workloads. */
const SHOP = docs(
  namespaceManifest('shop', { team: 'shop' }),
  deployment('shop', 'web', { app: 'web', tier: 'frontend' }, ['http:8080']),
  deployment('shop', 'api', { app: 'api', tier: 'backend' }, ['http:8080', 'metrics:9090']),
  deployment('shop', 'db', { app: 'db', tier: 'data' }, ['postgres:5432']),
);

const MONITORING = docs(
  namespaceManifest('monitoring', { purpose: 'monitoring' }),
  deployment('monitoring', 'prometheus', { app: 'prometheus' }, ['9090']),
);

function withShop(policies: string, extra: Record<string, string> = {}): Record<string, string> {
  return { 'shop.yaml': SHOP, 'policies.yaml': dedent(policies), ...extra };
}

describe('workspace meaning checks', () => {
  describe('NR025 another policy already allows everything', () => {
    runReportCases([
      {
        name: 'an allow-all policy selects the same pods: these ingress rules change nothing',
        files: withShop(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: web-open, namespace: shop}
          spec:
            podSelector:
              matchLabels:
                app: web
            policyTypes: [Ingress]
            ingress:
              - {}
          ---
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: web-from-api, namespace: shop}
          spec:
            podSelector:
              matchLabels:
                app: web
            policyTypes: [Ingress]
            ingress:
              - from:
                  - podSelector:
                      matchLabels:
                        app: api
        `),
        code: 'NR025',
        severity: 'warning',
        span: 'ingress',
        message: ['shop/web-open', 'change nothing'],
      },
      {
        name: 'a default deny next to an allow-all for all pods: the isolation changes nothing',
        files: withShop(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: deny, namespace: shop}
          spec:
            podSelector: {}
            policyTypes:
              - Ingress
          ---
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: allow-all, namespace: shop}
          spec:
            podSelector: {}
            policyTypes: [Ingress]
            ingress:
              - {}
        `),
        code: 'NR025',
        severity: 'warning',
        span: 'Ingress',
        message: ['shop/allow-all', 'isolation changes nothing'],
      },
    ]);
    runQuietCases([
      {
        name: 'the allow-all policy selects other pods',
        files: withShop(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: api-open, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: api}}
            ingress: [{}]
          ---
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: web-from-api, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: web}}
            ingress:
              - from: [{podSelector: {matchLabels: {app: api}}}]
        `),
        code: 'NR025',
      },
      {
        name: 'the allow-all is for egress, these rules are ingress',
        files: withShop(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: web-egress-open, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: web}}
            policyTypes: [Egress]
            egress: [{}]
          ---
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: web-from-api, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: web}}
            ingress:
              - from: [{podSelector: {matchLabels: {app: api}}}]
        `),
        code: 'NR025',
      },
    ]);
  });

  describe('NR026 a rule or policy covered by others', () => {
    const duplicateRule = withShop(`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: db, namespace: shop}
      spec:
        podSelector:
          matchLabels:
            app: db
        policyTypes:
          - Ingress
        ingress:
          # the api reads and writes
          - from:
              - podSelector:
                  matchLabels:
                    app: api
            ports:
              - port: 5432
          # pasted twice
          - from:
              - podSelector:
                  matchLabels:
                    app: api
            ports:
              - port: 5432
          - from:
              - namespaceSelector:
                  matchLabels:
                    purpose: monitoring
    `);
    const coveredPolicy = {
      ...withShop(`
        # Everything inside the namespace may talk.
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: same-namespace
          namespace: shop
        spec:
          podSelector: {}
          policyTypes:
            - Ingress
          ingress:
            - from:
                - podSelector: {}
        ---
        # The web tier may call the api.
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: api-from-web
          namespace: shop
        spec:
          podSelector:
            matchLabels:
              app: api
          policyTypes:
            - Ingress
          ingress:
            - from:
                - podSelector:
                    matchLabels:
                      app: web
              ports:
                - port: http
      `),
      'monitoring.yaml': MONITORING,
    };

    it('reports the second of two identical rules, on the rule, and deletes it', () => {
      const linted = lint({ ...duplicateRule, 'monitoring.yaml': MONITORING });
      const text0 = linted.files['policies.yaml'];
      const second = text0.indexOf('- from:', text0.indexOf('# pasted twice')) + 2;
      const span = text0.slice(second, text0.indexOf('- from:', second));
      const finding = expectFinding(linted, 'NR026', 'info', span.trimEnd());
      assert.ok(span.trimEnd().endsWith('- port: 5432'));
      assert.equal(linted.of('NR026').length, 1, 'only one of two equal rules is covered');
      assert.match(finding.message, /rule 1 of this policy/);
      const { after, text } = applyFix(linted, finding, 'Delete');
      expectNone(after, 'NR026');
      const db = parse(text.split('---').pop()!);
      assert.equal(db.spec.ingress.length, 2, 'one rule left out of three');
      assert.ok(text.includes('    # pasted twice\n'), 'comments and indentation kept');
    });

    it('reports a policy whose isolation and rules other policies already give, and deletes its document', () => {
      const linted = lint(coveredPolicy);
      const finding = expectFinding(linted, 'NR026', 'info', 'api-from-web');
      assert.match(finding.message, /changes nothing/);
      assert.equal(linted.of('NR026').length, 1);
      const { after, text } = applyFix(linted, finding, 'Delete this policy', true);
      expectNone(after, 'NR026');
      assert.ok(text.includes('# Everything inside the namespace may talk.'));
      assert.ok(!text.includes('api-from-web'));
    });

    runReportCases([
      {
        name: 'one rule of a policy is covered by a wider policy, the other is not',
        files: {
          ...withShop(`
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: same-namespace, namespace: shop}
            spec:
              podSelector: {}
              ingress:
                - from:
                    - podSelector: {}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: api, namespace: shop}
            spec:
              podSelector: {matchLabels: {app: api}}
              ingress:
                - from: [{podSelector: {matchLabels: {app: web}}}]
                - from: [{namespaceSelector: {matchLabels: {purpose: monitoring}}}]
          `),
          'monitoring.yaml': MONITORING,
        },
        code: 'NR026',
        severity: 'info',
        span: 'from: [{podSelector: {matchLabels: {app: web}}}]',
        message: ['shop/same-namespace'],
      },
      {
        name: 'a port range inside a wider range of the same peers',
        files: withShop(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: api, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: api}}
            ingress:
              - from: [{podSelector: {matchLabels: {tier: frontend}}}]
                ports: [{port: 8000, endPort: 8999}]
              - from: [{podSelector: {matchLabels: {tier: frontend, app: web}}}]
                ports: [{port: 8080}]
        `),
        code: 'NR026',
        severity: 'info',
        span: 'from: [{podSelector: {matchLabels: {tier: frontend, app: web}}}]\n      ports: [{port: 8080}]',
      },
    ]);
    runQuietCases([
      {
        name: 'overlapping port ranges, neither inside the other',
        files: withShop(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: api, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: api}}
            ingress:
              - from: [{podSelector: {matchLabels: {app: web}}}]
                ports: [{port: 8080, endPort: 8085}]
              - from: [{podSelector: {matchLabels: {app: web}}}]
                ports: [{port: 8083, endPort: 8090}]
        `),
        code: 'NR026',
      },
      {
        name: 'the same rule in a policy selecting other pods',
        files: withShop(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: api, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: api}}
            ingress:
              - from: [{podSelector: {matchLabels: {app: web}}}]
          ---
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: db, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: db}}
            ingress:
              - from: [{podSelector: {matchLabels: {app: web}}}]
        `),
        code: 'NR026',
      },
      {
        name: 'a named port and a number are not compared',
        files: withShop(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: api, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: api}}
            ingress:
              - from: [{podSelector: {matchLabels: {app: web}}}]
                ports: [{port: http}]
              - from: [{podSelector: {matchLabels: {app: web}}}]
                ports: [{port: 8080}]
        `),
        code: 'NR026',
      },
    ]);
  });

  describe('NR027 a pod selector alone that matches pods of other namespaces only', () => {
    const files = {
      'shop.yaml': SHOP,
      'monitoring.yaml': MONITORING,
      'policies.yaml': dedent(`
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: metrics
          namespace: shop
        spec:
          podSelector:
            matchLabels:
              app: api
          ingress:
            - from:
                # scraped by prometheus
                - podSelector:
                    matchLabels:
                      app: prometheus
              ports:
                - port: metrics
      `),
    };
    it('reports the pod selector and adds a namespaceSelector for the namespace of those pods', () => {
      const linted = lint(files);
      const finding = expectFinding(
        linted,
        'NR027',
        'warning',
        'podSelector:\n            matchLabels:\n              app: prometheus',
      );
      assert.match(finding.message, /monitoring/);
      expectNone(linted, 'NR030');
      assert.ok(fixesOf(finding)[0]?.preferred, 'one namespace: the fix is preferred');
      const { after, text } = applyFix(linted, finding, 'monitoring');
      expectNone(after, 'NR027');
      expectNone(after, 'NR030');
      assert.ok(
        text.includes(
          [
            '        # scraped by prometheus',
            '        - namespaceSelector:',
            '            matchLabels:',
            '              kubernetes.io/metadata.name: monitoring',
            '          podSelector:',
            '            matchLabels:',
            '              app: prometheus',
          ].join('\n'),
        ),
        text,
      );
    });
    it('adds the namespaceSelector to a flow-style peer', () => {
      const linted = lint({
        ...files,
        'policies.yaml': dedent(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: metrics, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: api}}
            ingress:
              - from: [{podSelector: {matchLabels: {app: prometheus}}}]
        `),
      });
      const finding = expectFinding(linted, 'NR027', 'warning', 'podSelector: {matchLabels: {app: prometheus}}');
      const { after } = applyFix(linted, finding);
      expectNone(after, 'NR027');
    });
    it('does not prefer its fix next to a namespace-only peer (NR022 may be meant), so "fix all" stays valid', () => {
      const linted = lint({
        ...files,
        'policies.yaml': dedent(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: metrics, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: api}}
            ingress:
              - from:
                  - namespaceSelector:
                      matchLabels:
                        purpose: monitoring
                  - podSelector:
                      matchLabels:
                        app: prometheus
        `),
      });
      const finding = expectFinding(
        linted,
        'NR027',
        'warning',
        'podSelector:\n            matchLabels:\n              app: prometheus',
      );
      assert.ok(fixesOf(finding).length && fixesOf(finding).every((f) => !f.preferred));
    });
    runQuietCases([
      {
        name: 'the workspace holds no workload of the policy namespace (its pods are unknown)',
        files: {
          'monitoring.yaml': MONITORING,
          'policies.yaml': dedent(`
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: metrics, namespace: shop}
            spec:
              podSelector: {matchLabels: {app: api}}
              ingress:
                - from: [{podSelector: {matchLabels: {app: prometheus}}}]
          `),
        },
        code: 'NR027',
      },
      {
        name: 'the peer already says which namespace',
        files: {
          ...files,
          'policies.yaml': dedent(`
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: metrics, namespace: shop}
            spec:
              podSelector: {matchLabels: {app: api}}
              ingress:
                - from:
                    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}
                      podSelector: {matchLabels: {app: prometheus}}
          `),
        },
        code: 'NR027',
      },
      {
        name: 'pods with these labels also run in the policy namespace',
        files: {
          ...files,
          'local.yaml': deployment('shop', 'prometheus', { app: 'prometheus' }),
        },
        code: 'NR027',
      },
    ]);
  });

  describe('NR028 a namespace label no namespace carries', () => {
    const dnsPolicy = `
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata:
        name: dns
        namespace: shop
      spec:
        podSelector: {}
        policyTypes:
          - Egress
        egress:
          - to:
              # the cluster DNS
              - namespaceSelector:
                  matchLabels:
                    name: kube-system
            ports:
              - port: 53
                protocol: UDP
    `;
    it('reports `name: X` and rewrites it to kubernetes.io/metadata.name', () => {
      const linted = lint(withShop(dnsPolicy));
      const finding = expectFinding(linted, 'NR028', 'warning', 'name: kube-system');
      assert.ok(fixesOf(finding)[0]?.preferred);
      expectNone(linted, 'NR030');
      expectNone(linted, 'NR034');
      const { after, text } = applyFix(linted, finding);
      expectNone(after, 'NR028');
      assert.ok(text.includes('              kubernetes.io/metadata.name: kube-system\n'), text);
    });
    it('reports `name` in a match expression too', () => {
      const linted = lint(
        withShop(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: from-ops, namespace: shop}
          spec:
            podSelector: {}
            ingress:
              - from:
                  - namespaceSelector:
                      matchExpressions:
                        - {key: name, operator: In, values: [ops, tools]}
        `),
      );
      const finding = expectFinding(linted, 'NR028', 'warning', '{key: name, operator: In, values: [ops, tools]}');
      const { after } = applyFix(linted, finding);
      expectNone(after, 'NR028');
    });
    runReportCases([
      {
        name: 'a misspelt label key when the workspace declares labelled namespaces',
        files: {
          ...withShop(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: metrics, namespace: shop}
          spec:
            podSelector: {}
            ingress:
              - from:
                  - namespaceSelector:
                      matchLabels:
                        purpse: monitoring
        `),
          'monitoring.yaml': MONITORING,
        },
        code: 'NR028',
        severity: 'warning',
        span: 'purpse: monitoring',
        message: ['purpose'],
      },
    ]);
    it('fixes a misspelt key to the nearest key namespaces carry', () => {
      const linted = lint({
        ...withShop(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: metrics, namespace: shop}
          spec:
            podSelector: {}
            ingress:
              - from:
                  - namespaceSelector:
                      matchLabels:
                        purpse: monitoring
        `),
        'monitoring.yaml': MONITORING,
      });
      const { after } = applyFix(linted, expectFinding(linted, 'NR028', 'warning', 'purpse: monitoring'), 'purpose');
      expectNone(after, 'NR028');
    });
    runQuietCases([
      {
        name: 'a custom label while the workspace declares no labelled Namespace (it may be set in the cluster)',
        files: {
          'app.yaml': deployment('shop', 'web', { app: 'web' }),
          'policies.yaml': dedent(`
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: metrics, namespace: shop}
            spec:
              podSelector: {}
              ingress:
                - from: [{namespaceSelector: {matchLabels: {purpose: monitoring}}}]
          `),
        },
        code: 'NR028',
      },
      {
        name: '`name` when a Namespace of the workspace carries it',
        files: withShop(dnsPolicy, { 'kube-system.yaml': namespaceManifest('kube-system', { name: 'kube-system' }) }),
        code: 'NR028',
      },
      {
        name: 'the automatic kubernetes.io/metadata.name label',
        files: withShop(dnsPolicy.replace('name: kube-system', 'kubernetes.io/metadata.name: kube-system')),
        code: 'NR028',
      },
    ]);
  });

  describe('NR029 a policy that selects no workload', () => {
    const typo = withShop(`
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata:
        name: web
        namespace: shop
      spec:
        # the public web tier
        podSelector:
          matchLabels:
            app: wbe
            tier: frontend
        ingress:
          - {}
    `);
    it('reports the label that matches nothing, suggests the nearest, and fixes it', () => {
      const linted = lint(typo);
      const finding = expectFinding(linted, 'NR029', 'warning', 'app: wbe');
      assert.match(finding.message, /app=web/);
      assert.ok(finding.related?.some((r) => r.message.includes('shop/web[Deployment]')));
      const { after, text } = applyFix(linted, finding, 'app: web');
      expectNone(after, 'NR029');
      assert.ok(text.includes('      app: web\n      tier: frontend\n'), text);
    });
    it('reports a policy in another namespace than its pods, on the namespace, and moves it', () => {
      const linted = lint(
        withShop(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata:
            name: web
            namespace: frontend
          spec:
            podSelector:
              matchLabels:
                app: web
            ingress:
              - {}
        `),
      );
      const finding = expectFinding(linted, 'NR029', 'warning', 'frontend');
      assert.match(finding.message, /shop/);
      const { after } = applyFix(linted, finding, 'shop');
      expectNone(after, 'NR029');
    });
    runReportCases([
      {
        name: 'each label exists but not together: the whole selector is blamed',
        files: withShop(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: web, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: web, tier: backend}}
        `),
        code: 'NR029',
        severity: 'warning',
        span: 'podSelector: {matchLabels: {app: web, tier: backend}}',
      },
    ]);
    runQuietCases([
      {
        name: 'the workspace holds no workload of that namespace (policies only)',
        files: {
          'policies.yaml': dedent(`
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: web, namespace: shop}
            spec:
              podSelector: {matchLabels: {app: wbe}}
          `),
        },
        code: 'NR029',
      },
      {
        name: 'the selector matches a workload',
        files: withShop(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: web, namespace: shop}
          spec:
            podSelector:
              matchExpressions:
                - {key: app, operator: In, values: [web, www]}
        `),
        code: 'NR029',
      },
    ]);
  });

  describe('NR030 a peer selector that matches nothing', () => {
    it('reports a mistyped pod label, suggests the nearest, and fixes it', () => {
      const linted = lint(
        withShop(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: db, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: db}}
            ingress:
              - from:
                  - podSelector:
                      matchLabels:
                        app: apii
        `),
      );
      const finding = expectFinding(linted, 'NR030', 'warning', 'app: apii');
      assert.match(finding.message, /app=api/);
      const { after } = applyFix(linted, finding, 'app: api');
      expectNone(after, 'NR030');
      expectNone(after, 'NR034');
    });
    it('reports a mistyped namespace name and fixes it', () => {
      const linted = lint(
        withShop(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: db, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: db}}
            ingress:
              - from:
                  - namespaceSelector:
                      matchLabels:
                        kubernetes.io/metadata.name: shpo
        `),
      );
      const finding = expectFinding(linted, 'NR030', 'warning', 'kubernetes.io/metadata.name: shpo');
      const { after } = applyFix(linted, finding, 'shop');
      expectNone(after, 'NR030');
    });
    runReportCases([
      {
        name: 'namespace labels that no declared Namespace carries with these values',
        files: withShop(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: db, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: db}}
            ingress:
              - from: [{namespaceSelector: {matchLabels: {team: payments}}}]
        `),
        code: 'NR030',
        severity: 'warning',
        span: 'team: payments',
        message: ['team=shop'],
      },
      {
        name: 'pods of a namespace pinned by name',
        files: withShop(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: web, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: web}}
            policyTypes: [Egress]
            egress:
              - to:
                  - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}
                    podSelector: {matchLabels: {app: cache}}
        `),
        code: 'NR030',
        severity: 'warning',
        span: 'app: cache',
      },
    ]);
    runQuietCases([
      {
        name: 'pods of a namespace the workspace does not describe (kube-system DNS)',
        files: withShop(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: dns, namespace: shop}
          spec:
            podSelector: {}
            policyTypes: [Egress]
            egress:
              - to:
                  - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
                    podSelector: {matchLabels: {k8s-app: kube-dns}}
        `),
        code: 'NR030',
      },
      {
        name: 'pods of every namespace (namespaceSelector: {})',
        files: withShop(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: dns, namespace: shop}
          spec:
            podSelector: {}
            policyTypes: [Egress]
            egress:
              - to:
                  - namespaceSelector: {}
                    podSelector: {matchLabels: {k8s-app: kube-dns}}
        `),
        code: 'NR030',
      },
      {
        name: 'a namespace name the workspace does not know and that is no typo',
        files: withShop(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: db, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: db}}
            ingress:
              - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}}]
        `),
        code: 'NR030',
      },
      {
        name: 'a pod label that exists',
        files: withShop(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: db, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: db}}
            ingress:
              - from: [{podSelector: {matchExpressions: [{key: tier, operator: In, values: [backend]}]}}]
        `),
        code: 'NR030',
      },
    ]);
  });

  describe('NR031 a written-out selector that matches everything', () => {
    it('reports `matchLabels: {}` and replaces it with {}', () => {
      const linted = lint(
        withShop(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: deny, namespace: shop}
          spec:
            podSelector:
              matchLabels: {}
            policyTypes:
              - Ingress
        `),
      );
      const finding = expectFinding(linted, 'NR031', 'info', 'matchLabels: {}');
      const { after, text } = applyFix(linted, finding);
      expectNone(after, 'NR031');
      assert.ok(text.includes('  podSelector: {}\n  policyTypes:\n'), text);
    });
    runReportCases([
      {
        name: 'a namespace selector on the automatic name label with Exists',
        files: withShop(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: web, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: web}}
            ingress:
              - from:
                  - namespaceSelector:
                      matchExpressions:
                        - key: kubernetes.io/metadata.name
                          operator: Exists
        `),
        code: 'NR031',
        severity: 'info',
        span: 'matchExpressions:\n              - key: kubernetes.io/metadata.name\n                operator: Exists',
      },
    ]);
    runQuietCases([
      {
        name: 'podSelector: {}',
        files: withShop(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: deny, namespace: shop}
          spec:
            podSelector: {}
            policyTypes: [Ingress]
        `),
        code: 'NR031',
      },
      {
        name: 'a selector that happens to match every workload of the workspace',
        files: withShop(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: deny, namespace: shop}
          spec:
            podSelector: {matchExpressions: [{key: app, operator: Exists}]}
            policyTypes: [Ingress]
        `),
        code: 'NR031',
      },
    ]);
  });

  describe('NR032 a workload opened to the whole cluster or the internet', () => {
    runReportCases([
      {
        name: 'namespaceSelector: {} alone',
        files: withShop(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: api, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: api}}
            ingress:
              - from:
                  - namespaceSelector: {}
                ports:
                  - port: http
        `),
        code: 'NR032',
        severity: 'warning',
        span: 'namespaceSelector: {}',
        message: ['shop/api[Deployment]', 'every pod of the cluster', 'port http'],
      },
      {
        name: 'an ipBlock of every IPv4 address',
        files: withShop(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: web, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: web}}
            ingress:
              - from:
                  - ipBlock:
                      cidr: 0.0.0.0/0
                      except: [10.0.0.0/8]
        `),
        code: 'NR032',
        severity: 'warning',
        span: 'ipBlock:\n            cidr: 0.0.0.0/0\n            except: [10.0.0.0/8]',
        message: ['shop/web[Deployment]', 'except 10.0.0.0/8', 'every port'],
      },
      {
        name: 'an ipBlock of every IPv6 address',
        files: withShop(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: web, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: web}}
            ingress:
              - from: [{ipBlock: {cidr: "::/0"}}]
        `),
        code: 'NR032',
        severity: 'warning',
        span: 'ipBlock: {cidr: "::/0"}',
        message: ['IPv6'],
      },
    ]);
    runQuietCases([
      {
        name: 'egress to everywhere (other checks look at that)',
        files: withShop(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: web, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: web}}
            policyTypes: [Egress]
            egress:
              - to: [{ipBlock: {cidr: 0.0.0.0/0}}, {namespaceSelector: {}}]
        `),
        code: 'NR032',
      },
      {
        name: 'a private range, and DNS pods of every namespace',
        files: withShop(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: web, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: web}}
            ingress:
              - from:
                  - ipBlock: {cidr: 10.0.0.0/8}
                  - namespaceSelector: {}
                    podSelector: {matchLabels: {app: gateway}}
        `),
        code: 'NR032',
      },
      {
        name: 'silenced with a comment',
        files: withShop(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: web, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: web}}
            ingress:
              - from:
                  # netreach-disable-next-line NR032
                  - ipBlock:
                      cidr: 0.0.0.0/0
        `),
        code: 'NR032',
      },
    ]);
  });

  describe('NR034 a dead rule', () => {
    it('reports a rule whose only peer matches no pod, and deletes it', () => {
      const linted = lint(
        withShop(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: db, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: db}}
            policyTypes: [Ingress]
            ingress:
              - from:
                  - podSelector: {matchLabels: {app: api}}
              # left over from the old batch jobs
              - from:
                  - podSelector: {matchLabels: {app: nightly-export}}
        `),
      );
      const finding = expectFinding(linted, 'NR034', 'warning', 'from');
      assert.equal(linted.spanText(linted.of('NR030')[0]), 'app: nightly-export');
      const { after, text } = applyFix(linted, finding);
      expectNone(after, 'NR034');
      expectNone(after, 'NR030');
      assert.ok(text.includes('    # left over from the old batch jobs\n'), 'the comment above stays');
      assert.equal(parse(text.split('---').pop()!).spec.ingress.length, 1);
    });
    it('reports a rule whose named ports no selected pod defines; deleting the last rule leaves []', () => {
      const linted = lint(
        withShop(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: web, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: web}}
            policyTypes: [Ingress]
            ingress:
              - from: [{podSelector: {matchLabels: {app: api}}}]
                ports:
                  - port: metrics
        `),
      );
      const finding = expectFinding(linted, 'NR034', 'warning', 'ports');
      assert.match(finding.message, /metrics/);
      const { after, text } = applyFix(linted, finding);
      expectNone(after, 'NR034');
      assert.ok(text.includes('  ingress: []\n'), text);
    });
    it('offers no deletion that would end egress isolation (policyTypes omitted)', () => {
      const linted = lint(
        withShop(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: web, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: web}}
            egress:
              - to: [{podSelector: {matchLabels: {app: nothing-here}}}]
        `),
      );
      const finding = expectFinding(linted, 'NR034', 'warning', 'to');
      assert.deepEqual(fixesOf(finding), []);
    });
    runQuietCases([
      {
        name: 'the named port exists on the selected pods',
        files: withShop(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: api, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: api}}
            ingress:
              - ports: [{port: metrics}]
                from: [{podSelector: {matchLabels: {app: web}}}]
        `),
        code: 'NR034',
      },
      {
        name: 'one of two peers matches',
        files: withShop(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: api, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: api}}
            ingress:
              - from: [{podSelector: {matchLabels: {app: nothing-here}}}, {podSelector: {matchLabels: {app: web}}}]
        `),
        code: 'NR034',
      },
      {
        name: 'the peer names a namespace the workspace does not describe (it may have the pods)',
        files: withShop(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: api, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: api}}
            ingress:
              - from:
                  - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}
                    podSelector: {matchLabels: {app: controller}}
        `),
        code: 'NR034',
      },
      {
        name: 'the peer label is a guess (name: X), not a certainty',
        files: withShop(`
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: api, namespace: shop}
          spec:
            podSelector: {matchLabels: {app: api}}
            ingress:
              - from: [{namespaceSelector: {matchLabels: {name: monitoring}}}]
        `),
        code: 'NR034',
      },
    ]);
  });

  describe('robustness', () => {
    it('never throws on half-typed documents', function () {
      this.timeout(60000);
      const halves = [
        'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector:\n    matchLabels:\n      app:',
        'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {}\n  ingress:\n    - from:\n        - namespaceSelector:\n',
        'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {}\n  ingress:\n    - from:\n        - {}\n      ports: [{port: }]\n',
        'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p}\nspec:\n  ingress: [-',
      ];
      for (const text of halves) {
        for (let cut = 0; cut <= text.length; cut += 3) {
          assert.doesNotThrow(() => lint({ 'shop.yaml': SHOP, 'p.yaml': text.slice(0, cut) }), text.slice(0, cut));
        }
      }
    });
  });
});
