// Meaning checks on a single policy: NR020 (ignored rules), NR021 (defaulted policyTypes),
// NR022 (split peer), NR023 (split rule), NR024 (allow-everything rule), NR033 (no namespace).
import { strict as assert } from 'node:assert';
import { expectFindings, expectFix, lint } from './lintFixture';

describe('meaning checks', () => {
  describe('NR020 rules ignored by policyTypes', () => {
    it('reports egress rules when policyTypes lists only Ingress, and adds Egress', () => {
      const files = `
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: p, namespace: a}
        spec:
          podSelector: {}
          policyTypes:
            - Ingress
          «egress»:
            - to:
                - podSelector: {}
      `;
      expectFindings(files, 'NR020', 'error');
      expectFix(files, 'NR020', { contains: '- Ingress\n- Egress' });
    });
    it('adds to a flow list', () => {
      expectFix(
        `
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: p, namespace: a}
        spec:
          podSelector: {}
          policyTypes: [Egress]
          ingress:
            - {}
      `,
        'NR020',
        { contains: 'policyTypes: [Egress, Ingress]' },
      );
    });
    it('is quiet when policyTypes is defaulted (rules then count)', () => {
      expectFindings(
        `
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: p, namespace: a}
        spec:
          podSelector: {}
          egress:
            - to:
                - podSelector: {}
      `,
        'NR020',
        'error',
      );
    });
  });

  describe('NR021 policyTypes omitted', () => {
    it('writes the defaulted value out, Egress included when egress rules exist', () => {
      const files = `
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: p, namespace: a}
        «spec»:
          podSelector: {}
          egress:
            - to:
                - podSelector: {}
      `;
      expectFindings(files, 'NR021', 'info');
      expectFix(files, 'NR021', { contains: 'policyTypes:\n  - Ingress\n  - Egress' });
    });
  });

  describe('NR022 namespace and pod selectors split into two peers', () => {
    const files = `
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: p, namespace: a}
      spec:
        podSelector: {}
        policyTypes: [Ingress]
        ingress:
          - from:
              # monitoring pods only
              «- namespaceSelector:
                  matchLabels:
                    team: monitoring
              - podSelector:
                  matchLabels:
                    app: prometheus»
    `;
    it('in a JSON manifest, says to write one object (there is no dash to remove)', () => {
      const json = JSON.stringify({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'p', namespace: 'a' },
        spec: {
          podSelector: {},
          ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'm' } } }, { podSelector: {} }] }],
        },
      });
      const [finding] = lint({ 'policy.json': json }).filter((f) => f.code === 'NR022');
      assert.match(finding.message, /write one peer with both selectors \(one object\)/);
    });

    it('reports the pair and merges it into one peer, keeping the comment', () => {
      // The span starts at the first peer's mapping, after its dash.
      const marked = files.replace('«- namespaceSelector', '- «namespaceSelector');
      expectFindings(marked, 'NR022', 'warning');
      expectFix(marked, 'NR022', {
        contains:
          '- namespaceSelector:\n    matchLabels:\n      team: monitoring\n  podSelector:\n    matchLabels:\n      app: prometheus',
      });
    });
    it('is quiet for one peer with both selectors, and for an ipBlock next to a selector', () => {
      expectFindings(
        `
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: p, namespace: a}
        spec:
          podSelector: {}
          policyTypes: [Ingress]
          ingress:
            - from:
                - namespaceSelector: {matchLabels: {team: x}}
                  podSelector: {matchLabels: {app: y}}
                - ipBlock: {cidr: 10.0.0.0/8}
                - podSelector: {matchLabels: {app: z}}
      `,
        'NR022',
        'warning',
      );
    });
  });

  describe('NR023 peers and ports split into two rules', () => {
    it('reports and merges the rules', () => {
      const files = `
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: p, namespace: a}
        spec:
          podSelector: {}
          policyTypes: [Ingress]
          ingress:
            - «from:
                - podSelector: {matchLabels: {app: web}}
            - ports:
                - port: 8080»
      `;
      expectFindings(files, 'NR023', 'warning');
      expectFix(files, 'NR023', {
        contains: '- from:\n    - podSelector: {matchLabels: {app: web}}\n  ports:\n    - port: 8080',
      });
    });
  });

  describe('NR024 a rule that allows everything', () => {
    it('reports `- {}` and ports without peers', () => {
      expectFindings(
        `
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: p, namespace: a}
        spec:
          podSelector: {}
          policyTypes: [Ingress, Egress]
          ingress:
            - «{}»
          egress:
            - «ports:
                - port: 443»
      `,
        'NR024',
        'warning',
      );
    });
  });

  describe('NR033 metadata.namespace missing', () => {
    it('reports on the name and adds the namespace the file uses', () => {
      const files = `
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: «p»
        spec:
          podSelector: {}
          policyTypes: [Ingress]
      `;
      expectFindings(files, 'NR033', 'warning');
      expectFix(files, 'NR033', { contains: 'name: p\nnamespace: shop' });
    });
    it('fills an empty `namespace:` key instead of adding a second one', () => {
      const fixed = expectFix(
        `
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: p
          namespace: # to do
        spec:
          podSelector: {}
          policyTypes: [Ingress]
      `,
        'NR033',
        { contains: 'namespace: default # to do' },
      );
      if ((fixed.match(/namespace:/g) ?? []).length !== 1) throw new Error(`two namespace keys:\n${fixed}`);
    });
    it('is only informational inside a kustomize tree, without a fix', () => {
      expectFindings(
        {
          'app/policy.yaml': `
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata:
              name: «p»
            spec:
              podSelector: {}
              policyTypes: [Ingress]
          `,
          'app/kustomization.yaml':
            'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [policy.yaml]\n',
        },
        'NR033',
        'info',
      );
    });
  });
});
